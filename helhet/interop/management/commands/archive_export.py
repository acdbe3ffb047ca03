"""Write the archive copy: per closed plan a Noark 5 style package (arkivstruktur.xml + PDF/A files).

1. Find the acting user (--as USERNAME, e.g. the KE's archive officer): every plan is read as that user, through the
   one access policy, and each read and each export is in the audit log.
2. Take the closed plans (closed on or after --since) of the persons the policy lets that user see plans of.
3. Per plan the user reads in full: render every published version and the closed plan as PDF/A and write
   DIR/ip-<id>/DOKUMENT/*.pdf and DIR/ip-<id>/arkivstruktur.xml (helhet.interop.archive; docs/archive.md).
4. Report what was written and what was skipped (not readable in full).
"""

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Eksporterer avsluttede individuelle planer til arkivet (Noark 5-pakke med PDF/A)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="mappe pakkene skrives til")
        parser.add_argument("--since", help="bare planer avsluttet denne datoen eller senere (ÅÅÅÅ-MM-DD)")
        parser.add_argument("--as", dest="username", required=True, help="brukernavnet til den som eksporterer (tilgangen er hennes)")
        parser.add_argument("--language", default="nb", choices=["nb", "nn"], help="språk i PDF-ene")

    def handle(self, *args, **options):
        from helhet.interop.archive import export

        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since må være en dato, ÅÅÅÅ-MM-DD") from None
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"fant ingen aktiv bruker {options['username']}")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        result = export(actor=user, out=out, since=since, language=options["language"])
        for folder in result.written:
            self.stdout.write(f"skrevet: {folder}")
        for plan_id, why in result.skipped:
            self.stdout.write(f"hoppet over plan {plan_id}: {why}")
        self.stdout.write(f"{len(result.written)} planer eksportert, {len(result.skipped)} hoppet over")
