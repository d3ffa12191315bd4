"""Thin FastAPI routers of catalog and its problem+json error mapping."""
