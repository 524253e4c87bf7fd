"""SCIM 2.0 (RFC 7643/7644) for identity providers: a program's users, provisioned with a token."""
