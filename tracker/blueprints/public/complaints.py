"""Public complaint pages: submit, receipt, tracking, rating, published cases."""
