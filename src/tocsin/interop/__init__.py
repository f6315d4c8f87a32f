"""Speaking the field's languages: STIX 2.1, MISP, TAXII 2.1 and blocklist feeds."""
