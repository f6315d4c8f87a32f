"""Pooled knowledge: the correlation index and related alerts, sightings, campaigns,
warninglists and indicator expiry. Imports `alerts` (what it correlates) and `delivery`
(to notify authors and relays); called by the publication layer after each revision.
"""
