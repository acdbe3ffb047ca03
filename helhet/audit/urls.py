from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/tilgangslogg/", views.person_access_log, name="person_access_log"),
    path("ke/uvanlig-tilgang/", views.unusual_access, name="unusual_access"),
]
