"""Demo data: a believable manufacturer and two years of complaint history.

The organisation (plants, departments, people, customers, suppliers, products, batches) is
master data and is created directly, once. Every complaint is built only through the
complaint services, each call run ``with clock.at(moment)`` so the record reads like real
history: received, acknowledged within hours, each stage taking believable days. Older
complaints are mostly closed; recent ones stand in every stage.

``build(complaints=, seed=)`` is deterministic for a given seed and "now".
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.db import transaction
from django.utils import timezone

from qualityloop.accounts.choices import DepartmentKind, Role
from qualityloop.accounts.models import Department, User
from qualityloop.capa import queries as capa_queries
from qualityloop.capa import services as capa
from qualityloop.capa.choices import ActionStatus
from qualityloop.catalog.choices import CustomerKind, CustomerTier
from qualityloop.catalog.models import Batch, Contact, Customer, Product, Site, Supplier
from qualityloop.complaints import services, workflow
from qualityloop.complaints.choices import CLAIM_OR_RETURN, Channel, Scope, Severity, TaskStatus
from qualityloop.complaints.models import Category, Complaint, StageTask
from qualityloop.complaints.workflow import FINAL, Status
from qualityloop.core import backfill, clock
from qualityloop.investigation import access as investigation_access
from qualityloop.investigation import services as investigation
from qualityloop.sla import clocks as sla_clocks
from qualityloop.sla import escalation

from . import texts as text

DEMO_PASSWORD = "demo-2026"  # noqa: S105 - printed on purpose; demo accounts only
DEMO_HASH_ITERATIONS = 1000
DEFAULT_SEED = 2026
HISTORY_DAYS = 730

SITES = (("suzhou", "苏州工厂", "苏州", "SZ"), ("dongguan", "东莞工厂", "东莞", "DG"))

# code, Chinese name, English name, kind, site
DEPARTMENTS = (
    ("customer-service", "客服部", "Customer service", DepartmentKind.CUSTOMER_SERVICE, None),
    ("quality", "质量部", "Quality", DepartmentKind.QUALITY, None),
    ("tech-support", "技术支持部", "Technical support", DepartmentKind.TECHNICAL_SUPPORT, None),
    ("production-suzhou", "苏州生产部", "Production Suzhou", DepartmentKind.PRODUCTION, "suzhou"),
    (
        "production-dongguan",
        "东莞生产部",
        "Production Dongguan",
        DepartmentKind.PRODUCTION,
        "dongguan",
    ),
    ("rnd", "研发部", "R&D", DepartmentKind.RND, None),
    ("purchasing", "采购部", "Purchasing", DepartmentKind.PURCHASING, None),
    ("logistics", "物流部", "Logistics", DepartmentKind.LOGISTICS, None),
    ("management", "总经办", "Management", DepartmentKind.MANAGEMENT, None),
)

# username, display name, role, department code, job title
PEOPLE = (
    ("zhangli", "张丽", Role.CUSTOMER_SERVICE, "customer-service", "客服专员"),
    ("chenjing", "陈静", Role.CUSTOMER_SERVICE, "customer-service", "客服专员"),
    ("wangqiang", "王强", Role.QUALITY_ENGINEER, "quality", "质量经理"),
    ("liuyang", "刘洋", Role.QUALITY_ENGINEER, "quality", "质量工程师"),
    ("zhaomin", "赵敏", Role.QUALITY_ENGINEER, "quality", "质量工程师"),
    ("sunwei", "孙伟", Role.DEPARTMENT_HEAD, "tech-support", "技术支持经理"),
    ("zhoujie", "周杰", Role.DEPARTMENT_MEMBER, "tech-support", "现场服务工程师"),
    ("wufang", "吴芳", Role.DEPARTMENT_MEMBER, "tech-support", "应用工程师"),
    ("xugang", "徐刚", Role.DEPARTMENT_HEAD, "production-suzhou", "苏州生产经理"),
    ("huchao", "胡超", Role.DEPARTMENT_MEMBER, "production-suzhou", "工艺工程师"),
    ("linhai", "林海", Role.DEPARTMENT_HEAD, "production-dongguan", "东莞生产经理"),
    ("huangting", "黄婷", Role.DEPARTMENT_MEMBER, "production-dongguan", "工艺工程师"),
    ("guojun", "郭军", Role.DEPARTMENT_HEAD, "rnd", "研发经理"),
    ("heyu", "何宇", Role.DEPARTMENT_MEMBER, "rnd", "硬件工程师"),
    ("maliang", "马良", Role.DEPARTMENT_HEAD, "purchasing", "采购经理"),
    ("luoxin", "罗欣", Role.DEPARTMENT_MEMBER, "purchasing", "供应商质量工程师"),
    ("zhengbo", "郑波", Role.DEPARTMENT_HEAD, "logistics", "物流经理"),
    ("xieli", "谢丽", Role.DEPARTMENT_MEMBER, "logistics", "仓储主管"),
    ("gaoming", "高明", Role.EXECUTIVE, "management", "总经理"),
    ("yangfan", "杨帆", Role.EXECUTIVE, "management", "副总经理（分管质量）"),
    ("admin", "系统管理员", Role.ADMINISTRATOR, None, "系统管理员"),
)
QUALITY_MANAGER = "wangqiang"
# Who takes the signed transitions (verify, close, reopen) in the stories.
SIGNING_ROLES = (Role.QUALITY_ENGINEER, Role.CUSTOMER_SERVICE)
LEAD_EXECUTIVES = {"suzhou": "gaoming", "dongguan": "yangfan"}
# Which bone of the fishbone a responsible department's causes usually sit on.
FISHBONE_BONE = {
    "production": "method",
    "purchasing": "material",
    "rnd": "method",
    "logistics": "environment",
    "quality": "measurement",
    "technical_support": "man",
}

DEPARTMENT_FOR_KEY = {
    text.PURCHASING: "purchasing",
    text.RND: "rnd",
    text.LOGISTICS: "logistics",
    text.TECHNICAL_SUPPORT: "tech-support",
    text.QUALITY: "quality",
    text.CUSTOMER_SERVICE: "customer-service",
}

LINE_MOTOR, LINE_CONTROLLER, LINE_SERVO, LINE_POWER = (
    "驱动电机",
    "电机控制器",
    "伺服系统",
    "电源与充电",
)
ALL_LINES = (LINE_MOTOR, LINE_CONTROLLER, LINE_SERVO, LINE_POWER)

# code, name, short name, kind, tier, region, product lines, contacts (name, title, phone, e-mail)
CUSTOMERS = (
    (
        "KH001",
        "沪宁新能源客车有限公司",
        "沪宁客车",
        CustomerKind.OEM,
        CustomerTier.KEY,
        "江苏常州",
        (LINE_MOTOR, LINE_CONTROLLER, LINE_POWER),
        (
            ("李建国", "采购经理", "0519-8600 1021", "lijianguo@huning-bus.example"),
            ("陈晓燕", "供应商质量工程师", "0519-8600 1088", "chenxiaoyan@huning-bus.example"),
        ),
    ),
    (
        "KH002",
        "鹏程电动工具股份有限公司",
        "鹏程工具",
        CustomerKind.OEM,
        CustomerTier.KEY,
        "浙江永康",
        (LINE_CONTROLLER,),
        (("周海涛", "质量部长", "0579-8712 3301", "zhouhaitao@pengcheng-tools.example"),),
    ),
    (
        "KH003",
        "粤海暖通设备有限公司",
        "粤海暖通",
        CustomerKind.OEM,
        CustomerTier.STANDARD,
        "广东佛山",
        (LINE_SERVO, LINE_CONTROLLER),
        (("梁志强", "设备主管", "0757-2233 5407", "liangzhiqiang@yuehai-hvac.example"),),
    ),
    (
        "KH004",
        "北辰物流装备有限公司",
        "北辰装备",
        CustomerKind.OEM,
        CustomerTier.KEY,
        "天津",
        (LINE_CONTROLLER, LINE_SERVO, LINE_MOTOR),
        (
            ("孙立伟", "品质经理", "022-5881 6620", "sunliwei@beichen-agv.example"),
            ("刘畅", "来料检验组长", "022-5881 6634", "liuchang@beichen-agv.example"),
        ),
    ),
    (
        "KH005",
        "青禾农机制造有限公司",
        "青禾农机",
        CustomerKind.OEM,
        CustomerTier.STANDARD,
        "山东潍坊",
        (LINE_MOTOR, LINE_CONTROLLER),
        (("王德顺", "技术科长", "0536-7650 2218", "wangdeshun@qinghe-agri.example"),),
    ),
    (
        "KH006",
        "启明智能装备有限公司",
        "启明智能",
        CustomerKind.OEM,
        CustomerTier.STANDARD,
        "广东深圳",
        (LINE_SERVO,),
        (("黄嘉豪", "研发工程师", "0755-2698 4410", "huangjiahao@qiming-robot.example"),),
    ),
    (
        "KH007",
        "长风新能源科技有限公司",
        "长风新能源",
        CustomerKind.OEM,
        CustomerTier.KEY,
        "安徽合肥",
        (LINE_POWER,),
        (("赵雪梅", "SQE经理", "0551-6377 9051", "zhaoxuemei@changfeng-ev.example"),),
    ),
    (
        "KH008",
        "华南机电贸易有限公司",
        "华南机电",
        CustomerKind.DISTRIBUTOR,
        CustomerTier.STANDARD,
        "广东广州",
        ALL_LINES,
        (("何伟明", "销售经理", "020-3412 7785", "heweiming@huanan-me.example"),),
    ),
    (
        "KH009",
        "西部动力设备经销有限公司",
        "西部动力",
        CustomerKind.DISTRIBUTOR,
        CustomerTier.STANDARD,
        "四川成都",
        ALL_LINES,
        (("唐小军", "售后主管", "028-8506 3326", "tangxiaojun@xibu-power.example"),),
    ),
    (
        "KH010",
        "中原工控器材有限公司",
        "中原工控",
        CustomerKind.DISTRIBUTOR,
        CustomerTier.SMALL,
        "河南郑州",
        (LINE_CONTROLLER, LINE_SERVO),
        (("韩磊", "总经理", "0371-6590 1147", "hanlei@zhongyuan-ic.example"),),
    ),
    (
        "KH011",
        "东北电气销售服务有限公司",
        "东北电气",
        CustomerKind.DISTRIBUTOR,
        CustomerTier.SMALL,
        "辽宁沈阳",
        ALL_LINES,
        (("于洪波", "经理", "024-2281 9630", "yuhongbo@dongbei-elec.example"),),
    ),
    (
        "KH012",
        "顺达电动车维修中心",
        "顺达维修",
        CustomerKind.END_USER,
        CustomerTier.SMALL,
        "江苏无锡",
        (LINE_MOTOR, LINE_CONTROLLER, LINE_POWER),
        (("钱卫东", "店主", "0510-8520 4471", "qianweidong@shunda-repair.example"),),
    ),
)
CUSTOMER_WEIGHTS = {
    CustomerKind.OEM: 6,
    CustomerKind.DISTRIBUTOR: 3,
    CustomerKind.END_USER: 1,
    CustomerKind.RETAILER: 1,
}

# code, name, model, line, family, site, warranty months
PRODUCTS = (
    ("QM-110", "永磁同步驱动电机", "TZ180XS-60", LINE_MOTOR, text.MOTOR, "suzhou", 36),
    ("QM-220", "扁线驱动电机", "TZ220XF-120", LINE_MOTOR, text.MOTOR, "suzhou", 36),
    ("QC-350", "电机控制器", "MCU-350A", LINE_CONTROLLER, text.DRIVE, "suzhou", 24),
    ("QC-072", "低压电机控制器", "MCU-72V-200A", LINE_CONTROLLER, text.DRIVE, "dongguan", 18),
    ("QS-075", "交流伺服电机", "SM80-075", LINE_SERVO, text.MOTOR, "dongguan", 18),
    ("QS-040", "交流伺服电机", "SM60-040", LINE_SERVO, text.MOTOR, "dongguan", 18),
    ("QS-D20", "伺服驱动器", "SD-20A", LINE_SERVO, text.DRIVE, "dongguan", 18),
    ("QP-DC25", "车载DC/DC变换器", "DC-2K5", LINE_POWER, text.POWER, "suzhou", 24),
    ("QP-OBC66", "车载充电机", "OBC-6.6K", LINE_POWER, text.POWER, "suzhou", 24),
    ("QP-CM30", "充电模块", "CM-30K", LINE_POWER, text.POWER, "dongguan", 24),
)
BATCHES_PER_PRODUCT = 4

SUPPLIERS = (
    ("GYS01", "宁远磁材科技有限公司", "钕铁硼磁钢", "许经理 0574-8890 1120"),
    ("GYS02", "恒通电磁线有限公司", "漆包线", "蒋工 0512-6675 3308"),
    ("GYS03", "立芯半导体（无锡）有限公司", "IGBT模块、电源芯片", "沈经理 0510-8816 2049"),
    ("GYS04", "鸿泰电子元件有限公司", "电解电容、薄膜电容", "彭小姐 0769-2290 6613"),
    ("GYS05", "佳源精密压铸有限公司", "铝合金壳体", "方厂长 0769-8301 5576"),
    ("GYS06", "瑞丰包装材料有限公司", "纸箱、泡沫内衬", "邱经理 0512-5720 8841"),
    ("GYS07", "华锐精密轴承有限公司", "深沟球轴承", "曹工 0379-6425 1193"),
    ("GYS08", "速联连接器有限公司", "连接器、线束端子", "叶经理 0755-2761 3350"),
)

CHANNEL_WEIGHTS = {
    Channel.PHONE: 30,
    Channel.EMAIL: 24,
    Channel.VISIT: 6,
    Channel.LETTER: 5,
    Channel.WEB: 12,
    Channel.CHAT: 8,
    Channel.API: 5,
    Channel.INTERNAL: 6,
    Channel.SOCIAL: 2,
}
# Channels that carry the complainant's e-mail and get the automatic acknowledgement.
EMAILED = frozenset({Channel.EMAIL, Channel.WEB, Channel.API})
# Channels that only come in while the office is open.
OFFICE_HOURS_CHANNELS = frozenset({Channel.PHONE, Channel.VISIT, Channel.LETTER, Channel.INTERNAL})

# What complainants ask for, by category: nobody asks for a repair of a late delivery.
PRODUCT_REMEDIES = {
    "replacement": 28,
    "repair": 18,
    "explanation": 20,
    "return": 10,
    "claim": 7,
    "compensation": 4,
    "refund": 3,
    "other": 4,
    "": 6,
}
REMEDY_WEIGHTS = {
    "packaging": {"replacement": 40, "return": 15, "explanation": 25, "claim": 5, "other": 15},
    "delivery": {"replacement": 25, "explanation": 30, "compensation": 15, "other": 20, "": 10},
    "service-attitude": {"explanation": 60, "other": 25, "": 15},
    "documentation": {"explanation": 40, "other": 40, "": 20},
}
SCOPE_WEIGHTS = {Scope.UNIT: 45, Scope.CUSTOMER: 36, Scope.BATCH: 16, Scope.MANY_CUSTOMERS: 3}

# Hours a stage takes for (critical, major, minor): low and high ends.
STAGE_HOURS = {
    Status.INTAKE: ((0.2, 1.5), (0.5, 8), (0.5, 20)),
    Status.CLASSIFICATION: ((0.5, 4), (1, 20), (2, 26)),
    Status.DIAGNOSIS: ((6, 24), (12, 48), (20, 72)),
    Status.ROOT_CAUSE: ((48, 96), (72, 192), (72, 240)),
    Status.CAPA_PLANNING: ((24, 96), (48, 168), (48, 168)),
    Status.EXECUTION: ((72, 240), (120, 480), (120, 504)),
    Status.VERIFICATION: ((168, 504), (168, 720), (120, 600)),
    Status.KNOWLEDGE: ((24, 96), (24, 144), (24, 144)),
    Status.CLOSED: ((168, 1080), (168, 1080), (168, 1080)),
}
STAGE_EXIT = {
    Status.INTAKE: "acknowledge",
    Status.CLASSIFICATION: "confirm_grade",
    Status.DIAGNOSIS: "complete_diagnosis",
    Status.ROOT_CAUSE: "complete_root_cause",
    Status.CAPA_PLANNING: "approve_plan",
    Status.EXECUTION: "complete_execution",
}
FULL_LOOP = (
    Status.INTAKE,
    Status.CLASSIFICATION,
    Status.DIAGNOSIS,
    Status.ROOT_CAUSE,
    Status.CAPA_PLANNING,
    Status.EXECUTION,
)
OPEN_STAGES = (*FULL_LOOP, Status.VERIFICATION, Status.KNOWLEDGE)
WORKDAY_START, WORKDAY_END = time(8, 30), time(18, 30)


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    role: str
    department: str
    title: str
    created: bool


@dataclass(frozen=True)
class Result:
    complaints: int
    logins: list[Login]


@dataclass
class Visit:
    stage: str
    exit: str | None
    hours: float = 0.0


@dataclass
class Plan:
    fate: str  # closed, fcr, rejected, reopened, open
    received_at: datetime
    channel: str
    target: str | None = None
    stale: bool = False
    elapsed: float = 0.0  # hours already spent in the target stage of an open complaint
    customer: Customer | None = None
    contact: Contact | None = None
    product: Product | None = None
    batch: Batch | None = None
    problem: text.Problem | None = None
    quick: text.QuickCase | None = None
    rejection: text.Rejection | None = None
    repeat_of: "Plan | None" = None
    data: dict = field(default_factory=dict)
    slots: dict = field(default_factory=dict)
    category: Category | None = None
    category_at_intake: bool = True
    severity: int = Severity.MINOR
    override: tuple[int, str] | None = None
    fail_verification: bool = False
    short_close: bool = False
    visits: list[Visit] = field(default_factory=list)


def build(
    *, complaints: int = 300, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> Result:
    """Create (or reuse) the demo organisation and add ``complaints`` complaints to it."""
    now = (now or timezone.now()).astimezone(UTC).replace(second=0, microsecond=0)
    builder = _Builder(seed, now)
    logins = builder.organisation()
    plans = builder.plan(complaints)
    # Two years are built in a minute: deadline tasks are queued once at the end, for the
    # clocks still running, rather than one per clock as the story goes.
    with backfill.backfilling():
        for plan in plans:
            with transaction.atomic():
                _Story(builder, plan).play()
    sla_clocks.schedule_running()
    for complaint in Complaint.objects.exclude(status__in=FINAL).only("pk", "received_at"):
        escalation.schedule_major_case_check(complaint)
    return Result(complaints=len(plans), logins=logins)


class SignersChanged(Exception):
    """An existing demo account that signs no longer has the demo password."""


def _demo_password_hash() -> str:
    """One hash (salt included) for every demo account, of few PBKDF2 rounds: the demo checks
    the password at each of its hundreds of signatures, which Argon2 would make take minutes.
    Django replaces it with an Argon2 hash at the account's first login."""
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(DEMO_PASSWORD, hasher.salt(), iterations=DEMO_HASH_ITERATIONS)


