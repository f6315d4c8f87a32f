"""The publication layer: what follows a revision, and how an alert is opened.

Above the domains (alerts, delivery, responses, intel, interop), below the doors that use
it (the API, the relay's qualification, the importers, the pages, the demo). It owns:
- the lifecycle as the rest of the hub calls it (`service`): each change stores the
  revision through `alerts.service`, then, in the caller's transaction, the audience index,
  the responses to expect, correlation, the outbox of deliveries and the TAXII feed, with
  the revision's audience decided once (`revision`);
- the one read path of an alert (`opening.open_alert`): visibility, the audit of sensitive
  reads, the recipient's receipt; every door that shows an alert calls it;
- what a delivery means for a response (`receipts`);
- the alert routes of the API (`api`).

It imports the domains; no domain imports it.
"""
