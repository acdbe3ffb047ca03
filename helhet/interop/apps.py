from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "helhet.interop"
    label = "interop"
