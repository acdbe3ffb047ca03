from django.urls import path

from . import views

urlpatterns = [
    path("arbeid/involvert/", views.involved, name="workspace_involved"),
    path("arbeid/innboks/", views.inbox, name="workspace_inbox"),
    path("arbeid/kalender/", views.calendar, name="workspace_calendar"),
    path("arbeid/forfalte-frister/", views.overdue, name="workspace_overdue"),
]
