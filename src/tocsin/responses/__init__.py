"""Responses of recipient organisations to an alert (received, acknowledged,
applicability, updates, closed), their deadlines, and the escalation of silence
(`escalation_rules`: who is told, pure; `escalation`: the job). Imports `alerts`,
`delivery` (escalation notices) and the layers below.
"""