def _check_signers(existing: dict[str, User]) -> None:
    """The demo signs as its quality engineers and customer service with the demo password;
    an existing account of theirs with another password cannot sign, so nothing is built."""
    changed = [
        username
        for username, _name, role, _dept, _title in PEOPLE
        if role in SIGNING_ROLES
        and username in existing
        and not check_password(DEMO_PASSWORD, existing[username].password)
    ]
    if changed:
        raise SignersChanged(
            f"The demo signs its decisions with the password {DEMO_PASSWORD}, which these "
            "existing accounts no longer have: " + ", ".join(changed)
        )


def _local(day: date, at: time) -> datetime:
    # Event hashes cover the moment's ISO text and the database hands moments back in UTC,
    # so every moment given to the clock is kept in UTC.
    return timezone.make_aware(datetime.combine(day, at)).astimezone(UTC)


def _office_hours(moment: datetime, rng: random.Random) -> datetime:
    """The same moment if the office is open, else a random time on the next working day."""
    local = timezone.localtime(moment)
    if local.weekday() < 5 and WORKDAY_START <= local.time() < WORKDAY_END:
        return moment
    day = local.date() + timedelta(days=0 if local.time() < WORKDAY_START else 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return _local(day, WORKDAY_START) + timedelta(minutes=rng.randint(0, 150))


def _next_office_moment(moment: datetime) -> datetime:
    """Push an off-hours moment into the first 40 minutes of the next working day, keeping
    the order of moments within one off period, so staff do not work at 3 a.m."""
    local = timezone.localtime(moment)
    if local.weekday() < 5 and WORKDAY_START <= local.time() < WORKDAY_END:
        return moment
    day = local.date() + timedelta(days=0 if local.time() < WORKDAY_START else 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opening = _local(day, WORKDAY_START)
    waited = (opening - moment).total_seconds()
    return opening + timedelta(minutes=40 * max(0.0, 1 - waited / (64 * 3600)))


def _month_day(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日"


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _severity_index(severity: int) -> int:
    return {Severity.CRITICAL: 0, Severity.MAJOR: 1}.get(severity, 2)


def _stage_hours(rng: random.Random, stage: str, severity: int) -> float:
    low, high = STAGE_HOURS[stage][_severity_index(severity)]
    return rng.triangular(low, high, low + (high - low) * 0.3)


def _typical_hours(stage: str) -> float:
    low, high = STAGE_HOURS[stage][2]
    return low + (high - low) * 0.43


class _Builder:
    def __init__(self, seed: int, now: datetime):
        self.seed = seed
        self.now = now
        self.rng = random.Random(seed)
        self.override_turn = 0

    # ------------------------------------------------------------ organisation

    def organisation(self) -> list[Login]:
        rng = random.Random(f"{self.seed}-organisation")
        existing = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
        _check_signers(existing)
        self.sites = {}
        for code, name, city, _prefix in SITES:
            site, _ = Site.objects.get_or_create(code=code, defaults={"name": name, "city": city})
            self.sites[code] = site
        self.site_prefix = {self.sites[code].pk: prefix for code, _, _, prefix in SITES}
        self.departments = {}
        for code, zh, en, kind, site in DEPARTMENTS:
            self.departments[code], _ = Department.objects.get_or_create(
                code=code,
                defaults={
                    "name_zh": zh,
                    "name_en": en,
                    "kind": kind,
                    "site": self.sites[site] if site else None,
                },
            )
        self.people: dict[str, User] = {}
        logins = []
        hashed = None
        for username, name, role, dept, title in PEOPLE:
            user = existing.get(username)
            created = user is None
            if created:
                user = User(
                    username=username,
                    display_name=name,
                    role=role,
                    department=self.departments.get(dept),
                    is_staff=role == Role.ADMINISTRATOR,
                    is_superuser=role == Role.ADMINISTRATOR,
                )
                if hashed is None:
                    hashed = _demo_password_hash()
                user.password = hashed
                user.save()
            self.people[username] = user
            department = self.departments.get(dept)
            logins.append(
                Login(
                    username,
                    name,
                    str(Role(role).label),
                    department.name_zh if department else "",
                    title,
                    created,
                )
            )
        self._staff_by_role()
        # Seed 001: each plant has its own lead executive.
        for code, username in LEAD_EXECUTIVES.items():
            site = self.sites[code]
            if site.lead_executive_id is None:
                site.lead_executive = self.people[username]
                site.save(update_fields=["lead_executive"])

        self.customers = []
        for code, name, short, kind, tier, region, lines, contacts in CUSTOMERS:
            customer, created = Customer.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "tier": tier, "region": region}
            )
            if created:
                Contact.objects.bulk_create(
                    Contact(customer=customer, name=n, title=t, phone=p, email=e)
                    for n, t, p, e in contacts
                )
            customer.short_name, customer.lines = short, lines
            customer.demo_contacts = list(customer.contacts.all())
            self.customers.append(customer)
        for code, name, material, contact in SUPPLIERS:
            Supplier.objects.get_or_create(
                code=code, defaults={"name": name, "material": material, "contact": contact}
            )

        self.products = []
        for code, name, model, line, family, site, warranty in PRODUCTS:
            product, _ = Product.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "model": model,
                    "product_line": line,
                    "site": self.sites[site],
                    "warranty_months": warranty,
                },
            )
            product.family = family
            self.products.append(product)
        self.batches = {p.pk: list(p.batches.order_by("production_date")) for p in self.products}
        for index, product in enumerate(self.products, start=1):
            if self.batches[product.pk]:
                continue
            for k in range(BATCHES_PER_PRODUCT):
                made = (self.now - timedelta(days=790 - k * 190 - rng.randint(0, 150))).date()
                prefix = self.site_prefix[product.site_id]
                self.batches[product.pk].append(
                    Batch.objects.create(
                        product=product,
                        lot_number=f"{prefix}{made:%y%m%d}-{index:02d}",
                        production_date=made,
                        site=product.site,
                        quantity=rng.randrange(300, 5000, 50),
                    )
                )
            self.batches[product.pk].sort(key=lambda b: b.production_date)
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        return logins

    def _staff_by_role(self):
        people = self.people
        self.cs = [u for u in people.values() if u.role == Role.CUSTOMER_SERVICE]
        self.qe = [u for u in people.values() if u.role == Role.QUALITY_ENGINEER]
        self.executives = [u for u in people.values() if u.role == Role.EXECUTIVE]
        self.quality_manager = people[QUALITY_MANAGER]

    def heads(self, department: Department) -> list[User]:
        return [
            u
            for u in self.people.values()
            if u.department_id == department.pk and u.role == Role.DEPARTMENT_HEAD
        ]

    def members(self, department: Department) -> list[User]:
        return [
            u
            for u in self.people.values()
            if u.department_id == department.pk and u.role != Role.DEPARTMENT_HEAD
        ]

    def department(self, key: str, product: Product | None) -> Department:
        if key == text.PRODUCTION:
            site = product.site if product else self.sites["suzhou"]
            return self.departments[f"production-{site.code}"]
        return self.departments[DEPARTMENT_FOR_KEY[key]]

    # ------------------------------------------------------------ planning

    def plan(self, n: int) -> list[Plan]:
        plans = [self._timed(fate, target, stale) for fate, target, stale in self._fates(n)]
        plans.sort(key=lambda p: p.received_at)
        for index, plan in enumerate(plans):
            self._content(plan, plans[:index])
            self._schedule(plan)
        return plans

    def _fates(self, n: int) -> list[tuple[str, str | None, bool]]:
        """What becomes of each complaint; small demos still show every state."""
        rng = self.rng
        n_open = min(n, max(10, round(n * 0.14)))
        targets = list(OPEN_STAGES)
        targets += rng.choices(
            OPEN_STAGES, weights=(2, 2, 4, 4, 3, 4, 3, 1), k=max(0, n_open - len(targets))
        )
        fates = [("open", target, False) for target in targets[:n_open]]
        rest = n - len(fates)
        weights = {"closed": 66, "fcr": 14, "rejected": 9, "reopened": 5, "stale": 6}
        chosen = [_weighted(rng, weights) for _ in range(rest)]
        for index, required in enumerate(("closed", "fcr", "rejected", "reopened", "stale")):
            if index < rest and required not in chosen:
                chosen[chosen.index(_most_common(chosen))] = required
        for fate in chosen:
            if fate == "stale":
                stage = rng.choice((Status.ROOT_CAUSE, Status.CAPA_PLANNING, Status.EXECUTION))
                fates.append(("open", stage, True))
            else:
                fates.append((fate, None, False))
        rng.shuffle(fates)
        return fates

    def _timed(self, fate: str, target: str | None, stale: bool) -> Plan:
        rng = self.rng
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        plan = Plan(fate=fate, received_at=self.now, channel=channel, target=target, stale=stale)
        if fate == "open" and not stale:
            plan.elapsed = _typical_hours(target) * rng.uniform(0.1, 0.8)
            before = sum(_typical_hours(s) for s in OPEN_STAGES[: OPEN_STAGES.index(target)])
            hours = before * rng.uniform(0.7, 1.3) + plan.elapsed
        else:
            low, high = {
                "closed": (75, HISTORY_DAYS),
                "reopened": (170, HISTORY_DAYS),
                "open": (45, 150),
            }.get(fate, (1, HISTORY_DAYS))
            hours = 24 * (low + (high - low) * rng.random() ** 1.2)
        received = self.now - timedelta(hours=hours)
        if channel in OFFICE_HOURS_CHANNELS:
            moved = _office_hours(received, rng)
            if moved < self.now - timedelta(minutes=20):
                received = moved
        plan.received_at = received.replace(second=0, microsecond=0)
        if fate == "open" and not stale:
            plan.elapsed = min(plan.elapsed, (self.now - plan.received_at).total_seconds() / 3600)
        return plan

    def _content(self, plan: Plan, earlier: list[Plan]):
        rng = self.rng
        received = plan.received_at
        internal = plan.channel == Channel.INTERNAL
        repeatable = [
            p
            for p in earlier
            if p.batch is not None
            and p.problem is not None
            and timedelta(days=20) < received - p.received_at < timedelta(days=300)
        ]
        if plan.fate in ("closed", "open", "reopened") and repeatable and rng.random() < 0.12:
            source = rng.choice(repeatable)
            plan.repeat_of = source
            plan.product, plan.batch, plan.problem = source.product, source.batch, source.problem
            if source.customer and not internal and rng.random() < 0.7:
                plan.customer = source.customer
            else:
                plan.customer = None if internal else self._customer_for(plan.product)
        else:
            plan.customer = None if internal else self._customer(rng)
            if plan.fate == "fcr":
                plan.quick = rng.choice(text.QUICK_CASES)
                plan.product = rng.choice(self._products_of(plan.customer))
            else:
                plan.problem, plan.product = self._problem(plan.customer)
            plan.batch = self._batch(plan)
        plan.contact = rng.choice(plan.customer.demo_contacts) if plan.customer else None
        if plan.fate == "rejected":
            plan.rejection = self._rejection(plan)
        self._flags_and_data(plan)

    def _customer(self, rng) -> Customer:
        weights = [CUSTOMER_WEIGHTS[c.kind] for c in self.customers]
        return rng.choices(self.customers, weights=weights)[0]

    def _customer_for(self, product: Product) -> Customer:
        fits = [c for c in self.customers if product.product_line in c.lines]
        return self.rng.choice(fits)

    def _products_of(self, customer: Customer | None) -> list[Product]:
        lines = customer.lines if customer else ALL_LINES
        return [p for p in self.products if p.product_line in lines]

    def _problem(self, customer):
        rng = self.rng
        products = self._products_of(customer)
        while True:
            category = _weighted(rng, text.CATEGORY_WEIGHTS)
            candidates = [
                (problem, product)
                for problem in text.PROBLEMS
                if problem.category == category
                for product in products
                if product.family in problem.families
                and (not problem.products or product.code in problem.products)
            ]
            if candidates:
                return rng.choice(candidates)

    def _batch(self, plan: Plan) -> Batch | None:
        rng = self.rng
        chance = 0.85 if (plan.problem and plan.problem.category in _PRODUCT_CATEGORIES) else 0.2
        if rng.random() > chance:
            return None
        day = timezone.localdate(plan.received_at)
        made = [
            b
            for b in self.batches[plan.product.pk]
            if timedelta(days=10) <= day - b.production_date <= timedelta(days=540)
        ]
        if not made:
            return None
        return made[-1] if rng.random() < 0.6 else rng.choice(made)

    def _rejection(self, plan: Plan) -> text.Rejection:
        """A reason that fits the complaint: out of warranty only without a known batch."""
        fits = [r for r in text.REJECTIONS if plan.problem.category in r.categories]
        warranty = [r for r in fits if r.key == "warranty"]
        if warranty and plan.batch is None and self.rng.random() < 0.3:
            return warranty[0]
        return self.rng.choice([r for r in fits if r.key != "warranty"])

    def _flags_and_data(self, plan: Plan):
        rng = self.rng
        problem, quick, product = plan.problem, plan.quick, plan.product
        customer, contact = plan.customer, plan.contact
        received = plan.received_at
        internal = plan.channel == Channel.INTERNAL
        category_code = quick.category if quick else problem.category

        if quick:
            scope, line_down, remedy = Scope.UNIT, False, rng.choice(("explanation", "other", ""))
        else:
            scope = _weighted(rng, SCOPE_WEIGHTS)
            if problem.category in ("service-attitude", "documentation", "delivery"):
                scope = min(scope, Scope.CUSTOMER)
            line_down = (
                customer is not None
                and customer.kind == CustomerKind.OEM
                and problem.category in ("function", "performance", "delivery", "safety")
                and rng.random() < 0.15
            )
            weights = REMEDY_WEIGHTS.get(problem.category, PRODUCT_REMEDIES)
            remedy = "" if internal else _weighted(rng, weights)
        quantity = {
            Scope.UNIT: 1,
            Scope.CUSTOMER: rng.randint(2, 20),
            Scope.BATCH: rng.randint(20, 300),
            Scope.MANY_CUSTOMERS: rng.randint(30, 500),
        }[scope]

        warranty = product.warranty_months
        if plan.rejection and plan.rejection.key == "warranty":
            purchase = timezone.localdate(received) - timedelta(
                days=31 * warranty + rng.randint(20, 200)
            )
        elif plan.batch:
            earliest = plan.batch.production_date + timedelta(days=5)
            latest = timezone.localdate(received) - timedelta(days=2)
            purchase = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
            purchase = min(purchase, latest)
        else:
            purchase = timezone.localdate(received) - timedelta(days=rng.randint(10, 300))
        occurred = received - timedelta(hours=rng.uniform(1, 96))
        occurred = max(occurred, _local(purchase, time(12)))
        occurred = min(occurred, received)

        place_kind = "internal" if internal else (customer.kind if customer else "oem")
        site = product.site
        slots = {
            "product": product.name,
            "model": product.model,
            "ident": f"（型号{product.model}，批号{plan.batch.lot_number}）"
            if plan.batch
            else f"（型号{product.model}）",
            "lot": plan.batch.lot_number if plan.batch else "",
            "lot_text": f"批号{plan.batch.lot_number}" if plan.batch else "最近一批",
            "qty": quantity,
            "qty_text": f"{quantity}台" if quantity > 1 else "一台",
            "qty2": quantity,
            "place": rng.choice(text.PLACES[place_kind]),
            "when": rng.choice(("昨天", "前天", "本周一", "上周", _month_day(occurred))),
            "rpm": rng.choice((1500, 2800, 3200, 4500, 6000)),
            "hours": rng.choice((40, 120, 300, 800)),
            "temp": rng.choice((85, 95, 105)),
            "room_temp": rng.choice((38, 40, 42, 45)),
            "pct": rng.randint(5, 15),
            "vib": rng.choice((4.5, 6.3, 7.1, 11.2)),
            "volt": rng.choice((0.5, 1, 1.5, 2)),
            "eff": rng.choice((92.1, 93.4, 94.0)),
            "mv": rng.choice((180, 250, 320)),
            "n1": quantity + rng.randint(1, 6),
            "n2": quantity,
            "due": _month_day(received - timedelta(days=rng.randint(3, 12))),
            "days": rng.randint(3, 12),
            "n": rng.randint(3, 8),
            "page": rng.randint(8, 46),
            "code": rng.choice(("E07", "Er.16", "AL.021", "F-31")),
            "customer": customer.name if customer else site.name,
            "customer_short": customer.short_name if customer else site.name,
            "contact": contact.name if contact else "",
            "site": site.name,
            "letter_no": f"QF-{timezone.localtime(received):%Y}-{rng.randint(10, 999):03d}",
            "hours_down": rng.choice((2, 3, 4, 6, 8)),
            "n_checked": rng.randint(30, 400),
            "n_bad": rng.randint(3, 25),
            "amount": f"{rng.randint(2, 60) * 5000:,}",
        }
        if internal:
            staff = rng.choice(
                [u for u in self.people.values() if u.role == Role.DEPARTMENT_MEMBER]
            )
            slots["contact"] = str(staff)
            name, org, phone, email = str(staff), f"{site.name}", "", ""
            complainant_type = "employee"
        else:
            name, org = contact.name, customer.name
            phone = contact.phone
            email = contact.email if plan.channel in EMAILED else ""
            complainant_type = (
                "distributor" if customer.kind == CustomerKind.DISTRIBUTOR else "customer"
            )
        plan.slots = slots
        repeat = plan.repeat_of is not None

        if quick:
            title = _fill(quick.title, slots)
            description = _fill(quick.description, slots)
        else:
            slots["symptom"] = problem.symptom
            patterns = text.REPEAT_TITLES if repeat else text.TITLES
            if not plan.batch or problem.category not in _PRODUCT_CATEGORIES:
                patterns = [p for p in patterns if "{lot}" not in p]
            title = _fill(rng.choice(patterns), slots)
            description = self._description(plan, scope, line_down, remedy, repeat)

        plan.category = self.categories.get(category_code)
        plan.category_at_intake = bool(quick) or internal or rng.random() < 0.7
        data = {
            "title": title[:200],
            "description": description,
            "complainant_name": name,
            "complainant_org": org,
            "complainant_phone": phone,
            "complainant_email": email,
            "complainant_type": complainant_type,
            "customer_id": customer.pk if customer else None,
            "product_id": product.pk,
            "batch_id": plan.batch.pk if plan.batch else None,
            "serial_number": _serial(rng, product, plan.batch) if scope == Scope.UNIT else "",
            "quantity": quantity,
            "purchase_date": purchase,
            "occurred_at": occurred,
            "occurred_place": slots["place"],
            "requested_remedy": remedy,
            "requested_remedy_detail": _fill(text.REMEDY_DETAILS.get(remedy, ""), slots),
            "immediate_action": _fill(rng.choice(text.IMMEDIATE_ACTIONS), slots)
            if scope >= Scope.BATCH or rng.random() < 0.2
            else "",
            "channel": plan.channel,
            "safety_or_regulatory": bool(problem and problem.safety),
            "scope": scope,
            "line_down": line_down,
        }
        if plan.category_at_intake:
            data["category_id"] = plan.category.pk if plan.category else None
        if not repeat:
            # Intake judged it a new failure even when the batch had other complaints.
            data["is_repeat"] = False
        plan.data = data
        plan.severity = _expected_grade(data, repeat)
        if plan.fate == "fcr" and plan.severity != Severity.MINOR:
            plan.fate = "closed"
        self._decide_path(plan)

    def _description(self, plan, scope, line_down, remedy, repeat) -> str:
        rng, slots = self.rng, plan.slots
        first_person = plan.channel in text.FIRST_PERSON_CHANNELS
        key = "first_person" if first_person else plan.channel
        opener = rng.choice(text.OPENERS.get(key, text.OPENERS["phone"]))
        parts = [opener, plan.problem.detail]
        if line_down:
            parts.append(rng.choice(text.IMPACT_LINE_DOWN))
        if scope == Scope.BATCH:
            parts.append(rng.choice(text.IMPACT_BATCH))
        elif scope == Scope.MANY_CUSTOMERS:
            parts.append(rng.choice(text.IMPACT_MANY))
        if repeat:
            parts.append(rng.choice(text.IMPACT_REPEAT))
        if remedy:
            parts.append(rng.choice(text.DEMANDS[remedy]))
        if first_person and rng.random() < 0.4:
            parts.append(rng.choice(text.EMOTIONS))
        return "".join(_fill(p, slots) for p in parts)

    def _decide_path(self, plan: Plan):
        rng = self.rng
        # Every 12th eligible complaint gets its grade overridden, so small demos show one too.
        eligible = plan.fate in ("closed", "reopened", "open") and plan.target not in (
            Status.INTAKE,
            Status.CLASSIFICATION,
        )
        if eligible:
            self.override_turn += 1
        if eligible and self.override_turn % 12 == 1:
            if plan.severity == Severity.MINOR:
                plan.override = (Severity.MAJOR, rng.choice(text.OVERRIDE_UP))
            elif (
                plan.severity == Severity.MAJOR
                and plan.data["requested_remedy"] in CLAIM_OR_RETURN
                and plan.data["scope"] < Scope.BATCH
                and plan.repeat_of is None
            ):
                plan.override = (Severity.MINOR, rng.choice(text.OVERRIDE_DOWN))
        graded = plan.override[0] if plan.override else plan.severity
        plan.fail_verification = plan.fate == "closed" and rng.random() < 0.08
        plan.short_close = plan.fate != "open" and graded == Severity.MINOR and rng.random() < 0.35

        if plan.fate == "fcr":
            stages = [Visit(Status.INTAKE, "close_at_first_contact")]
            if rng.random() < 0.4:
                stages = [
                    Visit(Status.INTAKE, "acknowledge"),
                    Visit(Status.CLASSIFICATION, "close_at_first_contact"),
                ]
        elif plan.fate == "rejected":
            where = {
                "duplicate": (Status.INTAKE, Status.CLASSIFICATION),
                "warranty": (Status.CLASSIFICATION,),
            }.get(plan.rejection.key, (Status.CLASSIFICATION, Status.DIAGNOSIS, Status.DIAGNOSIS))
            end = rng.choice(where)
            stages = [Visit(s, STAGE_EXIT[s]) for s in FULL_LOOP[: FULL_LOOP.index(end)]]
            stages.append(Visit(end, "reject"))
        else:
            stages = [Visit(s, STAGE_EXIT[s]) for s in FULL_LOOP]
            if plan.fail_verification:
                stages += [
                    Visit(Status.VERIFICATION, "fail_verification"),
                    Visit(Status.EXECUTION, "complete_execution"),
                ]
            stages += self._closing(plan)
            if plan.fate == "reopened":
                stages.append(Visit(Status.CLOSED, "reopen"))
                stages += [Visit(s, STAGE_EXIT[s]) for s in FULL_LOOP[2:]]
                stages += [Visit(Status.VERIFICATION, "verify"), Visit(Status.KNOWLEDGE, "close")]
            if plan.fate == "open":
                cut = next(i for i, v in enumerate(stages) if v.stage == plan.target)
                stages = stages[: cut + 1]
                stages[-1].exit = None
        plan.visits = stages

    def _closing(self, plan: Plan) -> list[Visit]:
        if plan.short_close:
            return [Visit(Status.VERIFICATION, "close")]
        return [Visit(Status.VERIFICATION, "verify"), Visit(Status.KNOWLEDGE, "close")]

    def _schedule(self, plan: Plan):
        """Give each visit its hours, fitted into the time between receipt and now."""
        rng = self.rng
        graded = plan.override[0] if plan.override else plan.severity
        for index, visit in enumerate(plan.visits):
            severity = plan.severity if index < 2 else graded
            visit.hours = _stage_hours(rng, visit.stage, severity)
            if plan.stale and index >= 3:
                visit.hours *= rng.uniform(1.5, 2.5)
        budget = (self.now - plan.received_at).total_seconds() / 3600
        if plan.fate == "open":
            prior = plan.visits[:-1]
            spent = sum(v.hours for v in prior)
            room = budget * (0.5 if plan.stale else 1) - (0 if plan.stale else plan.elapsed)
            if spent and (not plan.stale or spent > room):
                factor = max(room, 0) / spent
                for visit in prior:
                    visit.hours *= factor
        else:
            total = sum(v.hours for v in plan.visits)
            room = max(budget - 1, budget * 0.9)
            if total > room:
                for visit in plan.visits:
                    visit.hours *= room / total


