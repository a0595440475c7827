import pytest
import time_machine
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from qualityloop.complaints.models import Category, Complaint, ComplaintEvent
from qualityloop.feedback.models import FinalAnswer, Survey
from qualityloop.testing import aware

# Every test runs on Monday 2 March 2026, 10:00 Beijing time, unless it travels on.
T0 = aware(2026, 3, 2, 10, 0)
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english():
    """Messages from the services read in English, the msgids (pages follow each request)."""
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def state() -> tuple:
    """What a refused request of the feedback pages or API might have changed."""
    return (
        FinalAnswer.objects.count(),
        Survey.objects.count(),
        ComplaintEvent.objects.count(),
        sorted(Complaint.objects.values_list("pk", "version")),
        DBTaskResult.objects.count(),
    )


@pytest.fixture
def pair(org, frozen):
    """An open and a closed complaint technical support is responsible for."""
    ts = org.departments["ts"].pk
    return register(org, responsible_department_id=ts), closed(org, responsible_department_id=ts)


def register(org, **data):
    data.setdefault("category_id", Category.objects.get(code="appearance").pk)
    data.setdefault("is_repeat", False)
    data.setdefault("complainant_email", "wang@example.com")
    return org.register(**data)


def closed(org, **data):
    """A minor complaint answered and closed at first contact by customer service."""
    complaint = register(org, **data)
    return org.advance(complaint, "close_at_first_contact", actor="cs", answer="已更换外壳")


def in_diagnosis(org, **data):
    """A complaint technical support works on (so its members see it); production does not."""
    complaint = register(org, **data)
    return org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")
