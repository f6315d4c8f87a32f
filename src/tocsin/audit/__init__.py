"""The audit trail: a hash chain of every state change and sensitive read, appended in the
caller's transaction, and its verification. Imports only the ground floor: every package
records through it; reading the trail is `trail`'s.
"""
