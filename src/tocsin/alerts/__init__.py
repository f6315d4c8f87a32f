"""Alerts: their content, immutable revisions, lifecycle, reads and presentation.

Owns the `alerts`, `alert_revisions`, `alert_indicators` and `alert_audience` tables;
`projection` is its pure core (facts for the sharing rules, content, revision document).
Imports the ground floor, `audit`, `network`, `sharing` and `indicators`. It never calls
what follows a revision (deliveries, responses, correlation, feeds): that is the
publication layer's, above it.
"""
