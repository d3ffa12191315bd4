"""Adapters of identity behind ports: stores, Kafka and other engines."""
