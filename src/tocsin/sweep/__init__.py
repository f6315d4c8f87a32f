"""`tocsin sweep`: log readers, the indicator matcher and the sightings reporter, run on
the establishment's own machines. Imports only `indicators`: it never loads the hub.
"""
