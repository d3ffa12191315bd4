"""Aggregates, events and domain errors of payment; imports no I/O library."""
