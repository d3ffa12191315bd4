"""Thin FastAPI routers of catalog and the app factory (``app.py``)."""
