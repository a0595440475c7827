"""The shared adapter bases: one mapping of a service's refusals for every page and endpoint."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import translation

from qualityloop.complaints import services
from qualityloop.complaints.models import Complaint
from qualityloop.core import api
from qualityloop.core.errors import (
    DomainError,
    NotAllowed,
    StaleVersion,
    TransitionRefused,
    ValidationFailed,
)
from qualityloop.core.forms import ServiceForm
from qualityloop.core.views import run_service
from qualityloop.testing import database_snapshot

STALE = "Someone else changed this complaint while you were editing it."


class TaskForm(ServiceForm):
    title = forms.CharField()
    owner = forms.IntegerField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def bound_form() -> TaskForm:
    form = TaskForm({"title": "复测外壳", "owner": "7", "version": "3"})
    assert form.is_valid()
    return form


def refuse(exc):
    def call():
        raise exc

    return call


def test_a_service_that_goes_through_gives_back_what_it_returned():
    form = bound_form()

    outcome = run_service(lambda: "A-2026-0001", form)

    assert outcome and outcome.value == "A-2026-0001" and outcome.messages == ()
    assert form.errors == {}


def test_field_errors_go_next_to_the_fields_the_service_names_and_the_rest_above():
    form = bound_form()

    outcome = run_service(
        refuse(
            ValidationFailed(
                {
                    "owner_id": ["Choose an active member of Technical support."],
                    "title": ["At most 200 characters."],
                    "department": ["No such department."],
                }
            )
        ),
        form,
    )

    assert not outcome
    assert form.errors["owner"] == ["Choose an active member of Technical support."]
    assert form.errors["title"] == ["At most 200 characters."]
    assert form.non_field_errors() == ["No such department."]
    assert outcome.messages == (
        "Choose an active member of Technical support.",
        "At most 200 characters.",
        "No such department.",
    )


@pytest.mark.parametrize(
    "exc",
    [StaleVersion(current_version=4), TransitionRefused("Choose a category first.")],
    ids=["conflict", "transition refused"],
)
def test_a_conflict_or_refused_transition_is_shown_above_the_form(exc):
    form = bound_form()
    with translation.override("en"):
        outcome = run_service(refuse(exc), form)

        assert not outcome
        # The version is a hidden field: its error would not be seen next to it.
        assert "version" not in form.errors
        assert form.non_field_errors() == [str(exc.message)]


def test_a_refusal_naming_a_field_is_shown_next_to_it():
    form = bound_form()

    run_service(refuse(DomainError("Only open actions take a new title.", field="title")), form)

    assert form.errors == {"title": ["Only open actions take a new title."]}


def test_not_allowed_is_403_and_not_found_is_404_whatever_the_form():
    form = bound_form()

    with pytest.raises(PermissionDenied):
        run_service(refuse(NotAllowed("Only quality may plan actions.")), form)
    with pytest.raises(Http404):
        run_service(refuse(DomainError("No such task.", field="task", code="not_found")), form)
    assert form.errors == {}


def test_without_a_form_the_refusal_comes_back_as_its_message():
    outcome = run_service(refuse(DomainError("A survey can only be sent about a closed one.")))

    assert not outcome and outcome.message == "A survey can only be sent about a closed one."


def test_the_api_answers_each_refusal_with_its_status_in_one_shape():
    with translation.override("en"):
        assert api.domain_error(StaleVersion(current_version=4)) == (
            409,
            {
                "detail": STALE + " Reload to see their changes, then apply yours again.",
                "field": "version",
                "code": "conflict",
                "errors": {
                    "version": [STALE + " Reload to see their changes, then apply yours again."]
                },
                "current_version": 4,
            },
        )
    assert api.domain_error(DomainError("No such task.", field="task", code="not_found")) == (
        404,
        {
            "detail": "No such task.",
            "field": "task",
            "code": "not_found",
            "errors": {"task": ["No such task."]},
        },
    )
    assert api.domain_error(ValidationFailed({"title": ["Required."], "owner": ["No."]})) == (
        422,
        {
            "detail": "Required.",
            "field": "title",
            "code": "validation_error",
            "errors": {"title": ["Required."], "owner": ["No."]},
        },
    )
    assert api.domain_error(NotAllowed("Only quality may plan actions."))[0] == 403


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 422), ({"HTTP_HX_REQUEST": "true"}, 200)],
    ids=["page", "htmx"],
)
def test_a_stale_form_on_the_complaint_page_answers_like_every_refused_form(org, headers, status):
    complaint = org.register()
    services.add_comment(actor=org["qe"], complaint_id=complaint.pk, body="先到一步")
    client = Client()
    client.force_login(org["qe"])
    before = database_snapshot()

    response = client.post(
        f"/complaints/{complaint.pk}/grade/",
        {"version": complaint.version, "severity": "1", "reason": "客户高层投诉"},
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )

    assert response.status_code == status
    assert STALE in response.content.decode()
    assert database_snapshot() == before
    assert Complaint.objects.get(pk=complaint.pk).severity == complaint.severity
