from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "helhet.plans"
    label = "plans"

    def ready(self):
        # Plan-group membership is a relationship fact for the access policy (see access_facts.py).
        from helhet.access.queries import register_branch_provider

        from .access_facts import plan_participant_branch

        register_branch_provider(plan_participant_branch)
