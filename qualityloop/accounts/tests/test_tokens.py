"""Issuing and revoking API tokens: through the services, on the system record."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qualityloop.accounts import services
from qualityloop.accounts.models import ApiToken
from qualityloop.core import audit, clock
from qualityloop.core.errors import DomainError
from qualityloop.core.models import SystemEvent
from qualityloop.testing import PASSWORD, aware

API = "/api/v1/complaints"
TOKENS = reverse("admin:accounts_apitoken_changelist")
REVOKED_AT = aware(2026, 3, 2, 10, 15)


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


def admin_client(org, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    assert client.login(username="admin", password=PASSWORD)
    return client


def revoke_in_admin(client: Client, *tokens):
    with clock.at(REVOKED_AT):
        return client.post(
            TOKENS,
            {"action": "revoke", "_selected_action": [t.pk for t in tokens]},
            follow=True,
        )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def crm(org):
    return services.issue_api_token(actor=org["admin"], user=org["cs"], name="CRM sync")


def test_an_administrator_revokes_a_token_in_the_admin_and_it_goes_on_the_record(org, crm):
    token, raw = crm
    assert bearer(raw).get(API).status_code == 200
    client = admin_client(org)

    response = revoke_in_admin(client, token)

    assert response.status_code == 200
    assert messages_of(response) == ["Revoked 1 token; it is refused from now on."]
    token.refresh_from_db()
    assert token.revoked_at == REVOKED_AT
    event = audit.events_about(token).get(kind=services.REVOKED)
    assert (event.actor, event.at) == (org["admin"], REVOKED_AT)
    assert event.object_label == "CRM sync (" + token.prefix + "…)"
    assert event.data == {"user": "cs", "name": "CRM sync", "prefix": token.prefix}
    assert audit.verify_system_record() == (2, [])
    assert bearer(raw).get(API).status_code == 401


def test_the_admin_speaks_chinese_about_revocations(org, crm):
    token, _raw = crm
    client = admin_client(org, "zh-hans")
    assert messages_of(revoke_in_admin(client, token)) == ["已吊销 1 个令牌，此后一律拒绝。"]
    assert messages_of(revoke_in_admin(client, token)) == ["1 个令牌此前已被吊销，未作任何更改。"]
    page = client.get(reverse("admin:core_systemevent_changelist")).content.decode()
    assert "已吊销 API 令牌" in page
    assert "系统记录" in page


def test_revoking_twice_is_a_no_op_with_a_clear_message(org, crm):
    token, _raw = crm
    other, _ = services.issue_api_token(actor=org["admin"], user=org["qe"], name="ERP")
    client = admin_client(org)
    revoke_in_admin(client, token)

    response = revoke_in_admin(client, token, other)

    assert messages_of(response) == [
        "Revoked 1 token; it is refused from now on.",
        "1 token was revoked already; nothing changed for it.",
    ]
    assert audit.events_about(token).filter(kind=services.REVOKED).count() == 1
    assert audit.events_about(other).filter(kind=services.REVOKED).count() == 1
    assert services.revoke_api_token(actor=org["admin"], token_id=token.pk) is False
    assert SystemEvent.objects.filter(kind=services.REVOKED).count() == 2
    assert audit.verify_system_record() == (4, [])


def test_the_token_page_says_who_revoked_it_and_when(org, crm):
    token, _raw = crm
    client = admin_client(org)
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert "Revoked by" in page.content.decode()
    revoke_in_admin(client, token)

    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert "admin at March 2, 2026, 10:15 a.m." in page
    record_link = (
        reverse("admin:core_systemevent_changelist")
        + f"?object_type=accounts.ApiToken&amp;object_id={token.pk}"
    )
    assert record_link in page

    listing = client.get(record_link.replace("&amp;", "&")).content.decode()
    assert "API token revoked" in listing
    assert "API token issued" in listing
    assert listing.count('class="field-seq"') == 2


def test_the_system_record_is_read_only_in_the_admin(org, crm):
    client = admin_client(org)
    listing = client.get(reverse("admin:core_systemevent_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    for column in ("Kind", "Actor", "Time", "Object"):
        assert column in page
    assert "API token issued" in page
    event = SystemEvent.objects.get()
    assert client.get(reverse("admin:core_systemevent_add")).status_code == 403
    change = client.get(reverse("admin:core_systemevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'type="submit"' not in change.content.decode().split('id="content-main"')[1]
    refused = client.post(
        reverse("admin:core_systemevent_change", args=[event.pk]), {"reason": "改写"}
    )
    assert refused.status_code == 403
    assert client.post(reverse("admin:core_systemevent_delete", args=[event.pk])).status_code in {
        403,
        404,
    }
    assert SystemEvent.objects.get() == event
    assert audit.verify_system_record() == (1, [])


def test_people_without_admin_rights_cannot_revoke(org, crm):
    token, raw = crm
    client = Client()
    assert client.login(username="qe", password=PASSWORD)
    response = client.post(TOKENS, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not SystemEvent.objects.filter(kind=services.REVOKED).exists()
    assert bearer(raw).get(API).status_code == 200


def test_the_issue_token_command_puts_the_token_on_the_record(org):
    out = io.StringIO()
    call_command("issue_token", "cs", "CRM sync", "--by", "admin", stdout=out, stderr=io.StringIO())
    token = ApiToken.objects.get(name="CRM sync")
    assert token.digest == ApiToken.digest_of(out.getvalue().strip())
    event = audit.events_about(token).get()
    assert (event.kind, event.actor, event.data["user"]) == (services.ISSUED, org["admin"], "cs")

    call_command("issue_token", "qe", "ERP", stdout=io.StringIO(), stderr=io.StringIO())
    assert audit.events_about(ApiToken.objects.get(name="ERP")).get().actor is None
    assert audit.verify_system_record() == (2, [])


def test_a_refused_token_request_leaves_no_token_and_no_event(org):
    org["cs"].is_active = False
    org["cs"].save(update_fields=["is_active"])
    with translation.override("en"), pytest.raises(CommandError, match="is inactive"):
        call_command("issue_token", "cs", "CRM", stdout=io.StringIO())
    with translation.override("en"), pytest.raises(DomainError, match="1 to 100 characters"):
        services.issue_api_token(actor=None, user=org["qe"], name="  ")
    with pytest.raises(DomainError):
        services.revoke_api_token(actor=org["admin"], token_id=999_999)
    assert not ApiToken.objects.exists()
    assert not SystemEvent.objects.exists()


def test_token_kinds_have_labels_in_both_languages():
    with translation.override("en"):
        assert audit.kind_label(services.ISSUED) == "API token issued"
        assert audit.kind_label(services.REVOKED) == "API token revoked"
    with translation.override("zh-hans"):
        assert audit.kind_label(services.ISSUED) == "已签发 API 令牌"
        assert audit.kind_label(services.REVOKED) == "已吊销 API 令牌"
