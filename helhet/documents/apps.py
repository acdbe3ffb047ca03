from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "helhet.documents"
    label = "documents"
