import io
import string
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.test import override_settings

from qualityloop.accounts.choices import Role
from qualityloop.accounts.models import User
from qualityloop.complaints import events
from qualityloop.complaints.choices import Severity, SeveritySource
from qualityloop.complaints.models import Complaint, ComplaintEvent, StageTask
from qualityloop.complaints.workflow import Status
from qualityloop.demo import builder, texts
from qualityloop.testing import aware, database_snapshot

NOW = aware(2026, 3, 2, 9, 30)
QUIET = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


@pytest.fixture
def quiet(settings, tmp_path):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    for name, value in QUIET.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture(scope="class")
def small_demo(django_db_setup, django_db_blocker):
    """One 40-complaint demo for the whole class, rolled back after it."""
    with django_db_blocker.unblock(), override_settings(**QUIET), transaction.atomic():
        yield builder.build(complaints=40, seed=7, now=NOW)
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestSmallDemo:
    def test_shows_every_state_and_path(self, small_demo):
        complaints = Complaint.objects.all()
        assert small_demo.complaints == 40
        assert complaints.count() == 40
        assert set(complaints.values_list("status", flat=True)) == set(Status.values)
        assert complaints.filter(first_contact_resolution=True, status=Status.CLOSED).exists()
        assert complaints.filter(reopen_count__gt=0).exists()
        assert complaints.filter(is_repeat=True).exists()
        assert set(complaints.values_list("severity", flat=True)) == set(Severity.values)
        assert complaints.filter(severity_source=SeveritySource.OVERRIDE).exists()

    def test_history_is_sound(self, small_demo):
        checked, problems = events.verify_chain()
        assert problems == []
        assert checked == ComplaintEvent.objects.count() > 40 * 3

        span = Complaint.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
        assert span["last"] - span["first"] > timedelta(days=365)
        assert span["last"] <= NOW
        assert not ComplaintEvent.objects.filter(at__gt=NOW).exists()

        # Each complaint's events run forward in time, starting at its receipt.
        for complaint in Complaint.objects.all():
            moments = list(complaint.events.order_by("seq").values_list("at", flat=True))
            assert moments == sorted(moments), complaint.number
            assert moments[0] == complaint.received_at.replace(microsecond=0)

        numbers = Complaint.objects.values("number").annotate(n=Count("id")).filter(n__gt=1)
        assert list(numbers) == []

    def test_closes_only_answered_complaints(self, small_demo):
        closed = Complaint.objects.filter(status=Status.CLOSED)
        assert closed.exists()
        assert not closed.filter(customer_answered_at__isnull=True).exists()
        assert not closed.filter(customer_answer="").exists()
        rejected = Complaint.objects.filter(status=Status.REJECTED)
        assert not rejected.filter(customer_answer="").exists()
        serious = closed.filter(severity__in=[Severity.CRITICAL, Severity.MAJOR])
        assert not serious.filter(verified_at__isnull=True).exists()

    def test_assigns_tasks_within_the_owning_department(self, small_demo):
        assigned = StageTask.objects.filter(assignee__isnull=False)
        assert assigned.count() > 40
        assert not assigned.exclude(assignee__department=F("department")).exists()
        departments = set(assigned.values_list("department__code", flat=True))
        assert {"customer-service", "tech-support", "quality"} <= departments
        assert departments & {"production-suzhou", "production-dongguan"}


def test_demo_logins_can_log_in(db, quiet, client):
    result = builder.build(complaints=0, now=NOW)
    roles = {login.role for login in result.logins}
    assert roles == {str(role.label) for role in Role}
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    one_per_role = {login.role: login.username for login in result.logins}
    for username in one_per_role.values():
        assert client.login(username=username, password=builder.DEMO_PASSWORD), username
        client.logout()


def test_load_demo_if_empty_loads_once(db, quiet):
    out = io.StringIO()
    call_command("load_demo", "--complaints", "3", "--seed", "1", "--if-empty", stdout=out)
    first = out.getvalue()
    assert "Loaded 3 demo complaints" in first
    assert builder.DEMO_PASSWORD in first
    assert "wangqiang" in first and "admin" in first
    assert Complaint.objects.count() == 3

    before = database_snapshot()
    out = io.StringIO()
    call_command("load_demo", "--complaints", "3", "--if-empty", stdout=out)
    assert database_snapshot() == before
    again = out.getvalue().splitlines()
    assert again[0] == "Complaints exist already; demo data not loaded."
    assert again[1].startswith(
        f"Demo accounts here (password {builder.DEMO_PASSWORD} unless changed): "
    )
    assert "wangqiang (" in again[1] and "admin (" in again[1]


@pytest.mark.argon2
def test_demo_accounts_get_argon2_at_their_first_login(db, quiet, client):
    builder.build(complaints=0, now=NOW)
    assert User.objects.get(username="wangqiang").password.startswith(
        f"pbkdf2_sha256${builder.DEMO_HASH_ITERATIONS}$"
    )
    assert client.login(username="wangqiang", password=builder.DEMO_PASSWORD)
    assert User.objects.get(username="wangqiang").password.startswith("argon2$argon2id$")
    client.logout()
    assert client.login(username="wangqiang", password=builder.DEMO_PASSWORD)


def test_demo_signs_with_the_demo_password_only(db, quiet):
    call_command("load_demo", "--complaints", "0", stdout=io.StringIO())
    engineer = User.objects.get(username="liuyang")
    engineer.set_password("changed-by-liuyang")
    engineer.save()
    before = database_snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", "--complaints", "3", stdout=io.StringIO())
    assert str(refused.value) == (
        f"The demo signs its decisions with the password {builder.DEMO_PASSWORD}, which these "
        "existing accounts no longer have: liuyang"
    )
    assert database_snapshot() == before


def _templates():
    for value in vars(texts).values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, tuple | dict):
            items = value.values() if isinstance(value, dict) else value
            for item in items:
                if isinstance(item, str):
                    yield item
                elif isinstance(item, tuple):
                    yield from (i for i in item if isinstance(i, str))
                elif hasattr(item, "__dataclass_fields__"):
                    yield from (v for v in vars(item).values() if isinstance(v, str))


def test_demo_texts_use_only_known_slots():
    used = {
        name
        for template in _templates()
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }
    assert used
    assert used <= texts.SLOT_NAMES
