"""Writes for tenants, units and staff. Reference data: administrators (Django admin) and demo/bench seeding."""

from django.db import transaction
from django.utils.translation import gettext as _

from helhet.core.errors import DomainError, validate

from .models import Level, Membership, Organization, Sector, ServiceUnit, User


@transaction.atomic
def organization_create(*, name: str, kind: str, org_number: str, municipality_number: str = "", ke_name: str | None = None) -> Organization:
    """Create a tenant together with its one coordinating unit (KE)."""
    org = Organization(name=name, kind=kind, org_number=org_number, municipality_number=municipality_number)
    validate(org)
    org.save()
    level = Level.MUNICIPAL if org.is_municipality else Level.SPECIALIST
    ke = ServiceUnit(organization=org, name=ke_name or _("Koordinerende enhet"), sector=Sector.COORDINATING_UNIT, level=level, is_coordinating_unit=True)
    validate(ke)
    ke.save()
    return org


def unit_create(*, organization: Organization, name: str, sector: str, level: str | None = None, org_number: str = "", email: str = "") -> ServiceUnit:
    if level is None:
        level = Level.MUNICIPAL if organization.is_municipality else Level.SPECIALIST
    unit = ServiceUnit(organization=organization, name=name, sector=sector, level=level, org_number=org_number, email=email)
    validate(unit)
    unit.save()
    return unit


def coordinating_unit(organization: Organization) -> ServiceUnit:
    try:
        return organization.units.get(is_coordinating_unit=True)
    except ServiceUnit.DoesNotExist:
        raise DomainError("no_ke", _("Organisasjonen mangler koordinerende enhet.")) from None


def membership_add(*, user: User, unit: ServiceUnit, role: str) -> Membership:
    membership, _created = Membership.objects.update_or_create(user=user, unit=unit, role=role, defaults={"active": True})
    return membership
