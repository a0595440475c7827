from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    QUALITY_ENGINEER = "quality_engineer", _("Quality engineer")
    DEPARTMENT_MEMBER = "department_member", _("Department member")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    EXECUTIVE = "executive", _("Executive")
    ADMINISTRATOR = "administrator", _("Administrator")


class DepartmentKind(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    QUALITY = "quality", _("Quality")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    PRODUCTION = "production", _("Production")
    RND = "rnd", _("R&D")
    PURCHASING = "purchasing", _("Purchasing")
    LOGISTICS = "logistics", _("Logistics")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")
