from django.urls import path

from . import views

urlpatterns = [
    path("ke/statistikk/", views.statistics_page, name="statistics"),
    path("ke/statistikk.csv", views.statistics_csv, name="statistics_csv"),
    path("ke/statistikk/diagram.css", views.chart_css, name="statistics_chart_css"),
]
