from qualityloop.complaints.choices import Severity


def test_register_and_walk(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        c = org.register(complainant_email="wang@example.com", requested_remedy="return")
    assert c.number.startswith("QC-")
    assert c.severity == Severity.MAJOR
    c = org.advance(c, "acknowledge", actor="cs")
    c.refresh_from_db()
    assert c.status == "classification"
    assert c.acknowledgement_sent_at is not None
