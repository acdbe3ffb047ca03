from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "helhet.workspace"
    label = "workspace"
