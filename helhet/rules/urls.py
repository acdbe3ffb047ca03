from django.urls import path

from . import views

urlpatterns = [
    path("regler/", views.rule_list, name="rule_list"),
    path("regler/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("ke/retningslinjer/", views.local_guidelines, name="local_guidelines"),
]
