"""Digests, sigstore trust root, PEP 740 and npm attestation verification, publisher identity."""
