"""The stored form of an API key (``service.access``): no key is ever kept in clear."""

import hashlib


def hash_key(key: str) -> str:
    """The sha256 of the key's UTF-8 bytes, in hex: what ``LOGOSCORE_API_KEYS_FILE`` holds."""
    return hashlib.sha256(key.encode()).hexdigest()
