"""The catalog service: agencies, fields, procedures and the working-day calendar."""
