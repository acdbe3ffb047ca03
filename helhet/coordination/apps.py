from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "helhet.coordination"
    label = "coordination"

    def ready(self):
        # A need notification's response and the answer to a transfer sent outside Helhet are computed deadlines (deadlines.py). Open coordination items are
        # relationship facts for the access policy: helhet/access/facts.py reads them.
        from helhet.rules.deadlines import register_provider

        from .deadlines import need_notification_deadlines, transfer_answer_deadlines

        register_provider(need_notification_deadlines)
        register_provider(transfer_answer_deadlines)
