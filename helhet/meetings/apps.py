from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "helhet.meetings"
    label = "meetings"

    def ready(self):
        # The "minutes" deadline: computed from meetings, never stored (helhet/meetings/deadlines.py).
        from helhet.rules.deadlines import register_provider

        from .deadlines import minutes_deadlines

        register_provider(minutes_deadlines)
