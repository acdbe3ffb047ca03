from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/samtykke/deling/", views.sharing_consent_record, name="sharing_consent_record"),
]
