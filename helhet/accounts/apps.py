from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "helhet.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .twofactor import remember_enrolment

        # Auth plumbing, not domain behaviour: the two-factor gate reads this on every request.
        user_logged_in.connect(remember_enrolment, dispatch_uid="helhet_remember_enrolment")
