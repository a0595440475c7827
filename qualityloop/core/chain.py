"""The hash that links an append-only record: one entry's content and the previous hash."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder


def digest(content: dict) -> str:
    """SHA-256 of ``content`` as canonical JSON (sorted keys, UTF-8 as it is).

    Every record that is verified later hashes through here, so the encoding never drifts
    between the writer and the checker.
    """
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(payload.encode()).hexdigest()