_PRODUCT_CATEGORIES = frozenset({"appearance", "function", "performance", "safety", "packaging"})


def _most_common(items: list[str]) -> str:
    return max(set(items), key=lambda item: (items.count(item), item))


def _expected_grade(data: dict, repeat: bool) -> int:
    """The grade the active rules will give, so a first-contact close stays minor."""
    probe = Complaint(
        safety_or_regulatory=data["safety_or_regulatory"],
        scope=data["scope"],
        line_down=data["line_down"],
        is_repeat=repeat,
        requested_remedy=data["requested_remedy"],
    )
    return services.compute_grade(probe)[0]


def _serial(rng: random.Random, product: Product, batch: Batch | None) -> str:
    made = batch.production_date if batch else date(2024, 1, 1)
    return f"{product.model.split('-')[0]}{made:%y%m%d}{rng.randint(1, 4999):04d}"


class _Slots(dict):
    def __missing__(self, key):
        raise KeyError(f"demo text uses an unknown slot {{{key}}}")


def _fill(template: str, slots: dict) -> str:
    return template.format_map(_Slots(slots)) if template else ""


class _Story:
    """Plays one plan through the services, moving the clock along its visits."""

    def __init__(self, builder: _Builder, plan: Plan):
        self.b = builder
        self.plan = plan
        self.rng = builder.rng
        self.now = builder.now
        self.last = plan.received_at
        rng = self.rng
        self.cs = rng.choice(builder.cs)
        self.qe = rng.choice(builder.qe)
        tech = builder.departments["tech-support"]
        self.ts_head = builder.heads(tech)[0]
        self.ts_member = rng.choice(builder.members(tech))
        self.front = self.qe if plan.channel == Channel.INTERNAL else self.cs
        problem = plan.problem
        self.responsible = (
            builder.department(problem.responsible, plan.product) if problem else None
        )
        owning = self.responsible or builder.departments["quality"]
        heads, members = builder.heads(owning), builder.members(owning)
        # Head and member of the department that owns the CAPA stages.
        self.head = heads[0] if heads else None
        self.member = rng.choice(members) if members else self.qe
        self.complaint: Complaint | None = None
        self.open_extra = None

    # ------------------------------------------------------------ timing

    def _run(self, moment: datetime, action: Callable[[], object], *, optional=False):
        """Run ``action`` at ``moment``, moved into office hours where the past allows and
        never before the previous event. An ``optional`` action that office hours would push
        past now has simply not happened yet."""
        moved = _next_office_moment(moment)
        if moved > self.now:
            if optional:
                return None
            moved = moment
        self.last = max(moved, self.last + timedelta(seconds=1))
        with clock.at(self.last):
            result = action()
        if isinstance(result, Complaint):
            self.complaint = result
        return result

    # ------------------------------------------------------------ the story

    def play(self):
        plan = self.plan
        with clock.at(plan.received_at):
            self.complaint = services.register_complaint(
                actor=self.qe if plan.channel == Channel.INTERNAL else self.cs, data=plan.data
            )
        self._fill_late_slots()
        if plan.data["complainant_email"]:
            with clock.at(plan.received_at + timedelta(minutes=self.rng.randint(1, 3))):
                services.mark_acknowledgement_sent(complaint_id=self.complaint.pk)
            self.last = plan.received_at + timedelta(minutes=3)
        self._urgent_follow_up()
        start = plan.received_at
        for index, visit in enumerate(plan.visits):
            end = start + timedelta(hours=visit.hours)
            current = plan.fate == "open" and index == len(plan.visits) - 1
            for fraction, action in sorted(self._inside(visit, index), key=lambda a: a[0]):
                moment = start + timedelta(hours=visit.hours * fraction)
                if moment <= self.now:
                    self._run(moment, action, optional=current)
            if visit.exit and not current:
                self._run(end, lambda visit=visit: self._exit(visit))
            start = end

    def _urgent_follow_up(self):
        """Seed 001: the response meeting within the hour, the report within the day."""
        follow_up = (
            (escalation.MEETING_TASK_TITLE, timedelta(minutes=self.rng.randint(30, 55))),
            (escalation.REPORT_TASK_TITLE, timedelta(hours=self.rng.randint(3, 20))),
        )
        for title, after in follow_up:
            task = self.complaint.tasks.filter(title=title, status="open").first()
            if task is None:
                continue
            outcome = text.URGENT_FOLLOW_UP[title]
            self._run(
                self.plan.received_at + after,
                lambda task=task, outcome=outcome: services.complete_task(
                    actor=self.qe, task_id=task.pk, outcome=outcome
                ),
                optional=True,
            )

    def _fill_late_slots(self):
        plan, rng, slots = self.plan, self.rng, self.plan.slots
        c = self.complaint
        problem = plan.problem
        slots.update(number=c.number, title=c.title)
        responsible = self.responsible
        heads = self.b.heads(responsible) if responsible else []
        slots.update(
            dept=responsible.name_zh if responsible else "质量部",
            owner=str(heads[0]) if heads else str(self.qe),
            date=_month_day(plan.received_at + timedelta(days=rng.randint(1, 5))),
            plan_due=_month_day(plan.received_at + timedelta(days=rng.randint(20, 40))),
            onsite=rng.choice(("是，已安排工程师到现场", "否，寄回样件分析即可")),
            containment=rng.choice(text.CONTAINMENT),
            remedy_plan=_fill(
                text.REMEDY_PLANS.get(plan.data["requested_remedy"] or "other", ""), slots
            ),
        )
        if problem:
            slots["diagnosis"] = _fill(problem.diagnosis, slots)
            slots["diagnosis_short"] = problem.cause
            for name in ("whys", "cause", "fix", "prevent", "check", "lesson"):
                slots[name] = _fill(getattr(problem, name), slots)

    def _inside(self, visit: Visit, index: int) -> list[tuple[float, Callable]]:
        """The work done while the complaint sits in a stage, as (fraction of stage, action)."""
        plan, rng, b = self.plan, self.rng, self.b
        stage = visit.stage
        actions: list[tuple[float, Callable]] = []
        internal = plan.channel == Channel.INTERNAL
        second_loop = plan.fate == "reopened" and any(
            v.stage == Status.CLOSED for v in plan.visits[:index]
        )
        if stage == Status.INTAKE and rng.random() < 0.1:
            actions.append((0.5, lambda: self._comment(self.cs, "cs")))
        elif stage == Status.CLASSIFICATION:
            if plan.override:
                severity, reason = plan.override
                actions.append(
                    (
                        0.4,
                        lambda: services.override_grade(
                            actor=self.qe,
                            complaint_id=self.complaint.pk,
                            severity=severity,
                            reason=reason,
                        ),
                    )
                )
            if not plan.category_at_intake:
                actions.append((0.7, self._categorise))
        elif stage == Status.DIAGNOSIS:
            actions.append((0.03, lambda: self._assign(self.ts_head, self.ts_member)))
            if rng.random() < 0.3:
                actions.append((0.4, lambda: self._comment(self.ts_member, "ts")))
            if visit.exit != "reject":
                interim = text.INTERNAL_INTERIM_ANSWERS if internal else text.INTERIM_ANSWERS
                actions.append((0.85, lambda: self._answer(interim)))
            if plan.severity == Severity.CRITICAL and rng.random() < 0.7:
                actions.append((0.3, lambda: self._comment(rng.choice(b.executives), "exec")))
            if second_loop:
                actions.append((0.1, lambda: self._comment(self.cs, "reopen")))
        elif stage == Status.ROOT_CAUSE:
            actions.append((0.05, lambda: self._assign(b.quality_manager, self.qe)))
            if plan.problem.extra and not second_loop:
                actions.append((0.15, self._add_extra_task))
                actions.append((0.75, self._complete_extra_task))
            if rng.random() < 0.3:
                actions.append((0.5, lambda: self._comment(self.qe, "qe")))
            if not second_loop:
                actions.append((0.92, self._set_responsible))
        elif stage == Status.EXECUTION:
            # The head plans the actions himself and hands their execution to a member.
            actions.append((0.08, lambda: self._assign(self.head or self.qe, self.member)))
            if rng.random() < 0.35:
                actions.append((0.5, lambda: self._comment(self.member, "dept")))
        elif stage == Status.VERIFICATION:
            if visit.exit == "fail_verification":
                actions.append((0.9, lambda: self._comment(self.qe, "fail")))
            else:
                final = text.INTERNAL_FINAL_ANSWERS if internal else text.FINAL_ANSWERS
                actions.append((0.8, lambda: self._answer(final)))
        return actions

    def _exit(self, visit: Visit):
        plan, rng = self.plan, self.rng
        name = visit.exit
        self._structured(name)
        if name == "close_at_first_contact":
            return self._transition(self.front, name, answer=_fill(plan.quick.answer, plan.slots))
        if name == "reject":
            r = plan.rejection
            return self._transition(
                rng.choice((self.cs, self.qe)),
                name,
                reason=_fill(r.reason, plan.slots),
                explanation=_fill(r.explanation, plan.slots),
            )
        if name == "acknowledge":
            return self._transition(self.front, name)
        if name == "confirm_grade":
            return self._transition(rng.choice((self.front, self.qe)), name)
        if name == "reopen":
            return self._transition(self.cs, name, reason=rng.choice(text.REOPEN_REASONS))
        if name == "fail_verification":
            return self._transition(self.qe, name, reason=rng.choice(text.FAIL_VERIFICATION))
        if (
            name == "close"
            and self.complaint.status == Status.VERIFICATION
            and (self.complaint.severity != Severity.MINOR)
        ):
            self._transition(self.qe, "verify", outcome=self._outcome(text.VERIFICATION))
        outcomes = {
            "complete_diagnosis": text.DIAGNOSIS,
            "complete_root_cause": text.ROOT_CAUSE,
            "approve_plan": text.PLAN,
            "complete_execution": text.EXECUTION,
            "verify": text.VERIFICATION,
            "close": text.LESSONS,
        }
        actor = {
            "complete_diagnosis": self.ts_member,
            "approve_plan": self.head or self.qe,
            "complete_execution": self.member,
        }.get(name, self.qe)
        if actor.role not in (Role.QUALITY_ENGINEER, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER):
            actor = self.qe
        return self._transition(actor, name, outcome=self._outcome(outcomes[name]))

    # ------------------------------------------------------------ investigation and CAPA

    def _structured(self, name: str) -> None:
        """The 5-Why, fishbone, root cause and actions behind the stage outcomes."""
        problem = self.plan.problem
        if problem is None:
            return
        if name == "complete_root_cause":
            self._investigate()
        elif name == "approve_plan":
            self._plan_actions()
        elif name == "complete_execution":
            for action in capa_queries.actions_for(self.complaint):
                if action.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, "ineffective"):
                    capa.complete_action(
                        actor=self.qe, action_id=action.pk, note=_fill(problem.fix, self.plan.slots)
                    )
        elif name == "fail_verification":
            corrective = capa_queries.actions_for(self.complaint).filter(type="corrective").first()
            if corrective is not None and corrective.status == ActionStatus.DONE:
                capa.check_effectiveness(
                    actor=self._verifier(corrective),
                    action_id=corrective.pk,
                    method="复查客户端使用情况和厂内抽检",
                    result=self.rng.choice(text.FAIL_VERIFICATION),
                    rating="not_effective",
                )
        elif name in ("verify", "close"):
            for action in capa_queries.actions_for(self.complaint):
                if action.status == ActionStatus.DONE:
                    capa.check_effectiveness(
                        actor=self._verifier(action),
                        action_id=action.pk,
                        method="跟踪后续批次抽检和客户反馈",
                        result=_fill(problem.check, self.plan.slots),
                        rating="effective",
                    )

    def _verifier(self, action):
        """A quality engineer who is not the action's owner."""
        if action.owner_id != self.qe.pk:
            return self.qe
        return next(u for u in self.b.qe if u.pk != action.owner_id)

    def _investigate(self):
        problem, slots = self.plan.problem, self.plan.slots
        if investigation_access.has_root_cause(self.complaint):
            return
        chain = [part.strip() for part in problem.whys.split("→") if part.strip()]
        steps = [
            {"why": f"为什么{chain[i]}？", "because": chain[i + 1]} for i in range(len(chain) - 1)
        ]
        if steps:
            investigation.add_why_chain(
                actor=self.qe,
                complaint_id=self.complaint.pk,
                kind="occurrence",
                problem=chain[0],
                steps=steps,
            )
        bone = FISHBONE_BONE.get(problem.responsible, "method")
        cause = investigation.add_fishbone_cause(
            actor=self.qe,
            complaint_id=self.complaint.pk,
            category=bone,
            text=_fill(problem.cause, slots)[:200],
            is_root=True,
        )
        if len(chain) > 2:
            investigation.add_fishbone_cause(
                actor=self.qe,
                complaint_id=self.complaint.pk,
                category=None,
                parent_id=cause.pk,
                text=chain[-2][:200],
            )
        department = self.responsible or self.b.departments["quality"]
        investigation.set_root_cause(
            actor=self.qe,
            complaint_id=self.complaint.pk,
            statement=_fill(problem.cause, slots),
            responsible_department_id=department.pk,
        )

    def _plan_actions(self):
        problem, slots = self.plan.problem, self.plan.slots
        if capa_queries.action_summary(self.complaint).corrective:
            return
        department = self.responsible or self.b.departments["quality"]
        owner = self.head or self.member
        today = clock.now().date()
        for kind, title, days in (
            ("corrective", problem.fix, 14),
            ("preventive", problem.prevent, 30),
        ):
            capa.plan_action(
                actor=self.qe,
                complaint_id=self.complaint.pk,
                type=kind,
                title=_fill(title, slots)[:200],
                description=_fill(title, slots),
                owner_id=owner.pk,
                department_id=department.pk,
                due_date=today + timedelta(days=days),
                expected_effect=_fill(problem.lesson, slots)[:500],
                effectiveness_criteria=_fill(problem.check, slots),
            )

    # ------------------------------------------------------------ service calls

    def _transition(self, actor: User, name: str, **inputs) -> Complaint:
        meanings = workflow.BY_NAME[name].meanings
        if meanings:
            inputs.update(meaning=meanings[0], password=DEMO_PASSWORD)
        self.complaint = services.transition_complaint(
            actor=actor, complaint_id=self.complaint.pk, name=name, **inputs
        )
        return self.complaint

    def _outcome(self, frames) -> str:
        return _fill(self.rng.choice(frames), self._dated_slots())

    def _dated_slots(self) -> dict:
        """Slots with dates counted from the moment of writing (a reopened case plans anew)."""
        today = clock.now()
        self.plan.slots.update(
            date=_month_day(today + timedelta(days=self.rng.randint(1, 5))),
            plan_due=_month_day(today + timedelta(days=self.rng.randint(14, 30))),
        )
        return self.plan.slots

    def _assign(self, actor: User, assignee: User):
        task = (
            StageTask.objects.filter(
                complaint_id=self.complaint.pk, kind="stage", status=TaskStatus.OPEN
            )
            .values_list("pk", "department_id")
            .first()
        )
        if task is None or task[1] != assignee.department_id:
            return None
        return services.assign_task(actor=actor, task_id=task[0], assignee_id=assignee.pk)

    def _answer(self, frames):
        return services.record_customer_answer(
            actor=self.cs, complaint_id=self.complaint.pk, text=self._outcome(frames)
        )

    def _comment(self, actor: User, kind: str):
        body = _fill(self.rng.choice(text.COMMENTS[kind]), self._dated_slots())
        return services.add_comment(actor=actor, complaint_id=self.complaint.pk, body=body)

    def _categorise(self):
        return services.update_complaint(
            actor=self.front,
            complaint_id=self.complaint.pk,
            changes={"category_id": self.plan.category.pk},
            reason=self.rng.choice(text.CATEGORY_REASONS),
        )

    def _set_responsible(self):
        return services.update_complaint(
            actor=self.qe,
            complaint_id=self.complaint.pk,
            changes={"responsible_department_id": self.responsible.pk},
            reason=self.rng.choice(text.RESPONSIBILITY_REASONS),
        )

    def _add_extra_task(self):
        key, title, _ = self.plan.problem.extra
        department = self.b.department(key, self.plan.product)
        members = self.b.members(department) or self.b.heads(department)
        assignee = self.rng.choice(members)
        self.open_extra = services.add_task(
            actor=self.qe,
            complaint_id=self.complaint.pk,
            department_id=department.pk,
            title=title,
            due_at=clock.now() + timedelta(days=self.rng.randint(3, 7)),
            assignee_id=assignee.pk,
        )

    def _complete_extra_task(self):
        task = self.open_extra
        if task is None:
            return None
        actor = task.assignee
        if actor.role not in (Role.DEPARTMENT_MEMBER, Role.DEPARTMENT_HEAD):
            actor = self.qe
        outcome = _fill(self.plan.problem.extra[2], self.plan.slots)
        self.open_extra = None
        return services.complete_task(actor=actor, task_id=task.pk, outcome=outcome)


def print_logins(result: Result, write: Callable[[str], None]) -> None:
    """The demo accounts, for the command's output."""
    width = max(len(login.username) for login in result.logins)
    write(f"Demo logins (password for every new account: {DEMO_PASSWORD})")
    for login in result.logins:
        note = "" if login.created else "  (existing account, password unchanged)"
        department = login.department or "-"
        write(
            f"  {login.username.ljust(width)}  {login.name}  {login.role} · {department} · "
            f"{login.title}{note}"
        )
