"""The national rules Helhet ships (DOMAIN.md, "Rules change over time" and the duties).

Loaded by migration rules/0002 and kept in sync by `manage.py sync_rules`.
Where the wording or dates are not verified, needs_check is set so the KE can
see it and an administrator can correct it as data.
"""

import datetime as dt

D = dt.date

NATIONAL_RULES = [
    dict(code="ip.right", kind="right", valid_from=D(2001, 7, 1), valid_to=None,
         title="Rett til individuell plan",
         text="Den som har behov for langvarige og koordinerte tjenester, har rett til å få utarbeidet individuell plan. "
              "Retten gjelder uavhengig av alder, diagnose og funksjon. Planen gir ingen rett til tjenester i seg selv.",
         source="Pasient- og brukerrettighetsloven § 2-5 (fra 2001; i sosialtjenesten fra 2004); helse- og omsorgstjenesteloven § 7-1"),
    dict(code="ke.duty", kind="duty", valid_from=D(2012, 1, 1), valid_to=None,
         title="Koordinerende enhet",
         text="Kommunen og helseforetaket skal ha en koordinerende enhet med overordnet ansvar for arbeidet med individuell plan og for oppnevning, opplæring og veiledning av koordinatorer.",
         source="Helse- og omsorgstjenesteloven § 7-3; spesialisthelsetjenesteloven § 2-5 a"),
    dict(code="coordinator.duty", kind="duty", valid_from=D(2012, 1, 1), valid_to=D(2022, 7, 31),
         title="Plikt til å tilby koordinator",
         text="Kommunen skal tilby koordinator til pasienter og brukere med behov for komplekse eller langvarige og koordinerte tjenester. Før 1. august 2022 var dette en plikt for tjenestene, ikke en rettighet.",
         source="Helse- og omsorgstjenesteloven § 7-2 (før endringen 1. august 2022)"),
    dict(code="coordinator.right", kind="right", valid_from=D(2022, 8, 1), valid_to=None,
         title="Rett til koordinator",
         text="Den som har behov for komplekse eller langvarige og koordinerte tjenester, har rett til koordinator – også når personen ikke ønsker individuell plan. Retten kan påklages.",
         source="Pasient- og brukerrettighetsloven § 2-5 a; helse- og omsorgstjenesteloven § 7-2"),
    dict(code="child-coordinator.right", kind="right", valid_from=D(2022, 8, 1), valid_to=None,
         title="Rett til barnekoordinator",
         text="Familier som har eller venter barn med alvorlig sykdom, skade eller nedsatt funksjonsevne, og som har behov for langvarige og sammensatte helse- og velferdstjenester, har rett til barnekoordinator. Retten opphører når barnet fyller 18 år.",
         source="Pasient- og brukerrettighetsloven § 2-5 c; helse- og omsorgstjenesteloven § 7-2 a"),
    dict(code="contact-doctor.right", kind="right", valid_from=D(2016, 9, 15), valid_to=None,
         title="Rett til kontaktlege",
         text="Pasient med alvorlig sykdom, skade eller lidelse som har behov for behandling eller oppfølging av en viss varighet, har rett til kontaktlege i spesialisthelsetjenesten, oppnevnt senest første virkedag.",
         source="Spesialisthelsetjenesteloven § 2-5 c"),
    dict(code="covid-2020.no-new-ip", kind="temporary", valid_from=D(2020, 3, 27), valid_to=D(2020, 5, 27), needs_check=True,
         title="Midlertidig regel (covid-19): ingen rett til ny individuell plan",
         text="Mens den midlertidige forskriften gjaldt, var det ingen rett til å få utarbeidet ny individuell plan. Eksisterende planer gjaldt fortsatt; oppdatering, møter og tiltak kunne nedprioriteres der det var forsvarlig etter en individuell vurdering. Plikten til å tilby koordinator og kravet om koordinerende enhet gjaldt uendret.",
         source="Midlertidig forskrift om unntak fra helse- og omsorgslovgivningen (covid-19), 2020; Helsedirektoratets veiledning"),
    dict(code="ip.regulation-2022", kind="duty", valid_from=D(2022, 8, 1), valid_to=None,
         title="Felles forskrift om individuell plan i velferdstjenestene",
         text="Én forskrift om individuell plan for helse- og omsorgstjenestene, NAV, sosiale tjenester og barnevernet. Personen skal ha én plan, og én tjenesteyter skal til enhver tid ha hovedansvaret for å følge opp personen.",
         source="Forskrift om individuell plan ved ytelse av velferdstjenester"),
    dict(code="ip.one-plan-main-responsibility", kind="duty", valid_from=D(2012, 1, 1), valid_to=None,
         title="Én plan og hovedansvar",
         text="Hver person har én individuell plan. Er flere tjenester involvert, avtaler de hvem som har hovedansvaret; er det uklart eller omstridt, avgjør kommunen. Er både kommunen og spesialisthelsetjenesten involvert, har kommunen ansvaret.",
         source="Helse- og omsorgstjenesteloven § 7-1; spesialisthelsetjenesteloven § 2-5"),
    dict(code="appeal.route", kind="right", valid_from=D(2001, 7, 1), valid_to=None,
         title="Klage",
         text="Avslag på individuell plan, koordinator eller barnekoordinator kan påklages. Klagen sendes til den som traff avgjørelsen, som vurderer saken på nytt; opprettholdes avgjørelsen, sendes klagen til Statsforvalteren (før 2019: Fylkesmannen).",
         source="Pasient- og brukerrettighetsloven § 7-2"),
    dict(code="information.duty", kind="duty", valid_from=D(2012, 1, 1), valid_to=None,
         title="Informasjonsplikt om individuell plan og koordinator",
         text="Helsepersonell som ser behov for individuell plan eller koordinator, skal informere personen om ordningene, dokumentere at det er gjort, og melde behovet til koordinerende enhet så snart som mulig.",
         source="Helsepersonelloven § 38 a; forskrift om habilitering og rehabilitering, individuell plan og koordinator § 21"),
    dict(code="consent.required", kind="duty", valid_from=D(2001, 7, 1), valid_to=None,
         title="Samtykke",
         text="Individuell plan utarbeides og koordinator oppnevnes bare med samtykke fra personen eller den som kan samtykke på personens vegne.",
         source="Pasient- og brukerrettighetsloven kapittel 4; forskrift om individuell plan"),
]


def sync(Rule) -> int:
    """Insert or update the national rules; returns how many rows were written."""
    n = 0
    for data in NATIONAL_RULES:
        data = dict(data)
        Rule.objects.update_or_create(code=data.pop("code"), valid_from=data.pop("valid_from"), organization=None, defaults={"needs_check": False, "parameters": {}, **data})
        n += 1
    return n
