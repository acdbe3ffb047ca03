from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "helhet.organizations"
    label = "organizations"
