"""Aggregates, events and domain errors of identity; imports no I/O library."""
