"""Inbound: the HTTP app (which also relays the outbox) and the demo seed."""
