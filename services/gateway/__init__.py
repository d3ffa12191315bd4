"""The gateway: the single entry point that routes /api/v1 to the services."""
