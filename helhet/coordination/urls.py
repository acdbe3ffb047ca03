from django.urls import path

from . import views

urlpatterns = [
    path("ke/meldinger/", views.inbox, name="coordination_inbox"),
    path("meldinger/sendt/", views.outbox, name="coordination_outbox"),
    path("ke/barnekoordinator-18/", views.turning_18, name="coordination_turning_18"),
    path("personer/<int:pk>/samhandling/", views.person_coordination, name="person_coordination"),
    path("personer/<int:pk>/melding-om-behov/ny/", views.need_notification_create, name="need_notification_create"),
    path("personer/<int:pk>/sykehuskoordinator/be-om/", views.hospital_coordinator_request, name="hospital_coordinator_request"),
    path("meldinger/<int:pk>/", views.need_notification_detail, name="need_notification_detail"),
    path("meldinger/<int:pk>/kvitter/", views.need_notification_acknowledge, name="need_notification_acknowledge"),
    path("meldinger/<int:pk>/kvittering/", views.need_notification_receipt, name="need_notification_receipt"),
    path("meldinger/<int:pk>/registrer-henvendelse/", views.need_notification_register, name="need_notification_register"),
    path("meldinger/<int:pk>/svar/", views.need_notification_respond, name="need_notification_respond"),
    path("personer/<int:pk>/overforing/ny/", views.transfer_start, name="transfer_start"),
    path("overforinger/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("overforinger/<int:pk>/sjekkliste/<slug:key>/", views.transfer_item, name="transfer_item"),
    path("overforinger/<int:pk>/fullfor/", views.transfer_complete, name="transfer_complete"),
    path("overforinger/<int:pk>/avbryt/", views.transfer_cancel, name="transfer_cancel"),
    path("overforinger/<int:pk>/hovedansvar/", views.transfer_main_confirm, name="transfer_main_confirm"),
    path("personer/<int:pk>/informer-samarbeidspartnere/", views.partners_inform, name="partners_inform"),
    path("personer/<int:pk>/reservasjon/", views.objection_record, name="partner_objection_record"),
    path("reservasjoner/<int:pk>/trekk-tilbake/", views.objection_withdraw, name="partner_objection_withdraw"),
    path("personer/<int:pk>/uenighet/ny/", views.disagreement_create, name="disagreement_create"),
    path("uenigheter/<int:pk>/", views.disagreement_detail, name="disagreement_detail"),
    path("uenigheter/<int:pk>/avgjor/", views.disagreement_resolve, name="disagreement_resolve"),
]
