"""Regulatory obligations of a declared incident: NIS2, CNIL and ARS clocks, submissions,
reminders. Below `relay/`: a declaration's facts are handed in, nothing here reads it."""
