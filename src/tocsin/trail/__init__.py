"""Reading the audit trail: who may read whose records (directors their establishment,
relays their perimeter, administrators everything), as pages of JSON or a stream of lines;
each record rendered for its reader through the sharing rules of the alert it is about
(`render`), so that the trail tells no reader more of an alert than the alert itself does.

Above the network (it authenticates the reader) and the audit package (which only appends
and verifies), so that every package below can record without knowing who reads.
"""
