from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "helhet.rules"
    label = "rules"
