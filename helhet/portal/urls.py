from django.urls import path

from . import views

urlpatterns = [
    path("min-plan/", views.portal_home, name="portal_home"),
    path("min-plan/<int:person_id>/", views.portal_plan, name="portal_plan"),
    path("min-plan/<int:person_id>/mal/ny/", views.goal_edit, name="portal_goal_add"),
    path("min-plan/<int:person_id>/mal/<int:goal_id>/endre/", views.goal_edit, name="portal_goal_edit"),
    path("min-plan/<int:person_id>/samtykker/", views.consents, name="portal_consents"),
    path("min-plan/<int:person_id>/samtykker/nytt/", views.consent_give, name="portal_consent_give"),
    path("min-plan/<int:person_id>/samtykker/<int:consent_id>/endre/", views.consent_change, name="portal_consent_narrow"),
    path("min-plan/<int:person_id>/samtykker/<int:consent_id>/trekk-tilbake/", views.consent_change, {"withdraw": True},
         name="portal_consent_withdraw"),
    path("min-plan/<int:person_id>/tilgangslogg/", views.access_log, name="portal_access_log"),
    path("min-plan/<int:person_id>/foreldre/", views.parents_information, name="portal_parents_information"),
    path("min-plan/<int:person_id>/moter/<int:meeting_id>/svar/", views.meeting_respond, name="portal_meeting_respond"),
    path("min-plan/<int:person_id>/meldinger/ny/", views.thread_new, name="portal_thread_new"),
    path("min-plan/<int:person_id>/meldinger/<int:thread_id>/", views.thread, name="portal_thread"),
    path("min-plan/<int:person_id>/<slug:slug>/ny/", views.own_item_edit, name="portal_own_add"),
    path("min-plan/<int:person_id>/<slug:slug>/<int:item_id>/endre/", views.own_item_edit, name="portal_own_edit"),
    path("min-plan/<int:person_id>/tiltak/<int:measure_id>/kommentar/", views.measure_comment, name="portal_measure_comment"),
    path("min-plan/<int:person_id>/kartlegging/", views.mapping, name="portal_mapping"),
    path("min-plan/<int:person_id>/dokumenter/", views.documents, name="portal_documents"),
    path("min-plan/<int:person_id>/samtykker/<int:consent_id>/forny/", views.consent_renew, name="portal_consent_renew"),
    path("min-plan/sesjon/forleng/", views.keepalive, name="session_keepalive"),
    path("planer/<int:plan_id>/fra-personen/", views.plan_from_person, name="plan_from_person"),
    path("planer/<int:plan_id>/fra-personen/til-planen/", views.mapping_to_item, name="plan_mapping_to_item"),
    path("personer/<int:person_id>/parorende/<int:relative_id>/innlogging/", views.relative_login, name="relative_login"),
]
