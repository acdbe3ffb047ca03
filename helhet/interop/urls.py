"""FHIR R4 under /fhir/R4/ (helhet/urls.py includes this)."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("metadata", views.metadata, name="fhir_metadata"),
    path("Patient/<str:rid>/$everything", views.patient_everything, name="fhir_patient_everything"),
    path("<str:rtype>/<str:rid>", views.instance_read, name="fhir_read"),
    path("<str:rtype>", views.type_search, name="fhir_search"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="fhir_not_found"),
]
