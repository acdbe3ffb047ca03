from django.urls import path

from . import views

urlpatterns = [
    path("frister/", views.my_deadlines, name="my_deadlines"),
    path("ke/frister/", views.ke_deadlines, name="ke_deadlines"),
    path("frister/forste-kontakt/<int:pk>/", views.first_contact_record, name="first_contact_record"),
    path("frister/forste-kontakt/<int:pk>/forleng/", views.deadline_extend, name="deadline_extend"),
    path("varsler/", views.notification_list, name="notifications"),
    path("varsler/lest/", views.notifications_mark_read, name="notifications_mark_read"),
]
