from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "helhet.cases"
    label = "cases"
