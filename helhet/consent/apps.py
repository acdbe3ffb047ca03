from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "helhet.consent"
    label = "consent"
