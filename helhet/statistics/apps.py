from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "helhet.statistics"
    label = "statistics"
