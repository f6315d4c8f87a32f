"""Pure indicator core: types, refanging, normalisation, detection and extraction (no I/O)."""
