"""Reading the audit trail: who may read whose records (directors their establishment,
relays their perimeter, administrators everything), as pages of JSON or a stream of lines.

Above the network (it authenticates the reader) and the audit package (which only appends
and verifies), so that every package below can record without knowing who reads.
"""
