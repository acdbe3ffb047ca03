from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:person_id>/dokumenter/", views.person_documents, name="person_documents"),
    path("dokumenter/<int:pk>/", views.document_file, name="document_file"),
    path("vedtak/<int:decision_id>/brev/", views.decision_letter, name="decision_letter"),
]
