from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/tilgang/ny/", views.grant_create, name="grant_create"),
    path("tilganger/<int:pk>/trekk-tilbake/", views.grant_revoke, name="grant_revoke"),
    path("personer/<int:pk>/motsetter-seg-deling/", views.objection_record, name="objection_record"),
    path("innsigelser/<int:pk>/trekk-tilbake/", views.objection_withdraw, name="objection_withdraw"),
]
