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
    # Read by helhet.cases.deadlines.contact_doctor_deadlines: parameters["working_days"] after the day the need was found
    # (Norwegian public holidays from the `holidays` library, weekends excluded: helhet.cases.rules.add_working_days).
    dict(code="contact-doctor.deadline", kind="deadline", valid_from=D(2016, 9, 15), valid_to=None, needs_check=True,
         title="Frist for å oppnevne kontaktlege",
         text="Kontaktlege (eller kontaktpsykolog) skal oppnevnes senest første virkedag etter at behovet er avdekket. "
              "Lederen for enheten i spesialisthelsetjenesten oppnevner.",
         source="Spesialisthelsetjenesteloven § 2-5 c; forskrift om kontaktlege i spesialisthelsetjenesten § 3",
         parameters={"working_days": 1}),
    dict(code="pathway-coordinator", kind="duty", valid_from=D(2015, 1, 1), valid_to=None, needs_check=True,
         title="Forløpskoordinator i pakkeforløp",
         text="I pakkeforløp for kreft og for psykisk helse og rus har personen en forløpskoordinator. Forløpskoordinatoren kan "
              "fylle koordinatorrollen når det er vurdert og registrert; ellers samarbeider de.",
         source="Helsedirektoratet, pakkeforløp for kreft (fra 2015) og for psykisk helse og rus (fra 2019)"),
    # Read by helhet.cases.services.coordination_lead_decide (a local version of the municipality wins).
    dict(code="coordination-lead.duty", kind="duty", valid_from=D(2012, 1, 1), valid_to=None, needs_check=True,
         title="Samordningsansvar uten rett til individuell plan eller koordinator",
         text="Når personen ikke har rett til individuell plan eller koordinator, men får flere tjenester, bestemmer kommunen "
              "etter sin retningslinje hvilken tjeneste som har ansvaret for å samordne tjenestene.",
         source="Helse- og omsorgstjenesteloven § 4-1 (forsvarlighet og samordning); kommunens lokale retningslinje"),
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
    # ---- Appeal deadlines: which one applies depends on the law the decision is made under (Decision.law; read by
    # helhet.cases.rules.appeal_deadline). parameters["weeks"] is the deadline, counted from the day the decision was
    # received (Helhet counts from the decision date, the earliest such day). Both marked *check*.
    dict(code="appeal.deadline.patients-rights", kind="deadline", valid_from=D(2001, 7, 1), valid_to=None, needs_check=True,
         title="Klagefrist etter pasient- og brukerrettighetsloven",
         text="Klage på avgjørelser om individuell plan, koordinator og barnekoordinator etter pasient- og brukerrettighetsloven "
              "må sendes innen fire uker etter at personen fikk eller burde ha fått kjennskap til avgjørelsen.",
         source="Pasient- og brukerrettighetsloven § 7-2 andre ledd", parameters={"weeks": 4, "law": "patients_rights"}),
    dict(code="appeal.deadline.public-administration", kind="deadline", valid_from=D(1970, 1, 1), valid_to=None, needs_check=True,
         title="Klagefrist etter forvaltningsloven",
         text="Klage på enkeltvedtak etter forvaltningsloven (for eksempel i NAV, sosiale tjenester og barnevernet) må sendes "
              "innen tre uker fra det tidspunkt underretning om vedtaket er kommet fram til personen.",
         source="Forvaltningsloven § 29 første ledd", parameters={"weeks": 3, "law": "public_administration"}),
    dict(code="appeal.new-decision", kind="deadline", valid_from=D(1970, 1, 1), valid_to=None, needs_check=True,
         title="Ny avgjørelse etter klage",
         text="Når klagen tas til følge eller Statsforvalteren opphever avgjørelsen og sender saken tilbake, skal koordinerende "
              "enhet treffe ny avgjørelse uten ugrunnet opphold.",
         source="Forvaltningsloven § 11 a første ledd; pasient- og brukerrettighetsloven § 7-6", parameters={"days": 14}),
    # Read by helhet.cases.deadlines (partners_inform_deadlines): the coordinator's task to inform the GP and partners.
    dict(code="partners.inform", kind="deadline", valid_from=D(2012, 1, 1), valid_to=None, needs_check=True,
         title="Informere fastlege og samarbeidspartnere",
         text="Når koordinator er oppnevnt eller arbeidet med individuell plan er startet, informeres fastlegen og de andre "
              "samarbeidspartnerne, med mindre personen har reservert seg. Helhet setter fristen til 14 dager (må kontrolleres "
              "mot lokal retningslinje).",
         source="Forskrift om habilitering og rehabilitering, individuell plan og koordinator § 21; retningslinje UNN og kommunene "
                "i Troms og Ofoten; Helse Bergen, retningslinje for individuell plan",
         parameters={"days": 14}),
    # Read by helhet.cases.deadlines (partners_inform_deadlines): the third event, the end of the arrangement (the plan
    # closed, or the last municipal coordinator ended with no successor). lookback_days bounds which ends still give a
    # task, so an end long before Helhet was used does not appear as overdue work (a Helhet setting, not law).
    dict(code="partners.inform-ended", kind="deadline", valid_from=D(2012, 1, 1), valid_to=None, needs_check=True,
         title="Informere fastlege og samarbeidspartnere når ordningen avsluttes",
         text="Når ordningen med individuell plan eller koordinator avsluttes, informeres fastlegen og de andre "
              "samarbeidspartnerne, med mindre personen har reservert seg. Helhet setter fristen til 14 dager (må kontrolleres "
              "mot lokal retningslinje).",
         source="Forskrift om habilitering og rehabilitering, individuell plan og koordinator § 21; retningslinje UNN og kommunene "
                "i Troms og Ofoten; Helse Bergen, retningslinje for individuell plan",
         parameters={"days": 14, "lookback_days": 90}),
    # Read by helhet.coordination.deadlines (transfer_answer_deadlines): the answer to a transfer sent to a municipality
    # outside Helhet (issue 12), followed up by the sender until the answer is recorded. A local version of the sending
    # organisation (Rule.organization) wins. No law sets this length: 14 days as for a need notification, *check*.
    dict(code="transfer.outside-answer", kind="deadline", valid_from=D(2012, 1, 1), valid_to=None, needs_check=True,
         title="Svar på overføring til kommune utenfor Helhet",
         text="Når en overføring sendes til en kommune som ikke bruker Helhet, følger avsenderen opp til kommunens koordinerende "
              "enhet har svart, og registrerer svaret. Helhet setter svarfristen til 14 dager etter at overføringen ble sendt, "
              "som for svar på melding om behov (må kontrolleres mot lokal retningslinje).",
         source="Helse- og omsorgstjenesteloven § 7-2 og spesialisthelsetjenesteloven § 2-5 a (koordinatoren sørger for "
                "overlevering); retningslinje UNN og kommunene i Troms og Ofoten; Helse Bergen, retningslinje for individuell plan",
         parameters={"days": 14}),
    dict(code="case.access-to-documents", kind="right", valid_from=D(2001, 7, 1), valid_to=None, needs_check=True,
         title="Rett til å se saksdokumentene",
         text="Du har rett til å se dokumentene i saken din, med de unntakene loven gir.",
         source="Forvaltningsloven §§ 18 og 19; pasient- og brukerrettighetsloven § 5-1"),
    dict(code="information.duty", kind="duty", valid_from=D(2012, 1, 1), valid_to=None,
         title="Informasjonsplikt om individuell plan og koordinator",
         text="Helsepersonell som ser behov for individuell plan eller koordinator, skal informere personen om ordningene, dokumentere at det er gjort, og melde behovet til koordinerende enhet så snart som mulig.",
         source="Helsepersonelloven § 38 a; forskrift om habilitering og rehabilitering, individuell plan og koordinator § 21"),
    dict(code="consent.required", kind="duty", valid_from=D(2001, 7, 1), valid_to=None,
         title="Samtykke",
         text="Individuell plan utarbeides og koordinator oppnevnes bare med samtykke fra personen eller den som kan samtykke på personens vegne.",
         source="Pasient- og brukerrettighetsloven kapittel 4; forskrift om individuell plan"),
    # Read by helhet.access (facts.health_rule_categories): which categories cooperating health personnel see without a
    # sharing consent. The categories are parameters, so a correction of the law's reach is a data change.
    dict(code="health-personnel.cooperation", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Opplysninger til samarbeidende helsepersonell",
         text="Helsepersonell som samarbeider om å gi helsehjelp til personen, kan få de helseopplysningene som er nødvendige for "
              "helsehjelpen uten et uttrykkelig samtykke, med mindre personen motsetter seg det. Det gjelder bare helseopplysninger, "
              "og ikke NAV, skole, barnehage eller barnevern, som trenger samtykke.",
         source="Helsepersonelloven § 25 første ledd (jf. § 45 for journalopplysninger)",
         parameters={"categories": ["health_function", "medication"]}),
    # ---- Consent capacity and representation: read by helhet/consent/capacity.py (parameters["consent"]), so a
    # correction of an age limit or of which matters count as health matters is a data change.
    # Matters: "plan_work", "coordinator" and "sharing:<category>" (helhet/consent/categories.py); "*" = every matter.
    # self_from_age: the person consents themselves from this age (unless they lack capacity).
    # representatives, from_age/below_age, capacity: who may consent on the person's behalf, at which ages, and - besides
    # when the person is too young for the matter - for which recorded capacities (Person.capacity_to_consent).
    dict(code="consent.capacity-18", kind="right", valid_from=D(2001, 1, 1), valid_to=None,
         title="Samtykkekompetanse fra 18 år",
         text="Personer over 18 år har samtykkekompetanse, med mindre annet følger av vergemålsloven eller annen lov. "
              "Den som er myndig, samtykker selv i alle spørsmål i planarbeidet, også til deling av opplysninger.",
         source="Vergemålsloven § 2; pasient- og brukerrettighetsloven § 4-3 første ledd bokstav a",
         parameters={"consent": {"self_from_age": 18, "matters": ["*"]}}),
    dict(code="consent.capacity-health-16", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Samtykkekompetanse i helsespørsmål fra 16 år",
         text="Personer mellom 16 og 18 år har samtykkekompetanse i spørsmål om helsehjelp, med mindre annet følger av særlig "
              "lovbestemmelse eller av tiltakets art. Helhet regner samtykke til individuell plan, til koordinator og til deling av "
              "opplysninger om helse og funksjon, legemidler og planen generelt som helsespørsmål (må kontrolleres).",
         source="Pasient- og brukerrettighetsloven § 4-3 første ledd bokstav b",
         parameters={"consent": {"self_from_age": 16, "matters": ["plan_work", "coordinator", "sharing:health_function",
                                                                  "sharing:medication", "sharing:general"]}}),
    dict(code="consent.capacity-12", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Samtykke i enkelte spørsmål fra 12 år",
         text="Barn mellom 12 og 16 år kan samtykke selv i enkelte spørsmål når det følger av særlig lovbestemmelse eller av "
              "tiltakets art. Ingen av spørsmålene i planarbeidet er registrert her ennå; de kan legges til som data.",
         source="Pasient- og brukerrettighetsloven § 4-4 femte ledd; barneloven § 31",
         parameters={"consent": {"self_from_age": 12, "matters": []}}),
    dict(code="consent.child-heard", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Barnets rett til å bli hørt",
         text="Når barnet har fylt sju år, og når et yngre barn er i stand til å danne seg egne synspunkter, skal barnet få "
              "informasjon og si sin mening før foreldrene eller andre med foreldreansvaret samtykker. Det skal legges vekt på hva "
              "barnet mener, i samsvar med alder og modenhet; fra 12 år skal det legges stor vekt på barnets mening.",
         source="Pasient- og brukerrettighetsloven § 4-4 femte ledd; barneloven § 31",
         parameters={"consent": {"child_heard_from_age": 7, "child_great_weight_from_age": 12}}),
    dict(code="consent.parents", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Foreldre og verge samtykker for barn",
         text="Foreldrene eller andre med foreldreansvaret (eller barnets verge) samtykker på vegne av barn under 16 år i "
              "helsespørsmål, og for barn under 18 år i spørsmål barnet ikke kan samtykke til selv. Mangler en person mellom 16 og "
              "18 år samtykkekompetanse, samtykker foreldrene.",
         source="Pasient- og brukerrettighetsloven §§ 4-4 og 4-5; barneloven § 30; vergemålsloven § 16",
         parameters={"consent": {"representatives": ["parents", "guardian"], "below_age": 18, "capacity": ["lacking", "partial"],
                                 "matters": ["*"]}}),
    dict(code="consent.parents-information", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Foreldres rett til informasjon",
         text="Er barnet under 16 år, skal både barnet og foreldrene informeres. Fra 12 år gis ikke opplysninger til foreldrene "
              "når barnet av grunner som bør respekteres ikke ønsker det. Fra 16 til 18 år gis foreldrene bare opplysninger som er "
              "nødvendige for å oppfylle foreldreansvaret.",
         source="Pasient- og brukerrettighetsloven § 3-4",
         parameters={"consent": {"parents_information": {"child_may_object_from_age": 12, "narrowed_from_age": 16, "ends_at_age": 18}}}),
    dict(code="consent.guardian-adult", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Verge samtykker for en voksen uten samtykkekompetanse",
         text="For en voksen som helt eller delvis mangler samtykkekompetanse, kan vergen samtykke når vergemålet omfatter "
              "spørsmålet. Er personen vurdert til å være samtykkekompetent, samtykker personen selv.",
         source="Pasient- og brukerrettighetsloven § 4-6; vergemålsloven §§ 20–21",
         parameters={"consent": {"representatives": ["guardian"], "from_age": 18, "capacity": ["lacking", "partial"], "matters": ["*"]}}),
    dict(code="consent.closest-relative", kind="right", valid_from=D(2001, 1, 1), valid_to=None, needs_check=True,
         title="Nærmeste pårørende for en voksen uten samtykkekompetanse",
         text="Mangler en voksen samtykkekompetanse, kan den registrerte nærmeste pårørende samtykke på personens vegne. "
              "Nærmeste pårørende er den personen selv har oppgitt; ellers den som i størst utstrekning har varig og løpende "
              "kontakt med personen.",
         source="Pasient- og brukerrettighetsloven § 1-3 bokstav b og § 4-6",
         parameters={"consent": {"representatives": ["closest_relative"], "from_age": 18, "capacity": ["lacking"], "matters": ["*"]}}),
]


def sync(Rule) -> int:
    """Insert or update the national rules; returns how many rows were written."""
    n = 0
    for data in NATIONAL_RULES:
        data = dict(data)
        Rule.objects.update_or_create(code=data.pop("code"), valid_from=data.pop("valid_from"), organization=None, defaults={"needs_check": False, "parameters": {}, **data})
        n += 1
    return n
