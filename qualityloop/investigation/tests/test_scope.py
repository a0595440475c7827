"""Is anyone else affected? Neighbouring batches and related complaints, as far as one may see."""

from datetime import date

import pytest
from django.utils import translation

from qualityloop.catalog.models import Batch
from qualityloop.complaints.models import Category
from qualityloop.core import clock
from qualityloop.investigation.scope import scope_of_impact
from qualityloop.testing import aware

from .helpers import in_diagnosis

CUSTOMER = "华东汽车零部件有限公司"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def batch(org, lot, day, quantity, product=None):
    return Batch.objects.create(
        product=product or org.product,
        lot_number=lot,
        production_date=day,
        site=org.site,
        quantity=quantity,
    )


@pytest.fixture
def world(org):
    """A complaint on batch L2026-0301 (made 1 March 2026) and its neighbourhood."""
    batch(org, "L2025-1230", date(2025, 12, 30), 900)  # 61 days before: outside
    early = batch(org, "L2025-1231", date(2025, 12, 31), 1000)  # 60 days before: inside
    january = batch(org, "L2026-0115", date(2026, 1, 15), 3000)
    late = batch(org, "L2026-0430", date(2026, 4, 30), 2000)  # 60 days after: inside
    batch(org, "L2026-0501", date(2026, 5, 1), 700)  # 61 days after: outside
    batch(org, "L2026-0310-X", date(2026, 3, 10), 400, product=org.other_product)

    appearance = Category.objects.get(code="appearance").pk
    function = Category.objects.get(code="function").pk
    with clock.at(aware(2026, 3, 2, 9, 0)):
        same_batch = in_diagnosis(org, title="同批次：功能失效", category_id=function)
    with clock.at(aware(2026, 3, 3, 9, 0)):
        # Registered only: customer service and quality see it, technical support does not.
        hidden = org.register(
            title="一月批次：外观", batch_id=january.pk, category_id=appearance, is_repeat=False
        )
    with clock.at(aware(2026, 3, 4, 9, 0)):
        same_failure = in_diagnosis(
            org,
            title="充电模块外观划伤",
            product_id=org.other_product.pk,
            batch_id=org.other_batch.pk,
            category_id=appearance,
        )
    with clock.at(aware(2026, 3, 4, 10, 0)):
        in_diagnosis(
            org,
            title="无关：充电模块功能",
            product_id=org.other_product.pk,
            batch_id=org.other_batch.pk,
            category_id=function,
        )
    with clock.at(aware(2026, 3, 5, 9, 0)):
        complaint = in_diagnosis(org, title="外壳开裂", category_id=appearance)
    return {
        "complaint": complaint,
        "same_batch": same_batch,
        "hidden": hidden,
        "same_failure": same_failure,
        "batches": (early, january, late),
    }


def row(c, status, status_label) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "status": status,
        "status_label": status_label,
        "received_at": c.received_at,
        "customer": CUSTOMER,
        "url": f"/complaints/{c.pk}/",
    }


def diagnosing(c):
    return row(c, "diagnosis", "Preliminary diagnosis")


def at_intake(c):
    return row(c, "intake", "Intake and registration")


def test_quality_sees_every_neighbour_and_every_related_complaint(org, world):
    early, january, late = world["batches"]
    scope = scope_of_impact(world["complaint"], org["qe"])

    assert scope["window_days"] == 60
    assert scope["batch"] == {
        "id": org.batch.pk,
        "lot_number": "L2026-0301",
        "production_date": date(2026, 3, 1),
        "quantity": 5000,
        "complaints": 2,
    }
    assert [
        (b["lot_number"], b["production_date"], b["quantity"], b["complaints"])
        for b in scope["batches"]
    ] == [
        ("L2025-1231", date(2025, 12, 31), 1000, 0),
        ("L2026-0115", date(2026, 1, 15), 3000, 1),
        ("L2026-0430", date(2026, 4, 30), 2000, 0),
    ]
    assert [b["id"] for b in scope["batches"]] == [early.pk, january.pk, late.pk]
    assert scope["same_batch"] == {"total": 1, "items": [diagnosing(world["same_batch"])]}
    assert scope["same_product"] == {
        "total": 2,
        "items": [at_intake(world["hidden"]), diagnosing(world["same_batch"])],
    }
    assert scope["same_failure"] == {
        "total": 2,
        "items": [diagnosing(world["same_failure"]), at_intake(world["hidden"])],
    }


def test_a_department_sees_only_the_complaints_it_may_see(org, world):
    scope = scope_of_impact(world["complaint"], org["ts_member"])

    assert scope["batch"]["complaints"] == 2
    assert [(b["lot_number"], b["complaints"]) for b in scope["batches"]] == [
        ("L2025-1231", 0),
        ("L2026-0115", 0),
        ("L2026-0430", 0),
    ]
    assert scope["same_batch"] == {"total": 1, "items": [diagnosing(world["same_batch"])]}
    assert scope["same_product"] == {"total": 1, "items": [diagnosing(world["same_batch"])]}
    assert scope["same_failure"] == {"total": 1, "items": [diagnosing(world["same_failure"])]}
    hidden = world["hidden"].number
    assert hidden not in repr(scope)


def test_lists_are_capped_and_say_how_many_there_are(org, world):
    scope = scope_of_impact(world["complaint"], org["qe"], limit=1)
    assert scope["same_product"]["total"] == 2
    assert [c["number"] for c in scope["same_product"]["items"]] == [world["hidden"].number]
    assert len(scope["batches"]) == 1


def test_a_complaint_without_batch_or_product(org):
    complaint = org.register(product_id=None, batch_id=None, category_id=None, is_repeat=False)
    scope = scope_of_impact(complaint, org["qe"])
    empty = {"total": 0, "items": []}
    assert scope == {
        "window_days": 60,
        "batch": None,
        "batches": [],
        "same_product": empty,
        "same_batch": empty,
        "same_failure": empty,
    }
