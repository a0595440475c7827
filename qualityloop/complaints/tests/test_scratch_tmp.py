from qualityloop.complaints.models import Category


def test_render(org, client):
    cat = Category.objects.get(code="appearance")
    c = org.register(category_id=cat.pk)
    c = org.advance(c, "acknowledge", "confirm_grade", actor="cs")
    client.force_login(org["qe"])
    for url in ["/", "/my-work/", "/complaints/", "/complaints/new/", f"/complaints/{c.pk}/",
                f"/complaints/{c.pk}/transitions/complete_diagnosis/", "/complaints/new/related/?product=%d" % org.product.pk]:
        r = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200, url
        open("/tmp/scratch/" + url.strip("/").replace("/", "_").replace("?","_") + ".html", "wb").write(r.content)
    r = client.get("/complaints/", HTTP_HX_REQUEST="true")
    open("/tmp/scratch/list_htmx.html", "wb").write(r.content)
