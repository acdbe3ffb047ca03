from django.urls import path

from . import views

urlpatterns = [
    path("planer/<int:plan_id>/plangruppe/moter/", views.meeting_list, name="meeting_list"),
    path("planer/<int:plan_id>/plangruppe/moter/nytt/", views.meeting_create, name="meeting_create"),
    path("plangruppe/moter/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("plangruppe/moter/<int:meeting_id>/endre/", views.meeting_edit, name="meeting_edit"),
    path("plangruppe/moter/<int:meeting_id>/avlys/", views.meeting_cancel, name="meeting_cancel"),
    path("plangruppe/moter/<int:meeting_id>/oppmote/", views.attendance, name="meeting_attendance"),
    path("plangruppe/moter/<int:meeting_id>/referat/", views.minutes_write, name="minutes_write"),
    path("plangruppe/moter/<int:meeting_id>/referat/send/", views.minutes_send, name="minutes_send"),
    path("plangruppe/moter/<int:meeting_id>/invitasjon.ics", views.meeting_ics, name="meeting_ics"),
    path("planer/<int:plan_id>/plangruppe/meldinger/", views.thread_list, name="thread_list"),
    path("plangruppe/traader/<int:thread_id>/", views.thread_detail, name="thread_detail"),
]
