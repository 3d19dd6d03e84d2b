def test_app_starts(client):
    assert client.get("/login").status_code == 200
