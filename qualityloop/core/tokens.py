"""Bearer secrets (API tokens, survey links): handed out once, stored only as a digest."""

import hashlib
import secrets


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest_of(raw: str) -> str:
    """What is stored and looked up instead of the secret itself."""
    return hashlib.sha256(raw.encode()).hexdigest()
