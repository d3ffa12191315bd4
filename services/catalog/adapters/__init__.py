"""Adapters of catalog behind ports: stores, Kafka and other engines."""
