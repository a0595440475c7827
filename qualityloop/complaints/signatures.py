"""Electronic signatures on closure, verification, "no investigation needed" and reopening.

The signer re-enters the password and states the meaning. What is signed is the decision (the
transition and its inputs) and, for decisions about the record, the record itself: the
complaint's key fields, its root cause and its actions. The hash binds signer, meaning, time and
that content; recomputing the content from the record as it is now tells whether anything
signed has changed since (then the signature is void).
"""

import hashlib
import json
from datetime import UTC

from django.contrib.auth.hashers import check_password
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from qualityloop.core.errors import ValidationFailed

from . import hooks, workflow
from .models import Complaint, Signature

# Decisions about the record sign the record; a reopening signs only the decision.
RECORD_SIGNED = frozenset({"close", "verify", "no_investigation"})


def _record(complaint: Complaint) -> dict:
    record = {
        "number": complaint.number,
        "title": complaint.title,
        "description": complaint.description,
        "severity": complaint.severity,
        "category": complaint.category_id,
        "product": complaint.product_id,
        "batch": complaint.batch_id,
        "customer_answer": complaint.customer_answer,
    }
    # The root cause and the actions come from their own apps.
    record.update(hooks.merged("signed_content", complaint))
    return record


def content_for(complaint: Complaint, subject: str, inputs: dict) -> dict:
    content = {"subject": subject, "inputs": {k: v for k, v in sorted(inputs.items()) if v}}
    if subject in RECORD_SIGNED:
        content["record"] = _record(complaint)
    return content


def _digest(signature: Signature, content: dict) -> str:
    payload = json.dumps(
        {
            "complaint": signature.complaint_id,
            "signer": signature.signer_id,
            "meaning": signature.meaning,
            "signed_at": signature.signed_at.astimezone(UTC).isoformat(),
            "content": content,
        },
        sort_keys=True,
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def check_signing(transition: workflow.Transition, actor, password: str, meaning: str) -> None:
    """Refuse before anything is written: a wrong password or meaning signs nothing."""
    errors = {}
    if meaning not in transition.meanings:
        errors["meaning"] = [_("Choose what your signature means.")]
    # Checked without rehashing: signing writes no account row (a login upgrades old hashes).
    if not password or not check_password(password, actor.password):
        errors["password"] = [_("The password is not correct; nothing was signed.")]
    if errors:
        raise ValidationFailed(errors)


def sign(complaint: Complaint, *, actor, subject: str, meaning: str, inputs: dict, at) -> Signature:
    """Write the signature; the caller holds the complaint's row lock."""
    signature = Signature(
        complaint=complaint, signer=actor, meaning=meaning, subject=subject, signed_at=at
    )
    signature.content = content_for(complaint, subject, inputs)
    signature.content_hash = _digest(signature, signature.content)
    signature.save()
    return signature


def is_valid(signature: Signature, complaint: Complaint | None = None) -> bool:
    """The signed content, recomputed from the record now, still hashes to what was signed."""
    complaint = complaint or signature.complaint
    if _digest(signature, signature.content) != signature.content_hash:
        return False  # the stored content itself was altered
    current = content_for(complaint, signature.subject, signature.content.get("inputs", {}))
    return current == signature.content


def signatures_for(complaint: Complaint) -> list[dict]:
    """Each signature of the complaint with its meaning label and whether it still holds."""
    rows = []
    for signature in complaint.signatures.select_related("signer"):
        transition = workflow.BY_NAME.get(signature.subject)
        rows.append(
            {
                "signer": str(signature.signer),
                "meaning": str(workflow.MEANING_LABELS.get(signature.meaning, signature.meaning)),
                "signed_at": signature.signed_at,
                "subject": str(transition.label) if transition else signature.subject,
                "valid": is_valid(signature, complaint),
            }
        )
    return rows
