"""The demo network: organisations, people, tokens and alerts seeded by `tocsin demo`.
Above the publication layer and the relay (it publishes and declares like a user would).
"""
