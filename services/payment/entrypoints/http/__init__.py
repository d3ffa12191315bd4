"""Thin FastAPI routers of payment and the app factory (``app.py``)."""
