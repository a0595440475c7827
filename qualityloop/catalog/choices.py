from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerTier(models.TextChoices):
    KEY = "key", _("Key account")
    STANDARD = "standard", _("Standard")
    SMALL = "small", _("Small")


class CustomerKind(models.TextChoices):
    OEM = "oem", _("OEM / manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor")
    RETAILER = "retailer", _("Retailer")
    END_USER = "end_user", _("End user")
