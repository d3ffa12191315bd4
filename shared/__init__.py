"""What every Một Cửa service needs: event envelope, Kafka plumbing, settings, HTTP basics."""
