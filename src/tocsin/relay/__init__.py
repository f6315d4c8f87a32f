"""Declarations of incidents in the regulator's four blocks, their relays' deadlines and
notices, qualification into an alert and automatic publication at the deadline, the
incident log and the regulatory obligations. Above the publication layer: it publishes
the alert through `publication.service`.
"""
