from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "helhet.notifications"
    label = "notifications"

    def ready(self):
        # Deadline providers for first contact, evaluations, measures, appeals and consent expiry
        # (helhet.rules.deadlines.register_provider runs at import).
        from . import providers  # noqa: F401
