"""SMS behind a small interface: Kannel's `sendsms` HTTP interface in production, a list in
memory for the demo and the unit tests. On the ground floor with the bus and the mailer:
delivery and escalation send through it; the texts themselves are `sms.text`'s (pure).
"""
