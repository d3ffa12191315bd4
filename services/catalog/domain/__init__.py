"""Aggregates, events and domain errors of catalog; imports no I/O library."""
