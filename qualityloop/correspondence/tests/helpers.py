from datetime import UTC, datetime

from qualityloop.complaints.models import Category

# What the SLA module promises in these tests: 3 March 2026, 09:30 in Beijing.
REPLY_BY = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)


def promise(monkeypatch, moment=REPLY_BY) -> None:
    """Pin the SLA's promised reply time, so the text under test is exact."""
    monkeypatch.setattr("qualityloop.sla.services.promised_reply_by", lambda complaint: moment)


def in_diagnosis(org, **data):
    """A complaint technical support works on (so its members see it); production does not."""
    data.setdefault("category_id", Category.objects.get(code="appearance").pk)
    data.setdefault("is_repeat", False)
    complaint = org.register(**data)
    return org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")
