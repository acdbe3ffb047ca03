from django.urls import path

from . import views

urlpatterns = [
    path("personer/", views.person_list, name="person_list"),
    path("personer/ny/", views.person_create, name="person_create"),
    path("personer/<int:pk>/", views.person_detail, name="person_detail"),
    path("personer/<int:pk>/parorende/ny/", views.relative_add, name="relative_add"),
    path("personer/<int:pk>/tjenester/ny/", views.involvement_add, name="involvement_add"),
    path("personer/<int:pk>/samtykkekompetanse/", views.capacity_finding_record, name="capacity_finding_record"),
]
