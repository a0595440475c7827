"""Helpers shared by every app's tests (and only by tests and ``qualityloop/conftest.py``).

It sits outside the layers so that it may build data with every app: complaints are built
through the services, so a test state is one that real users can reach.
"""

import os
import re
import socket
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from importlib import import_module
from pathlib import Path
from unittest import mock

import hypothesis
import pytest
import schemathesis
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.apps import apps
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from hypothesis import HealthCheck

from qualityloop.accounts.choices import DepartmentKind, Role
from qualityloop.accounts.models import ApiToken, Department, User
from qualityloop.capa import services as capa
from qualityloop.capa.choices import ActionStatus
from qualityloop.capa.queries import action_summary, actions_for
from qualityloop.catalog.models import Batch, Customer, Product, Site
from qualityloop.complaints import services, workflow
from qualityloop.complaints.models import Category, Complaint, ComplaintEvent
from qualityloop.correspondence.models import MessageTemplate
from qualityloop.investigation import services as investigation
from qualityloop.investigation.access import has_root_cause
from qualityloop.investigation.defaults import ensure_defaults as ensure_cause_codes

PASSWORD = "Quality-Loop-2026"  # noqa: S105 (test users only)

DEPARTMENTS = [
    ("cs", "客服部", "Customer service", DepartmentKind.CUSTOMER_SERVICE),
    ("qa", "质量部", "Quality", DepartmentKind.QUALITY),
    ("ts", "技术支持部", "Technical support", DepartmentKind.TECHNICAL_SUPPORT),
    ("prod", "生产部", "Production", DepartmentKind.PRODUCTION),
    ("rnd", "研发部", "R&D", DepartmentKind.RND),
    ("pur", "采购部", "Purchasing", DepartmentKind.PURCHASING),
    ("log", "物流部", "Logistics", DepartmentKind.LOGISTICS),
    ("mgmt", "管理层", "Management", DepartmentKind.MANAGEMENT),
]

# username → (role, department code)
PEOPLE = {
    "cs": (Role.CUSTOMER_SERVICE, "cs"),
    "qe": (Role.QUALITY_ENGINEER, "qa"),
    "ts_member": (Role.DEPARTMENT_MEMBER, "ts"),
    "ts_head": (Role.DEPARTMENT_HEAD, "ts"),
    "prod_member": (Role.DEPARTMENT_MEMBER, "prod"),
    "prod_head": (Role.DEPARTMENT_HEAD, "prod"),
    "rnd_member": (Role.DEPARTMENT_MEMBER, "rnd"),
    "exec": (Role.EXECUTIVE, "mgmt"),
    "admin": (Role.ADMINISTRATOR, None),
}


def _ensure_defaults():
    """Transactional tests empty every table, including the defaults a migration seeded."""
    if not Category.objects.exists():
        seed = import_module("qualityloop.complaints.migrations.0003_default_categories_and_rules")
        seed.forward(apps, None)
    import_module("qualityloop.sla.migrations.0004_default_policies").forward(apps, None)
    if not MessageTemplate.objects.exists():
        import_module("qualityloop.correspondence.migrations.0002_default_templates").forward(
            apps, None
        )
    ensure_cause_codes()


