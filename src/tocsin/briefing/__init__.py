"""What people read when IT is down: the printable sheet of an alert, the notice that tells
every employee what to do now, and the director's one-page brief; in the reader's language,
marked with the TLP on every page, times on the hub's clock.

Above the publication layer: every document opens the alert through
`publication.opening.open_alert` (visibility, audit of sensitive reads, receipt). The plain
words are data (`advice`), the documents pure renderings (`content`, `render`).
"""
