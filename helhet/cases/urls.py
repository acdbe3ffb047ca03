from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.my_persons, name="my_persons"),
    path("ke/", views.ke_overview, name="ke_overview"),
    path("ke/oversikt/<slug:name>/", views.ke_list, name="ke_list"),
    path("personer/<int:pk>/informert/", views.information_record, name="information_record"),
    path("samtykker/<int:pk>/trekk-tilbake/", views.consent_withdraw, name="consent_withdraw"),
    path("personer/<int:pk>/henvendelser/ny/", views.request_create, name="request_create"),
    path("henvendelser/<int:pk>/", views.request_detail, name="request_detail"),
    path("henvendelser/<int:pk>/vurdering/", views.assessment_create, name="assessment_create"),
    path("henvendelser/<int:pk>/avgjorelse/", views.decision_create, name="decision_create"),
    path("henvendelser/<int:pk>/klage/", views.appeal_create, name="appeal_create"),
    path("klager/<int:pk>/status/", views.appeal_advance, name="appeal_advance"),
    path("personer/<int:pk>/koordinator/ny/", views.coordinator_appoint, name="coordinator_appoint"),
    path("koordinatoroppdrag/<int:pk>/bytt/", views.coordinator_handover, name="coordinator_handover"),
    path("koordinatoroppdrag/<int:pk>/avslutt/", views.coordinator_end, name="coordinator_end"),
    path("personer/<int:pk>/kontaktlege/ny/", views.contact_doctor_record, name="contact_doctor_record"),
    path("kontaktleger/<int:pk>/oppnevn/", views.contact_doctor_appoint, name="contact_doctor_appoint"),
    path("personer/<int:pk>/forlopskoordinator/ny/", views.pathway_coordinator_record, name="pathway_coordinator_record"),
    path("personer/<int:pk>/samordningsansvar/ny/", views.coordination_lead_decide, name="coordination_lead_decide"),
]
