"""Inbound entrypoints of identity: HTTP app, seed."""
