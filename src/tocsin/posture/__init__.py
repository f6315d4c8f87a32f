"""The hygiene checklist of an establishment, its score and its director's sign-off.
Imports `network` and the layers below.
"""
