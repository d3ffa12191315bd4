"""Thin FastAPI routers of identity and its problem+json error mapping."""
