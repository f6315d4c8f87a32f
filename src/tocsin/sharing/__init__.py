"""Who receives an alert and who may read it: TLP 2.0, PAP, scope and anonymity as pure
rules over a snapshot of the network (no I/O; see `rules`). Imports nothing of tocsin but
itself: every door asks it.
"""
