from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "helhet.cases"
    label = "cases"

    def ready(self):
        from helhet.rules.deadlines import register_provider

        from .deadlines import (
            appeal_window_deadlines,
            contact_doctor_deadlines,
            new_decision_deadlines,
            partners_inform_deadlines,
        )

        register_provider(appeal_window_deadlines)
        register_provider(new_decision_deadlines)
        register_provider(partners_inform_deadlines)
        register_provider(contact_doctor_deadlines)
