"""Faults under a real gunicorn server: a worker killed mid-write, the database away and back."""