class Org:
    """A small factory: every department, one person per role, a product with two batches."""

    def __init__(self):
        _ensure_defaults()
        self.site = Site.objects.create(code="sz", name="深圳工厂", city="深圳")
        self.departments = {
            code: Department.objects.create(code=code, name_zh=zh, name_en=en, kind=kind)
            for code, zh, en, kind in DEPARTMENTS
        }
        self.users = {}
        for username, (role, dept) in PEOPLE.items():
            user = User(
                username=username,
                role=role,
                department=self.departments.get(dept),
                display_name=username,
                is_staff=role == Role.ADMINISTRATOR,
                is_superuser=role == Role.ADMINISTRATOR,
            )
            user.set_password(PASSWORD)
            user.save()
            self.users[username] = user
        self.customer = Customer.objects.create(code="C001", name="华东汽车零部件有限公司")
        self.product = Product.objects.create(
            code="P100", name="电机控制器", model="MC-200", product_line="控制器", site=self.site
        )
        self.other_product = Product.objects.create(
            code="P200", name="充电模块", model="CH-60", product_line="电源", site=self.site
        )
        self.batch = Batch.objects.create(
            product=self.product,
            lot_number="L2026-0301",
            production_date=date(2026, 3, 1),
            site=self.site,
            quantity=5000,
        )
        self.other_batch = Batch.objects.create(
            product=self.other_product,
            lot_number="L2026-0402",
            production_date=date(2026, 4, 2),
            site=self.site,
            quantity=800,
        )

    def __getitem__(self, username) -> User:
        return self.users[username]

    def complaint_data(self, **overrides) -> dict:
        data = {
            "category_id": Category.objects.get(code="appearance").pk,
            "title": "控制器外壳开裂",
            "description": "客户收货后发现3台电机控制器外壳开裂，影响装配。",
            "complainant_name": "王经理",
            "complainant_org": "华东汽车零部件有限公司",
            "complainant_phone": "13800000000",
            "customer_id": self.customer.pk,
            "product_id": self.product.pk,
            "batch_id": self.batch.pk,
            "quantity": 3,
            "channel": "phone",
        }
        data.update(overrides)
        return data

    def register(self, actor="cs", **overrides):
        return services.register_complaint(
            actor=self.users[actor] if isinstance(actor, str) else actor,
            data=self.complaint_data(**overrides),
        )

    def advance(self, complaint, *names, actor="qe", **inputs):
        """Take transitions in order with filler inputs; returns the fresh complaint."""
        for name in names:
            t = workflow.BY_NAME[name]
            # Fill what the gates ask for, only where the transition may be taken at all.
            if _complaint_of(complaint).status in t.sources:
                if name == "approve_plan":
                    self.plan_capa(complaint)
                if name == "close":
                    self.finish_actions(complaint)
            filled = {k: inputs.get(k, f"{name}: {k}") for k in t.requires}
            if t.signed:
                filled["password"] = inputs.get("password", PASSWORD)
                filled["meaning"] = inputs.get("meaning", t.meanings[0])
            complaint = services.transition_complaint(
                actor=self.users[actor] if isinstance(actor, str) else actor,
                complaint_id=complaint.pk,
                name=name,
                **filled,
            )
        return complaint

    def plan_capa(self, complaint) -> None:
        """What the plan gate asks for: a root cause and a corrective action, if missing."""
        complaint = _complaint_of(complaint)
        if not has_root_cause(complaint):
            investigation.set_root_cause(
                actor=self.users["qe"],
                complaint_id=complaint.pk,
                statement="注塑保压时间不足，外壳内应力过大",
                responsible_department_id=self.departments["prod"].pk,
            )
        if not action_summary(complaint).corrective:
            capa.plan_action(
                actor=self.users["qe"],
                complaint_id=complaint.pk,
                type="corrective",
                title="调整注塑保压参数",
                owner_id=self.users["prod_head"].pk,
                department_id=self.departments["prod"].pk,
                due_date=timezone.localdate() + timedelta(days=14),
                expected_effect="外壳开裂不再发生",
                effectiveness_criteria="连续三批抽检无开裂",
            )

    def finish_actions(self, complaint) -> None:
        """What the close gate asks for: every action done and, if serious, verified."""
        complaint = _complaint_of(complaint)
        for action in actions_for(complaint):
            if action.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, "ineffective"):
                capa.complete_action(actor=self.users["qe"], action_id=action.pk, note="已完成")
                action.refresh_from_db()
            if action.status == ActionStatus.DONE and complaint.severity in (1, 2):
                capa.check_effectiveness(
                    actor=self.users["qe"],
                    action_id=action.pk,
                    method="抽检三批",
                    result="无开裂",
                    rating="effective",
                )


