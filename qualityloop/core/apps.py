from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualityloop.core"
    label = "core"
