"""Speaking the field's languages outward: STIX 2.1 and MISP renderings of an alert, the
TAXII 2.1 server and its collections, and the blocklist feeds. Imports `alerts` and the
layers below; the publication layer writes the TAXII objects after each revision, and the
import side (files coming in) is `exchange`'s.
"""
