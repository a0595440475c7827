from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CustomerKind, CustomerTier


class Site(models.Model):
    """A plant. Seed 001 routes complaints by the plant that made the product."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)
    lead_executive = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead executive"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Major and critical complaints on this plant's products are escalated to them."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.OEM
    )
    tier = models.CharField(
        _("tier"), max_length=20, choices=CustomerTier.choices, default=CustomerTier.STANDARD
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"


class Product(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model"), max_length=100, db_index=True)
    product_line = models.CharField(_("product line"), max_length=100, db_index=True)
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} {self.model}"


class Batch(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="batches"
    )
    lot_number = models.CharField(_("lot number"), max_length=60)
    production_date = models.DateField(_("production date"))
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["-production_date"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="batch_unique_lot")
        ]

    def __str__(self) -> str:
        return self.lot_number


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    material = models.CharField(_("material supplied"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name
