"""The payment worker: dossier events in, the outbox relay out, the read model."""
