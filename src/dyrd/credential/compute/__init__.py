"""Pure functions of the credential domain (no I/O, no database, no clock).

``base45``: RFC 9285. ``cose``: COSE_Sign1 (RFC 9052) and CWT claims (RFC 8392) as HCERT
uses them. ``signature``: ES256/ES384/PS256/EdDSA verification and DCC key ids. ``hcert``: the
HC1 container, issuing (``encode_hc1``) and the step-by-step ``verify``. ``payload`` and
``dcc``: payload checks (DCC JSON schema and value sets). ``qr``: QR images in and out.
"""
