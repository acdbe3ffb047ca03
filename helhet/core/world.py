"""The synthetic world shared by demo data, tests and benchmarks: tenants, units and one user per role.

All names are made up; organisation numbers are valid in form only (mod-11) and generated.
National ids are synthetic test numbers (month + 80, Skatteetaten's Tenor convention), so they
can never be a real person's; the validator accepts them only with HELHET_ALLOW_SYNTHETIC_IDS
(on with HELHET_DEMO=1 and in tests; docs/decisions/0002-national-ids.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from helhet.core.validators import make_national_id, make_org_number
from helhet.organizations.models import Level, Organization, Role, Sector, User
from helhet.organizations.services import (
    coordinating_unit,
    membership_add,
    organization_create,
    unit_create,
)

DEMO_PASSWORD = "helhet-demo-2026"


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def synthetic_national_id(birth: dt.date, seed: int, *, d_number: bool = False) -> str:
    """A synthetic fødselsnummer (month + 80); tries individual numbers from `seed` until the check digits work.

    Used by the demo (core/demo.py), the benchmark generator (bench/generate.py) and the tests."""
    for offset in range(1000):
        individual = (seed + offset) % 500 if birth.year < 2000 else 500 + (seed + offset) % 500
        value = make_national_id(birth, individual, d_number=d_number, synthetic=True)
        if value:
            return value
    raise ValueError("no valid national id for this date")


def _org(name, kind, prefix, muni=""):
    org = Organization.objects.filter(name=name).first()
    return org or organization_create(name=name, kind=kind, org_number=make_org_number(prefix), municipality_number=muni)


def _unit(org, name, sector, level=None):
    return org.units.filter(name=name).first() or unit_create(organization=org, name=name, sector=sector, level=level)


def _user(username, first, last, title, password, memberships, **extra):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last, title=title, email=f"{username}@example.invalid", **extra)
        user.set_password(password)
        user.save()
    for unit, role in memberships:
        membership_add(user=user, unit=unit, role=role)
    return user


def build_world(password: str = DEMO_PASSWORD) -> World:
    """Create (idempotently) two municipalities, one health trust, their units, and one user per role."""
    w = World()
    fjordvik = w.orgs["fjordvik"] = _org("Fjordvik kommune", Organization.Kind.MUNICIPALITY, 93000001, "9901")
    havbygd = w.orgs["havbygd"] = _org("Havbygd kommune", Organization.Kind.MUNICIPALITY, 93000101, "9902")
    trust = w.orgs["trust"] = _org("Helse Nordkyst HF", Organization.Kind.HEALTH_TRUST, 93000201)

    w.units["fjordvik_ke"] = coordinating_unit(fjordvik)
    w.units["havbygd_ke"] = coordinating_unit(havbygd)
    w.units["trust_ke"] = coordinating_unit(trust)
    w.units["fjordvik_care"] = _unit(fjordvik, "Hjemmetjenesten Fjordvik", Sector.HEALTH_CARE)
    w.units["fjordvik_nav"] = _unit(fjordvik, "NAV Fjordvik", Sector.NAV)
    w.units["fjordvik_cw"] = _unit(fjordvik, "Barneverntjenesten Fjordvik", Sector.CHILD_WELFARE)
    w.units["fjordvik_school"] = _unit(fjordvik, "Fjordvik skole", Sector.SCHOOL)
    w.units["fjordvik_kg"] = _unit(fjordvik, "Solsiden barnehage", Sector.KINDERGARTEN)
    w.units["fjordvik_ppt"] = _unit(fjordvik, "PP-tjenesten Fjordvik", Sector.PP_SERVICE)
    w.units["fjordvik_mh"] = _unit(fjordvik, "Psykisk helse og rus Fjordvik", Sector.MENTAL_HEALTH)
    w.units["fjordvik_gp"] = _unit(fjordvik, "Fjordvik legesenter", Sector.GP)
    w.units["havbygd_care"] = _unit(havbygd, "Helse og omsorg Havbygd", Sector.HEALTH_CARE)
    w.units["trust_ward"] = _unit(trust, "Nevrologisk avdeling", Sector.SPECIALIST, Level.SPECIALIST)
    w.units["trust_bup"] = _unit(trust, "Barne- og ungdomspsykiatrisk poliklinikk", Sector.MENTAL_HEALTH, Level.SPECIALIST)

    u = w.users
    u["ke"] = _user("ke", "Kari", "Nordvik", "Rådgiver, koordinerende enhet", password, [(w.units["fjordvik_ke"], Role.KE_OFFICER)])
    u["coordinator"] = _user("koordinator", "Ola", "Strand", "Sykepleier", password, [(w.units["fjordvik_care"], Role.COORDINATOR)])
    u["coordinator2"] = _user("koordinator2", "Siri", "Berg", "Vernepleier", password, [(w.units["fjordvik_mh"], Role.COORDINATOR)])
    u["clinician"] = _user("behandler", "Jonas", "Lie", "Lege", password, [(w.units["trust_ward"], Role.CLINICIAN)], hpr_number="9100001")
    u["unit_leader"] = _user("enhetsleder", "Anne", "Moe", "Enhetsleder", password, [(w.units["trust_ward"], Role.UNIT_LEADER)])
    u["hospital_coordinator"] = _user("sykehuskoordinator", "Per", "Dahl", "Sykepleier", password, [(w.units["trust_ward"], Role.COORDINATOR)])
    u["trust_ke"] = _user("ke-hf", "Eva", "Hauge", "Rådgiver, koordinerende enhet", password, [(w.units["trust_ke"], Role.KE_OFFICER)])
    u["nav"] = _user("nav", "Lars", "Vik", "NAV-veileder", password, [(w.units["fjordvik_nav"], Role.NAV_ADVISER)])
    u["gp"] = _user("fastlege", "Ingrid", "Sand", "Fastlege", password, [(w.units["fjordvik_gp"], Role.GP)], hpr_number="9100002")
    u["teacher"] = _user("laerer", "Tor", "Foss", "Kontaktlærer", password, [(w.units["fjordvik_school"], Role.WELFARE_STAFF)])
    u["outsider"] = _user("havbygd-ke", "Nils", "Aas", "Rådgiver, koordinerende enhet", password, [(w.units["havbygd_ke"], Role.KE_OFFICER)])
    u["admin"] = _user("admin", "Ada", "Admin", "Systemforvalter", password, [(w.units["fjordvik_ke"], Role.ADMINISTRATOR)],
                       is_staff=True, is_superuser=True)
    return w
