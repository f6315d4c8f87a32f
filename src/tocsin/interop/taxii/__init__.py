"""TAXII 2.1 server: discovery, one API root, collections derived from what the caller may see."""
