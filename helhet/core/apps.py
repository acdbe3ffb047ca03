from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "helhet.core"
    label = "core"
