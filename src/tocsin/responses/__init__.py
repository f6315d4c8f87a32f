"""Responses of recipient organisations to an alert, their deadlines and escalation."""
