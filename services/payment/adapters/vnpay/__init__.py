"""The VNPay protocol (version 2.1.0): shared by the merchant side and the sandbox."""
