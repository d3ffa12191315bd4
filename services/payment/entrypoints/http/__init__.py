"""Thin FastAPI routers of payment and its problem+json error mapping."""
