"""Pure indicator core: types, refanging, normalisation, detection and extraction (no I/O).
Imports nothing of tocsin but itself.
"""
