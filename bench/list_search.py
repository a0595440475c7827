"""How fast the complaint list and its Chinese search answer on a large register.

    python bench/list_search.py --rows 200000 --runs 30

Fills the database named by DATABASE_URL (it must be empty and migrated) with generated
complaints, then times ``queries.page`` for typical filters and searches and prints p50/p95.
The rows are bulk-inserted, not registered through the services: this measures reading.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityloop.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from qualityloop.catalog.models import Customer, Product  # noqa: E402
from qualityloop.complaints import access, queries, search  # noqa: E402
from qualityloop.complaints.models import Category, Complaint, ComplaintSearch  # noqa: E402
from qualityloop.testing import Org  # noqa: E402

WORDS = [
    "外壳",
    "开裂",
    "屏幕",
    "裂纹",
    "电池",
    "鼓包",
    "异响",
    "发热",
    "漏水",
    "包装",
    "破损",
    "延迟",
    "交付",
    "错发",
    "划伤",
    "变形",
    "短路",
    "烧毁",
    "失灵",
    "松动",
    "生锈",
    "脱漆",
    "噪音",
    "振动",
    "密封",
    "渗油",
    "断裂",
    "色差",
    "尺寸",
    "超差",
]
STATUSES = (
    [
        "intake",
        "classification",
        "diagnosis",
        "root_cause",
        "capa_planning",
        "execution",
        "verification",
        "knowledge",
    ]
    + ["closed"] * 6
    + ["rejected"]
)


def fill(rows: int, batch: int = 5000) -> None:
    rnd = random.Random(1)
    org = Org()
    categories = list(Category.objects.all())
    products = [org.product, org.other_product] + [
        Product.objects.create(
            code=f"B{i}", name=f"产品{i}", model=f"M-{i}", product_line=f"线{i % 4}", site=org.site
        )
        for i in range(40)
    ]
    customers = [Customer.objects.create(code=f"BC{i}", name=f"客户公司{i}") for i in range(300)]
    now = timezone.now()
    started = time.monotonic()
    for start in range(0, rows, batch):
        chunk = []
        for k in range(start, min(start + batch, rows)):
            chunk.append(
                Complaint(
                    number=f"QC-B-{k:07d}",
                    title="".join(rnd.sample(WORDS, 3)),
                    description="客户反馈" + "，".join(rnd.sample(WORDS, 6)) + "，要求尽快处理。",
                    complainant_name="张三",
                    channel="phone",
                    received_by=org["cs"],
                    received_at=now - timedelta(minutes=k),
                    category=rnd.choice(categories),
                    product=rnd.choice(products),
                    customer=rnd.choice(customers),
                    severity=rnd.choice([1, 2, 2, 3, 3, 3, 3]),
                    status=rnd.choice(STATUSES),
                )
            )
        with transaction.atomic():
            Complaint.objects.bulk_create(chunk)
            ids = dict(
                Complaint.objects.filter(number__in=[c.number for c in chunk]).values_list(
                    "number", "pk"
                )
            )
            ComplaintSearch.objects.bulk_create(
                ComplaintSearch(
                    complaint_id=ids[c.number],
                    tokens=search.document_tokens(
                        c.number, c.title, c.description, c.complainant_name
                    ),
                )
                for c in chunk
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled {rows} complaints in {time.monotonic() - started:.0f} s", flush=True)


def measure(runs: int) -> None:
    from qualityloop.accounts.models import User

    rnd = random.Random(2)
    qe = User.objects.get(username="qe")
    products = list(Product.objects.values_list("pk", flat=True))
    customers = list(Customer.objects.values_list("pk", flat=True))
    categories = list(Category.objects.values_list("pk", flat=True))
    cases = {
        "open, newest first": lambda: queries.Filters(),
        "product": lambda: queries.Filters(state="all", product=rnd.choice(products)),
        "customer + critical": lambda: queries.Filters(
            state="all", customer=rnd.choice(customers), severity=1
        ),
        "stage": lambda: queries.Filters(stage="execution"),
        "category, by severity": lambda: queries.Filters(
            state="all", category=rnd.choice(categories), sort="severity"
        ),
        "search, common word": lambda: queries.Filters(
            state="all", q=rnd.choice(["开裂", "鼓包", "渗油", "色差"])
        ),
        "search, phrase": lambda: queries.Filters(
            state="all", q=rnd.choice(["外壳开裂", "电池鼓包", "密封渗油"])
        ),
        "search + product": lambda: queries.Filters(
            state="all", q="开裂", product=rnd.choice(products)
        ),
        "search, no match": lambda: queries.Filters(state="all", q="QC-X-0000001"),
    }
    total = Complaint.objects.count()
    print(f"{connection.vendor}, {total} complaints, {runs} runs each")
    for name, make in cases.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            page = queries.page(access.visible_complaints(qe), make())
            [(row.category_id, row.task_due_at) for row in page.items]
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, round(len(times) * 0.95) - 1)]
        print(f"  {name:24} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if not Complaint.objects.exists():
        fill(args.rows)
    measure(args.runs)
