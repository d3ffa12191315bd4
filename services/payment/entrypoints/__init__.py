"""Inbound: the HTTP app and the worker process."""
