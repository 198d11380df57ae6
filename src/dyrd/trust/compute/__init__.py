"""Pure functions of the trust domain (no I/O, no database).

``tokens``: API token format and digests. ``jcs``: canonical JSON for signing. ``jose``: public
JWKs, RFC 7638 key ids, ES256/EdDSA verification. ``directory``: the signed regional directory.
``urls``: checks on node base URLs.
"""
