"""The network: organisations (establishment, group, region, national, partner), users,
roles, API tokens, browser sessions, and who is calling (`auth`: a token or a signed-in
browser, the one place a request is authenticated). Imports the ground floor, `audit` and
`sharing`; everything above names its callers through it.
"""
