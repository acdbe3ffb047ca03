"""Registering a system client and keeping its service user's memberships (manage.py system_client_add).

A system acts through its own service user so that the one access policy (helhet/access) decides everything it may
see, exactly as for a staff member: the service user is the leader (role unit_leader) of each unit it acts for, which
gives it the relationships those units have to each person (their active involvements, need notifications to the
unit); plan-group membership and personal grants are given to the service user like to anyone. Only the KE's own
system (`ke_system`) is KE officer in the organisation's coordinating unit, and so gets the KE's tenant-wide
relationship. The service user can never log in (unusable password, no national id or HPR number).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from helhet.access.policy import SCOPE_API_READ, SCOPE_API_WRITE, SCOPE_FHIR_READ
from helhet.core.errors import DomainError, invalid

KNOWN_SCOPES = (SCOPE_API_READ, SCOPE_API_WRITE, SCOPE_FHIR_READ)
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def _service_username(client_id: str) -> str:
    from helhet.organizations.models import User

    base = ("system." + _USERNAME_UNSAFE.sub("-", client_id))[:140]
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}.{n}"
    return name


def sync_memberships(client) -> None:
    """The service user's memberships are exactly the client's units (all of its organisation's when none are named)."""
    from helhet.organizations.models import Membership, Role

    units = list(client.units.all()) or list(client.organization.units.all())
    wanted = set()
    for unit in units:
        role = Role.KE_OFFICER if (client.ke_system and unit.is_coordinating_unit) else Role.UNIT_LEADER
        wanted.add((unit.pk, role))
    user = client.service_user
    for m in Membership.objects.filter(user=user):
        keep = (m.unit_id, m.role) in wanted and client.active
        if m.active != keep:
            Membership.objects.filter(pk=m.pk).update(active=keep)
        wanted.discard((m.unit_id, m.role))
    if client.active:
        Membership.objects.bulk_create([Membership(user=user, unit_id=u, role=r) for u, r in sorted(wanted)])


@transaction.atomic
def system_client_register(*, issuer: str, client_id: str, name: str, organization, scopes, units=(),
                           ke_system: bool = False):
    """Register (or update) the system `client_id` of `issuer` for `organization`; returns the SystemClient.

    An operator's step (the management command), not a person's data: no audit event of a person."""
    from helhet.organizations.models import User

    from .models import SystemClient

    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown or not scopes:
        raise invalid("scopes", _("Ukjent eller manglende scope: %(s)s. Gyldige: %(k)s.")
                      % {"s": ", ".join(unknown) or "-", "k": ", ".join(KNOWN_SCOPES)})
    if not issuer or not client_id:
        raise invalid("client_id", _("Utsteder og klient-ID må fylles ut."))
    units = list(units)
    foreign = [u for u in units if u.organization_id != organization.pk]
    if foreign:
        raise invalid("units", _("Enheten %(u)s hører ikke til %(o)s.") % {"u": foreign[0], "o": organization})
    if ke_system and not organization.units.filter(is_coordinating_unit=True).exists():
        raise DomainError("no_coordinating_unit", _("%(o)s har ingen koordinerende enhet.") % {"o": organization})
    client = SystemClient.objects.select_related("service_user").filter(issuer=issuer, client_id=client_id).first()
    display = name[:150]
    if client is None:
        user = User(username=_service_username(client_id), first_name=display, last_name=f"(fagsystem {client_id})"[:150])
        user.set_unusable_password()
        user.save()
        client = SystemClient(issuer=issuer, client_id=client_id, service_user=user)
    elif client.organization_id != organization.pk:
        # Another organisation's system under the same id: never silently move its service user's history.
        raise DomainError("client_other_organization", _("Klienten er allerede registrert for en annen virksomhet."), status=409)
    client.name, client.organization, client.scopes, client.ke_system, client.active = name, organization, scopes, ke_system, True
    client.full_clean(exclude=["service_user"])
    client.save()
    User.objects.filter(pk=client.service_user_id).update(first_name=display, is_active=True)
    client.units.set(units)
    sync_memberships(client)
    return client


@transaction.atomic
def system_client_deactivate(*, issuer: str, client_id: str) -> None:
    """Deactivate a client: its tokens are refused from the next request and its service user has no memberships."""
    from helhet.organizations.models import User

    from .models import SystemClient

    client = SystemClient.objects.select_related("service_user", "organization").filter(issuer=issuer, client_id=client_id).first()
    if client is None:
        raise invalid("client_id", _("Fant ingen slik klient."))
    SystemClient.objects.filter(pk=client.pk).update(active=False)
    client.active = False
    User.objects.filter(pk=client.service_user_id).update(is_active=False)
    sync_memberships(client)
