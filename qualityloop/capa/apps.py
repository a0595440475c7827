from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapaConfig(AppConfig):
    name = "qualityloop.capa"
    label = "capa"
    verbose_name = _("Corrective and preventive actions")
