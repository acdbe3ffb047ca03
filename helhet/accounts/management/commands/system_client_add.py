"""Register a system (OAuth 2.0 client credentials) that may call the API and FHIR with bearer tokens.

1. Find the organisation by organisasjonsnummer (and the named units, by id, in it).
2. Register or update the SystemClient for (issuer, client id) with its scopes (helhet.accounts.systems).
3. Give its service user the memberships that carry the units' relationships (unit leader; KE officer only with
   --ke-system), and print what was registered. --deactivate turns a client off instead.

The issuer must also be configured in HELHET_TOKEN_ISSUERS (jwks_uri, audience): docs/fhir.md "Tokens for systems".
"""

from django.core.management.base import BaseCommand, CommandError

from helhet.core.errors import DomainError


class Command(BaseCommand):
    help = "Registrerer et fagsystem (klient) som kan kalle API og FHIR med tilgangsnøkler (client credentials)."

    def add_arguments(self, parser):
        parser.add_argument("client_id", help="klient-ID slik utstederen setter den i tokenet (client_id)")
        parser.add_argument("--issuer", required=True, help="utsteder (iss), f.eks. https://helseid-sts.nhn.no")
        parser.add_argument("--org", required=True, help="organisasjonsnummer for virksomheten systemet handler for")
        parser.add_argument("--name", default="", help="navn som vises i tilgangsloggen")
        parser.add_argument("--scope", action="append", default=[], dest="scopes",
                            help="tillatt scope (kan gjentas): helhet/api.read, helhet/api.write, helhet/fhir.read")
        parser.add_argument("--unit", action="append", type=int, default=[], dest="units",
                            help="id for en enhet systemet handler for (kan gjentas; standard: alle virksomhetens enheter)")
        parser.add_argument("--ke-system", action="store_true",
                            help="koordinerende enhets eget system: får koordinerende enhets tilgang i hele virksomheten")
        parser.add_argument("--deactivate", action="store_true", help="deaktiver klienten i stedet")

    def handle(self, *args, **options):
        from helhet.accounts.systems import system_client_deactivate, system_client_register
        from helhet.organizations.models import Organization, ServiceUnit

        try:
            if options["deactivate"]:
                system_client_deactivate(issuer=options["issuer"], client_id=options["client_id"])
                self.stdout.write(f"deaktivert: {options['client_id']}")
                return
            organization = Organization.objects.filter(org_number=options["org"]).first()
            if organization is None:
                raise CommandError(f"fant ingen virksomhet med organisasjonsnummer {options['org']}")
            units = list(ServiceUnit.objects.filter(pk__in=options["units"]))
            if len(units) != len(set(options["units"])):
                raise CommandError("en eller flere enheter finnes ikke")
            client = system_client_register(
                issuer=options["issuer"], client_id=options["client_id"], name=options["name"] or options["client_id"],
                organization=organization, scopes=options["scopes"], units=units, ke_system=options["ke_system"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        memberships = client.service_user.memberships.filter(active=True).select_related("unit")
        self.stdout.write(f"registrert: {client} for {organization} — scopes {' '.join(client.scopes)}")
        for m in memberships:
            self.stdout.write(f"  {m.get_role_display()}: {m.unit.name}")