def _complaint_of(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@contextmanager
def assert_num_queries_at_most(n: int):
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    assert len(ctx.captured_queries) <= n, (
        f"{len(ctx.captured_queries)} queries, expected at most {n}:\n"
        + "\n".join(q["sql"][:200] for q in ctx.captured_queries)
    )


def assert_audit_event(complaint, kind: str, **data):
    """The newest event of ``kind`` on ``complaint`` carries ``data``; returns it."""
    event = ComplaintEvent.objects.filter(complaint=complaint, kind=kind).order_by("-seq").first()
    assert event is not None, f"no {kind} event on {complaint.number}"
    for key, value in data.items():
        actual = event.reason if key == "reason" else event.data.get(key)
        assert actual == value, f"{kind}.{key} = {actual!r}, expected {value!r}"
    return event


def database_snapshot(*labels: str) -> dict:
    """Row counts of every table of accounts, catalog, complaints and the apps ``labels``, to
    show that a refused request wrote nothing."""
    counts = {}
    for label in ("accounts", "catalog", "complaints", *labels):
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


# ---------------------------------------------------------------- clients


def login(user, language: str = "en", **client_kwargs) -> Client:
    """A test client signed in as ``user``, asking for pages in ``language``."""
    client = Client(headers={"Accept-Language": language}, **client_kwargs)
    client.force_login(user)
    return client


def token_for(user) -> str:
    """A new API token of ``user``, as the integration would send it."""
    return ApiToken.issue(user=user, name="test")[1]


def bearer(user_or_token, language: str = "en") -> Client:
    """A test client that calls the API with a bearer token: a new one of a user, or the raw
    token given."""
    raw = user_or_token if isinstance(user_or_token, str) else token_for(user_or_token)
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": language})


# ---------------------------------------------------------------- permission matrix


def assert_sent_to_login(response) -> None:
    """An anonymous page request goes to the login page: a redirect, or for htmx a client
    redirect."""
    assert response.status_code in (200, 302), response.status_code
    location = response.get("HX-Redirect") or response.get("Location", "")
    assert location.startswith("/login/"), location


def permission_matrix(
    send,
    *,
    allowed: Client | None = None,
    wrong: Client | None = None,
    outsider: Client | None = None,
    outsider_status: int = 404,
    api: bool = False,
    writes: bool = True,
    snapshot=database_snapshot,
):
    """Try one request as every kind of visitor: ``send(client)`` makes it.

    Anonymous is sent to log in (401 for the ``api``), the ``wrong`` role gets 403 and the
    ``outsider`` (another department) 404 (or ``outsider_status``: an empty list), each
    leaving ``snapshot()`` as it was; then the
    ``allowed`` user gets 200 and, for ``writes``, changes it. Returns the outsider's and the
    allowed user's responses, for what a test checks beyond the status.
    """
    before = snapshot()
    anonymous = send(Client())
    if api:
        assert anonymous.status_code == 401, anonymous.content[:300]
    else:
        assert_sent_to_login(anonymous)
    assert snapshot() == before
    if wrong is not None:
        response = send(wrong)
        assert response.status_code == 403, response.content[:300]
        assert snapshot() == before
    refused = send(outsider) if outsider is not None else None
    if refused is not None:
        assert refused.status_code == outsider_status, refused.content[:300]
        assert snapshot() == before
    response = send(allowed) if allowed is not None else None
    if response is not None:
        assert response.status_code == 200, response.content[:300]
        if writes:
            assert snapshot() != before
    return refused, response


def in_parallel(n: int, work) -> list:
    """Run ``work(i)`` for i in range(n) in n threads released at once.

    Each thread uses, then closes, its own database connection. Returns each result, or the
    exception that thread raised, in order; a thread that hangs fails after 60 s.
    """
    barrier = threading.Barrier(n, timeout=30)

    def run(i):
        try:
            barrier.wait()
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(run, i) for i in range(n)]
        return [f.exception(timeout=60) or f.result() for f in futures]


def run_worker(max_tasks: int = 200) -> int:
    """Run the real database worker in this process until no task is due; returns how many
    ran. Works inside a test's transaction: the worker's connection recycling is skipped."""
    worker = db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
    return worker._run_tasks


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- a real browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium():
    """Debian's Chromium, driven by Playwright (whose own browser download is not used)."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    # Imported here: only the browser tests load Playwright.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            # Playwright gives the browser a fresh, empty profile of its own.
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def new_page(browser, **options):
    """A page in a browser context of its own (``locale=`` and the like), 1400×1000."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, **options)
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page, url: str, username: str, *, lands_on: str | None = None) -> None:
    """Open ``url``, which asks to sign in, sign in as ``username`` and wait to land on
    ``lands_on`` (a regular expression; by default ``url`` itself)."""
    page.goto(url)
    assert "/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action$='/login/'] button[type=submit]")
    page.wait_for_url(re.compile(lands_on or re.escape(url) + "$"))


# ---------------------------------------------------------------- OpenAPI (schemathesis)

# What every endpoint must keep of its OpenAPI document, for the fuzzed requests.
SCHEMA_CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
FUZZ = hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def token_headers(user) -> dict:
    """Headers that call the API with a new token of ``user``."""
    return {"Authorization": f"Bearer {token_for(user)}"}


def aim(case, ids: dict) -> None:
    """Point about half the generated path parameters at real records (``ids``, by parameter
    name), so 2xx answers are checked too."""
    params = case.path_parameters or {}
    if zlib.crc32(repr(sorted(params.items())).encode()) % 2:
        return
    for name in params:
        if name in ids:
            params[name] = ids[name]


# ---------------------------------------------------------------- SMTP


def use_smtp(settings, port: int) -> None:
    """Send mail through the SMTP server on 127.0.0.1:``port``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


class SmtpInbox(Message):
    """What the test SMTP server received, as ``email.message.Message`` objects."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@contextmanager
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that the app's mail goes to, while the block runs."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    use_smtp(settings, controller.port)
    try:
        yield inbox
    finally:
        controller.stop()
