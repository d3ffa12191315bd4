"""A local payment provider speaking VNPay 2.1.0, for development and tests."""
