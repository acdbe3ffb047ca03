from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:person_id>/plan/", views.person_plan, name="person_plan"),
    path("personer/<int:person_id>/plan/ny/", views.plan_create, name="plan_create"),
    path("planer/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("planer/<int:plan_id>/seksjon/<str:key>/", views.plan_section, name="plan_section"),
    path("planer/<int:plan_id>/utskrift/", views.plan_print, name="plan_print"),
    path("planer/<int:plan_id>/periode/", views.plan_period, name="plan_period"),
    path("planer/<int:plan_id>/status/", views.plan_status, name="plan_status"),
    path("planer/<int:plan_id>/publiser/", views.plan_publish, name="plan_publish"),
    path("planer/<int:plan_id>/avslutt/", views.plan_close, name="plan_close"),
    path("planer/<int:plan_id>/gjenapne/", views.plan_reopen, name="plan_reopen"),
    path("planer/<int:plan_id>/versjoner/", views.plan_versions, name="plan_versions"),
    path("planer/<int:plan_id>/versjoner/diff/", views.plan_diff, name="plan_diff"),
    path("planer/<int:plan_id>/mal/<int:item_id>/status/", views.goal_status, name="plan_goal_status"),
    path("planer/<int:plan_id>/tiltak/<int:item_id>/status/", views.measure_status, name="plan_measure_status"),
    path("planer/<int:plan_id>/evalueringer/gjennomfort/", views.evaluation_record, name="plan_evaluation_record_new"),
    path("planer/<int:plan_id>/evalueringer/<int:item_id>/gjennomfort/", views.evaluation_record, name="plan_evaluation_record"),
    path("planer/<int:plan_id>/delplaner/<int:item_id>/fil/", views.subplan_file, name="plan_subplan_file"),
    path("planmaler/", views.plan_templates, name="plan_templates"),
    path("planmaler/ny/", views.plan_template_edit, name="plan_template_new"),
    path("planmaler/<int:template_id>/endre/", views.plan_template_edit, name="plan_template_edit"),
    path("planmaler/<int:template_id>/aktiv/", views.plan_template_active, name="plan_template_active"),
    path("planer/<int:plan_id>/<str:slug>/ny/", views.item_add, name="plan_item_add"),
    path("planer/<int:plan_id>/<str:slug>/<int:item_id>/endre/", views.item_edit, name="plan_item_edit"),
    path("planer/<int:plan_id>/<str:slug>/<int:item_id>/fjern/", views.item_remove, name="plan_item_remove"),
]
