"""Delivery of alerts and notices to recipient organisations: the outbox written in the
revision's transaction, and the dispatchers that drain it (live stream over the bus,
signed webhooks, e-mail), with the routes of the stream, endpoints and preferences.

Imports the ground floor, `audit`, `network`, `sharing`, `indicators` and `alerts` (to
render an alert for its recipients). What a delivery means for a response is told to it
(`receipts.OnDelivered`) by the node, never imported.
"""
