"""Delivery of alerts to recipient organisations: live stream, signed webhooks, e-mail."""
