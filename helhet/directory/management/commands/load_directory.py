"""Update the directory of municipalities and their coordinating units from helhet/directory/data/.

1. Read municipalities.csv and coordinating_units.csv (docs/directory.md says where they come from).
2. Upsert the municipalities by (kommunenummer, valid from) and link each to its successor.
3. Add missing KE contacts; refresh those still marked as shipped examples; keep those a KE or administrator edited.

Idempotent: a second run changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from helhet.directory.loader import DATA, load
from helhet.directory.models import CoordinatingUnitContact, Municipality


class Command(BaseCommand):
    help = "Oppdaterer kommuneregisteret (kommuner og koordinerende enheter) fra datafilene."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(DATA), help="mappe med municipalities.csv og coordinating_units.csv")

    def handle(self, *args, **options):
        from pathlib import Path

        with transaction.atomic():
            result = load(Municipality, CoordinatingUnitContact, Path(options["data"]))
        self.stdout.write(str(result))
