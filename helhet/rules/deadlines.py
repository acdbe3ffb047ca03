"""Computed deadlines (never stored): the registry every app plugs its deadline providers into.

A provider is a function
    provider(*, organization_ids: list[int] | None, user_id: int | None, today: date) -> Iterable[Deadline]
that returns the OPEN deadlines (not yet done) it knows about, limited to the
tenants in organization_ids (the KE's view) or to the user who must act
(user_id: the coordinator's view); None means "no limit on that axis".
Apps register their providers in AppConfig.ready() with register_provider().
Lists, reminders and escalation (helhet.coordination / the worker) read only
through collect(); nothing stores a deadline twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Deadline:
    kind: str  # e.g. "first_contact", "evaluation", "measure", "minutes", "need_notification_response", "appeal", "consent_expiry"
    due: dt.date
    title: str  # Norwegian, shown to the user
    rule_code: str  # a Rule code or a local guideline key: the "hvorfor?" link
    organization_id: int | None  # the tenant responsible (KE overview)
    responsible_user_id: int | None  # who must act (coordinator's list)
    person_id: int | None
    object_type: str
    object_id: int
    url: str = ""
    # A longer deadline in force (first contact): the extra days and the reason given, shown wherever the deadline is.
    extension_days: int = 0
    extension_reason: str = ""

    @property
    def key(self) -> str:
        """Stable identity of this deadline: reminders are sent once per key."""
        return f"{self.kind}:{self.object_type}:{self.object_id}:{self.due.isoformat()}"

    def overdue(self, today: dt.date) -> bool:
        return self.due < today


Provider = Callable[..., Iterable[Deadline]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def collect(*, organization_ids: list[int] | None = None, user_id: int | None = None, today: dt.date) -> list[Deadline]:
    """Every open deadline from every provider, soonest first."""
    out: list[Deadline] = []
    for provider in _PROVIDERS:
        out.extend(provider(organization_ids=organization_ids, user_id=user_id, today=today))
    return sorted(out, key=lambda d: (d.due, d.kind, d.object_id))


# --- Helpers for providers and the pages/worker that read collect() -------------------------------------------------

# The kinds every list and filter knows, with the Norwegian label the UI and the reminder e-mails use
# (the e-mail names only the kind of deadline, never the person or the details: helhet.notifications.services).
# Message ids (gettext_noop): kind_label() translates them into the reader's language.
KIND_LABELS: dict[str, str] = {
    "first_contact": gettext_noop("Første kontakt etter oppnevning"),
    "evaluation": gettext_noop("Evaluering av individuell plan"),
    "measure": gettext_noop("Frist for tiltak"),
    "minutes": gettext_noop("Referat etter møte"),
    "need_notification_response": gettext_noop("Svar på melding om behov"),
    "transfer_answer": gettext_noop("Svar på overføring utenfor Helhet"),  # helhet.coordination.deadlines
    "appeal": gettext_noop("Behandling av klage"),
    "appeal_window": gettext_noop("Klagefrist for avgjørelse"),  # helhet.cases.deadlines
    "new_decision": gettext_noop("Ny avgjørelse etter klage"),  # helhet.cases.deadlines
    "partners_inform": gettext_noop("Informere fastlege og samarbeidspartnere"),  # helhet.cases.deadlines
    "consent_expiry": gettext_noop("Samtykke utløper"),
    "contact_doctor": gettext_noop("Oppnevne kontaktlege"),  # helhet.cases.deadlines
}


def kind_label(kind: str) -> str:
    from django.utils.translation import gettext

    return gettext(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


class GuidelineTable:
    """guideline_value(key, org, on) for many (organisation, day) pairs with ONE query.

    Providers compute a deadline for every row they return; calling
    helhet.rules.selectors.guideline_value per row would make a list's query
    count grow with its length. Same answer as guideline_value: the latest
    version with valid_from <= on (ties by id), else the registry default.
    """

    def __init__(self, key: str, organization_ids: Iterable[int | None]):
        from helhet.rules import guidelines
        from helhet.rules.models import LocalGuideline

        self.key = key
        self.default = guidelines.get(key).default
        ids = {i for i in organization_ids if i is not None}
        self._versions: dict[int, list[tuple[dt.date, int]]] = {}
        if ids:
            rows = (LocalGuideline.objects.filter(key=key, organization_id__in=ids)
                    .order_by("valid_from", "id").values_list("organization_id", "valid_from", "value"))
            for org_id, valid_from, value in rows:
                self._versions.setdefault(org_id, []).append((valid_from, value))

    def value(self, organization_id: int | None, on: dt.date) -> int:
        found = self.default
        for valid_from, value in self._versions.get(organization_id, []):
            if valid_from <= on:
                found = value
        return found
