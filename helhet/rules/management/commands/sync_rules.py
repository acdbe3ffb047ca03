from django.core.management.base import BaseCommand
from django.db import transaction

from helhet.rules import national
from helhet.rules.models import Rule


class Command(BaseCommand):
    help = "Oppdaterer de nasjonale reglene Helhet leveres med (helhet/rules/national.py)."

    def handle(self, *args, **options):
        with transaction.atomic():
            n = national.sync(Rule)
        self.stdout.write(self.style.SUCCESS(f"{n} nasjonale regler oppdatert."))
