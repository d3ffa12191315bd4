"""Inbound: the HTTP app and the command-line processes of identity."""
