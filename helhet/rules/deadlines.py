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
