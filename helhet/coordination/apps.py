from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "helhet.coordination"
    label = "coordination"

    def ready(self):
        # Open coordination items are relationship facts for the access policy (access_facts.py),
        # and a need notification's response is a computed deadline (deadlines.py).
        from helhet.access.queries import register_branch_provider
        from helhet.rules.deadlines import register_provider

        from .access_facts import coordination_branch
        from .deadlines import need_notification_deadlines

        register_branch_provider(coordination_branch)
        register_provider(need_notification_deadlines)
