"""`tocsin sweep`: log readers, the indicator matcher and the sightings reporter."""
