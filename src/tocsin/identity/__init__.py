"""Identity: second factors (TOTP, passkeys, recovery codes), the sign-in lockout, the
second-factor policy, and single sign-on through OpenID Connect providers.

Above `network/` (organisations, users, sessions, tokens) and below the pages."""
