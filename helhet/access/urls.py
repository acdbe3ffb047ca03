from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/tilgang/ny/", views.grant_create, name="grant_create"),
    path("tilganger/<int:pk>/trekk-tilbake/", views.grant_revoke, name="grant_revoke"),
]
