from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "helhet.access"
    label = "access"

    def ready(self):
        from .grant_facts import grant_branch
        from .queries import register_branch_provider

        register_branch_provider(grant_branch)
