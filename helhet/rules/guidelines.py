"""The registry of local guidelines: per-organisation settings with a national/default value.

DOMAIN.md marks some duties and deadlines *local*: they come from hospital
guidelines (UNN with the municipalities of Troms and Ofoten; Helse Bergen),
not from the law, so each organisation's KE may set its own value. Those marked
*check* could not be verified; `needs_check` shows it in the UI so the value can
be corrected as data.

Only the keys below can be set (helhet.rules.services.guideline_set); the
value is an integer number of days. The value in force on a date comes from
helhet.rules.selectors.guideline_value(key, organization, on).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

UNN_TROMS_OFOTEN = "Retningslinje UNN/kommunene i Troms og Ofoten"


@dataclass(frozen=True)
class Guideline:
    key: str
    label: str
    help: str
    default: int
    source: str
    local: bool = True
    needs_check: bool = False
    # A value above the default (a longer deadline) is allowed only with a
    # recorded reason that says why (DOMAIN.md: first contact after appointment).
    longer_needs_reason: bool = False
    min_value: int = 1
    max_value: int = 365
    unit: str = "dager"


GUIDELINES: dict[str, Guideline] = {
    g.key: g
    for g in [
        Guideline(
            key="first_contact_days",
            label=_("Koordinators første kontakt etter oppnevning"),
            help=_("Koordinatoren skal ta kontakt med personen innen så mange dager etter oppnevning i kommunen. "
                   "En lengre frist enn standarden krever en registrert begrunnelse."),
            default=14,
            source=UNN_TROMS_OFOTEN + " (kontakt innen 2 uker etter oppnevning)",
            longer_needs_reason=True,
            max_value=90,
        ),
        Guideline(
            key="minutes_days",
            label=_("Referat sendt etter møte"),
            help=_("Referat fra møter i plangruppen sendes deltakerne innen så mange dager etter møtet "
                   "(«innen rimelig tid»)."),
            default=7,
            source=UNN_TROMS_OFOTEN + " (referat sendes innen rimelig tid)",
            max_value=60,
        ),
        Guideline(
            key="evaluation_interval_days",
            label=_("Standard evalueringsintervall for planen"),
            help=_("Hvor mange dager det går mellom evalueringer av den individuelle planen når ikke annet er avtalt."),
            default=180,
            source=UNN_TROMS_OFOTEN + " (evaluering og fremdrift)",
            max_value=730,
        ),
        Guideline(
            key="need_notification_response_days",
            label=_("Svar på melding om behov"),
            help=_("Koordinerende enhet svarer på en melding om behov for individuell plan eller koordinator innen så mange dager."),
            default=14,
            source=UNN_TROMS_OFOTEN + " (melding til koordinerende enhet «så snart som mulig»)",
            needs_check=True,
            max_value=90,
        ),
        Guideline(
            key="appeal_handling_days",
            label=_("Behandling av klage"),
            help=_("Innen så mange dager vurderer den som traff avgjørelsen klagen på nytt, før den eventuelt sendes til Statsforvalteren."),
            default=28,
            source=_("Standardverdi i Helhet; ikke verifisert mot lov eller retningslinje"),
            needs_check=True,
            max_value=180,
        ),
    ]
}


def get(key: str) -> Guideline:
    """The registry entry for `key`; KeyError for a key that is not in the registry."""
    return GUIDELINES[key]
