from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "helhet.coordination"
    label = "coordination"

    def ready(self):
        # A need notification's response is a computed deadline (deadlines.py). Open coordination items are
        # relationship facts for the access policy: helhet/access/facts.py reads them.
        from helhet.rules.deadlines import register_provider

        from .deadlines import need_notification_deadlines

        register_provider(need_notification_deadlines)
