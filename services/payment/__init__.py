"""The payment service: fee orders, payments with providers, receipts and refunds."""
