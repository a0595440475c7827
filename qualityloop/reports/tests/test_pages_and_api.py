"""The report pages, their PDFs and the API: who gets what, in which language."""

import pytest
from django.test import Client
from django.urls import reverse

from qualityloop.testing import bearer, login

from .conftest import CORRECTIVE, ROOT_CAUSE
from .pdfs import squash, text_of

KINDS = ("8d", "disposal", "rectification")
NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}


def page_url(complaint, kind) -> str:
    return reverse("report-page", args=[complaint.pk, kind])


def pdf_url(complaint, kind) -> str:
    return reverse("report-pdf", args=[complaint.pk, kind])


def api_url(complaint, kind) -> str:
    return f"/api/v1/complaints/{complaint.pk}/reports/{kind}.pdf"


def test_the_urls_are_the_documented_ones(rich):
    assert page_url(rich, "8d") == f"/complaints/{rich.pk}/reports/8d/"
    assert pdf_url(rich, "disposal") == f"/complaints/{rich.pk}/reports/disposal.pdf"


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_log_in(rich, kind):
    for url in (page_url(rich, kind), pdf_url(rich, kind)):
        response = Client(headers={"Accept-Language": "en"}).get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("kind", KINDS)
def test_a_department_not_involved_gets_404_as_for_a_missing_complaint(org, rich, kind):
    client = login(org["rnd_member"])
    for url in (page_url(rich, kind), pdf_url(rich, kind)):
        assert client.get(url).status_code == 404
    missing = reverse("report-page", args=[999999, kind])
    assert login(org["qe"]).get(missing).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_an_involved_department_reads_the_page_and_the_pdf(org, rich, kind):
    client = login(org["ts_member"])  # technical support held the diagnosis task
    page = client.get(page_url(rich, kind))
    assert page.status_code == 200
    assert CORRECTIVE in page.content.decode()
    document = client.get(pdf_url(rich, kind))
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"
    assert squash(CORRECTIVE) in text_of(document.content)


@pytest.mark.parametrize("username", ["cs", "qe", "exec", "admin"])
def test_roles_that_see_every_complaint_read_every_report_page(org, rich, username):
    client = login(org[username])
    for kind in KINDS:
        assert client.get(page_url(rich, kind)).status_code == 200


def test_an_unknown_report_is_404(org, rich):
    client = login(org["qe"])
    assert client.get(f"/complaints/{rich.pk}/reports/9d/").status_code == 404
    assert client.get(f"/complaints/{rich.pk}/reports/9d.pdf").status_code == 404


def test_the_page_follows_the_reader_language_unless_lang_chooses(org, rich):
    client = login(org["qe"], language="en")
    english = client.get(page_url(rich, "8d")).content.decode()
    assert "Root cause" in english and "根本原因分析" not in english
    assert ROOT_CAUSE in english
    chinese = client.get(page_url(rich, "8d") + "?lang=zh-hans").content.decode()
    assert "根本原因分析" in chinese
    # The site around the report stays in the reader's language.
    assert "My work" in chinese
    assert 'href="?lang=en"' in chinese
    assert f'href="{pdf_url(rich, "8d")}?lang=zh-hans"' in chinese
    # A language we do not write falls back to the reader's.
    assert "Root cause" in client.get(page_url(rich, "8d") + "?lang=fr").content.decode()


def test_the_pdf_language_comes_from_lang_or_the_reader(org, rich):
    client = login(org["qe"], language="zh-hans")
    chinese = text_of(client.get(pdf_url(rich, "8d")).content)
    assert squash("根本原因分析") in chinese
    english = client.get(pdf_url(rich, "8d") + "?lang=en")
    assert english["Content-Disposition"] == f'inline; filename="{rich.number}-8D-en.pdf"'
    assert "Rootcause" in text_of(english.content)


def test_the_complaint_page_links_each_report_and_its_pdf(org, rich):
    html = login(org["qe"]).get(reverse("complaint-detail", args=[rich.pk])).content.decode()
    for kind in KINDS:
        assert f'href="{page_url(rich, kind)}"' in html
        assert f'href="{pdf_url(rich, kind)}"' in html
    assert "8D report" in html


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_serves_each_pdf(org, rich, kind):
    response = bearer(org["qe"]).get(api_url(rich, kind))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert squash(CORRECTIVE) in text_of(response.content)


def test_the_api_pdf_language_follows_lang_then_accept_language(org, rich):
    assert "Rootcause" in text_of(bearer(org["qe"], "en").get(api_url(rich, "8d")).content)
    chinese = bearer(org["qe"], "en").get(api_url(rich, "8d") + "?lang=zh-hans")
    assert squash("根本原因分析") in text_of(chinese.content)
    refused = bearer(org["qe"]).get(api_url(rich, "8d") + "?lang=fr")
    assert refused.status_code == 422
    assert refused.json()["field"] == "lang"


def test_the_api_refuses_without_a_token_and_hides_complaints_out_of_scope(org, rich):
    for kind in KINDS:
        anonymous = Client().get(api_url(rich, kind))
        assert anonymous.status_code == 401
        assert anonymous.json()["code"] == "not_authenticated"
        hidden = bearer(org["rnd_member"]).get(api_url(rich, kind))
        assert hidden.status_code == 404
        assert hidden.json() == NOT_FOUND
    assert bearer(org["ts_member"]).get(api_url(rich, "8d")).status_code == 200


def test_the_openapi_document_lists_the_pdfs(db):
    document = Client().get("/api/v1/openapi.json").json()
    for kind in KINDS:
        operation = document["paths"][f"/api/v1/complaints/{{complaint_id}}/reports/{kind}.pdf"][
            "get"
        ]
        assert operation["tags"] == ["reports"]
        assert "application/pdf" in operation["responses"]["200"]["content"]
        assert {p["name"] for p in operation["parameters"]} == {"complaint_id", "lang"}
