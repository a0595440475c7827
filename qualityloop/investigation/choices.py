from django.db import models
from django.utils.translation import gettext_lazy as _


class Disposition(models.TextChoices):
    PENDING = "pending", _("Pending")
    REWORK = "rework", _("Rework")
    SCRAP = "scrap", _("Scrap")
    RETURN_TO_CUSTOMER = "return_to_customer", _("Return to customer")
    RETURN_TO_SUPPLIER = "return_to_supplier", _("Return to supplier")
    USE_AS_IS = "use_as_is", _("Use as is")


class ContainmentScope(models.TextChoices):
    """Where suspect product is held: the four places a containment has to reach."""

    AT_CUSTOMER = "at_customer", _("At the customer")
    IN_TRANSIT = "in_transit", _("In transit")
    IN_STOCK = "in_stock", _("In stock")
    IN_PRODUCTION = "in_production", _("In production")


class WhyKind(models.TextChoices):
    OCCURRENCE = "occurrence", _("Occurrence (发生原因)")
    ESCAPE = "escape", _("Escape (流出原因)")


class FishboneCategory(models.TextChoices):
    """The 6M of the fishbone: 人、机、料、法、环、测."""

    MAN = "man", _("Man (人)")
    MACHINE = "machine", _("Machine (机)")
    MATERIAL = "material", _("Material (料)")
    METHOD = "method", _("Method (法)")
    ENVIRONMENT = "environment", _("Environment (环)")
    MEASUREMENT = "measurement", _("Measurement (测)")


# The Chinese character each bone of the fishbone is labelled with, in every language.
FISHBONE_MARK = {
    FishboneCategory.MAN: "人",
    FishboneCategory.MACHINE: "机",
    FishboneCategory.MATERIAL: "料",
    FishboneCategory.METHOD: "法",
    FishboneCategory.ENVIRONMENT: "环",
    FishboneCategory.MEASUREMENT: "测",
}
# The word beside the character in English.
FISHBONE_WORD = {
    FishboneCategory.MAN: _("Man"),
    FishboneCategory.MACHINE: _("Machine"),
    FishboneCategory.MATERIAL: _("Material"),
    FishboneCategory.METHOD: _("Method"),
    FishboneCategory.ENVIRONMENT: _("Environment"),
    FishboneCategory.MEASUREMENT: _("Measurement"),
}
