"""Files that cross the hub's edge: STIX 2.1 bundles and MISP events imported as drafts,
MISP feeds pulled incrementally, alerts exported as files (API, pages' downloads, CLI).

Above the publication layer: imports create drafts through `publication.service` (so
their indicators are indexed and flagged at once) and exports open the alert through
`publication.opening`. The formats themselves (STIX and MISP rendering, patterns,
vocabularies, TAXII) are `interop`'s.
"""
