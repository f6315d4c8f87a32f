"""Who to call in each organisation when its IT is down: the on-call list (names, roles,
phone numbers, hours), kept by the organisation, read by it and its relays, printed on the
alert sheet and shown beside a silent establishment. Imports `network` and below.
"""
