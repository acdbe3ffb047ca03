from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.my_persons, name="my_persons"),
    path("ke/", views.ke_overview, name="ke_overview"),
]
