from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qualityloop.demo"
    label = "demo"
