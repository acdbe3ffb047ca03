from django.urls import path

from . import views

urlpatterns = [
    path("personer/", views.person_list, name="person_list"),
    path("personer/<int:pk>/", views.person_detail, name="person_detail"),
]
