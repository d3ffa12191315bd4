"""Adapters of payment behind ports: stores, Kafka and other engines."""
