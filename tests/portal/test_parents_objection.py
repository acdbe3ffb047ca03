"""A young person's objection to the parents being informed (pbrl. § 3-4 second paragraph; helhet.consent.parents_objection):
recorded by the young person in "Min plan" or by staff, assessed by health personnel, and then the parent sees only the
frame (Rel.PARENT_LIMITED) while the rules let a child of that age object."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.consent.models import ParentsInformationObjection as Objection
from helhet.consent.parents_objection import objection_assess, objection_record, objection_withdraw
from helhet.core.errors import Conflict, DomainError, NotFound

pytestmark = pytest.mark.django_db

GOAL, MEASURE = "Jeg vil klare meg mer selv hjemme.", "Hjemmetjeneste to ganger i uka"


def _html(response) -> str:
    return response.content.decode()


def _aged(person, years: int):
    """Make the person `years` old today (a month past the birthday)."""
    from helhet.people.models import Person

    today = timezone.localdate()
    Person.objects.filter(pk=person.pk).update(birth_date=today.replace(year=today.year - years, day=1) - dt.timedelta(days=31))
    person.refresh_from_db()
    return person


@pytest.fixture
def theo(portal):
    return _aged(portal["persons"]["Theo"], 14)


@pytest.fixture
def theo_login(theo):
    from helhet.organizations.models import User

    return User.objects.create_user("theo-login", password="x" * 16, national_id=theo.national_id)


def _parent_sees_goals(login, parent, person) -> bool:
    page = _html(login(parent).get(f"/min-plan/{person.pk}/"))
    assert "Ola Strand" in page  # the frame is always there: who the coordinator is
    return GOAL in page and MEASURE in page


def test_a_14_year_old_objects_in_the_portal_and_after_the_assessment_the_parent_sees_only_the_frame(portal, login, users, theo, theo_login):
    parent = portal["users"]["forelder"]
    plan = theo.plans.get()
    child = login(theo_login)
    page = _html(child.get(f"/min-plan/{theo.pk}/foreldre/"))
    assert "Mor og far vil ikke lenger se målene og tiltakene dine." in page
    assert "Hva foreldrene dine får vite" in _html(child.get(f"/min-plan/{theo.pk}/"))  # linked from the young person's plan

    assert child.post(f"/min-plan/{theo.pk}/foreldre/", {"do": "object"}).status_code == 302
    objection = Objection.objects.get(person=theo)
    assert objection.how == "portal" and objection.state == "pending"
    assert AuditEvent.objects.filter(person=theo, action="create", reason="self", object_type="parentsinformationobjection").exists()
    assert _parent_sees_goals(login, parent, theo)  # not yet: health personnel assess the reasons first
    assert login(parent).get(f"/api/v1/plans/{plan.pk}").json()["goals"]

    # The coordinator (a nurse, involved: health personnel) assesses on the person's consent page.
    staff = login(users["coordinator"])
    assert "Hva foreldrene får vite" in _html(staff.get(f"/personer/{theo.pk}/"))
    r = staff.post(f"/foreldre-informasjon/{objection.pk}/vurder/", {"respected": "yes", "note": "Samtale med Theo og helsesykepleier."})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(person=theo, action="update", summary="Vurderte at grunnene bør respekteres").exists()
    assert "Grunnene bør respekteres (vurdert" in _html(staff.get(f"/personer/{theo.pk}/samtykke/foreldre/"))
    assert "Foreldrene dine ser nå bare hvem som er med" in _html(child.get(f"/min-plan/{theo.pk}/foreldre/"))

    page = _html(login(parent).get(f"/min-plan/{theo.pk}/"))
    assert GOAL not in page and MEASURE not in page and "Ola Strand" in page
    assert "Du ser bare hvem som er med i planen og hvem koordinatoren er." in page
    assert "over 16" not in page and "Samtale med Theo" not in page  # a neutral sentence, never the reasons
    api = login(parent).get(f"/api/v1/plans/{plan.pk}")
    assert api.status_code == 200 and not api.json()["goals"]
    assert login(parent).get(f"/min-plan/{theo.pk}/mal/ny/").status_code == 404
    assert login(parent).get(f"/min-plan/{theo.pk}/tilgangslogg/").status_code == 404
    # The young person's access log shows the parent's narrowed reading.
    log = _html(child.get(f"/min-plan/{theo.pk}/tilgangslogg/"))
    assert AuditEvent.objects.filter(person=theo, actor=parent, action="view", reason="parent_limited").exists()
    assert parent.get_full_name() in log
    # The young person still sees everything.
    assert GOAL in _html(child.get(f"/min-plan/{theo.pk}/"))

    # Withdrawn in the portal: the parent acts for the child again, at once.
    assert child.post(f"/min-plan/{theo.pk}/foreldre/", {"do": "withdraw"}).status_code == 302
    assert Objection.objects.get(pk=objection.pk).withdrawn_on == timezone.localdate()
    assert _parent_sees_goals(login, parent, theo)
    assert Objection.objects.count() == 1  # nothing deleted


def test_staff_record_what_the_young_person_told_them(portal, login, users, theo, theo_login):
    staff = login(users["coordinator"])
    r = staff.post(f"/personer/{theo.pk}/samtykke/foreldre/", {"note": "Sa det i samtale."})
    assert r.status_code == 302
    objection = Objection.objects.get(person=theo)
    assert objection.how == "told_staff" and objection.recorded_by == users["coordinator"]
    page = _html(staff.get(f"/personer/{theo.pk}/samtykke/foreldre/"))
    assert "Ikke vurdert ennå" in page and "Lagre vurderingen" in page
    assert AuditEvent.objects.filter(person=theo, action="view", summary="Så hva foreldrene skal få vite").exists()
    # A second open one is a clear conflict, not a 500.
    with pytest.raises(Conflict):
        objection_record(actor=users["coordinator"], person=theo)
    # An assessment needs what it rests on; a second assessment is refused.
    r = staff.post(f"/foreldre-informasjon/{objection.pk}/vurder/", {"respected": "no", "note": ""})
    assert r.status_code == 400 and "Hva vurderingen bygger på" in _html(r)
    objection_assess(actor=users["coordinator"], objection_id=objection.pk, respected=False, note="Foreldrene må vite om behandlingen.")
    with pytest.raises(Conflict):
        objection_assess(actor=users["coordinator"], objection_id=objection.pk, respected=True, note="x")
    assert _parent_sees_goals(login, portal["users"]["forelder"], theo)  # not respected: nothing changes
    assert "grunnene bør ikke respekteres" in _html(staff.get(f"/personer/{theo.pk}/samtykke/foreldre/"))
    assert "likevel skal få vite om planen" in _html(login(theo_login).get(f"/min-plan/{theo.pk}/foreldre/"))
    objection_record(actor=users["coordinator"], person=theo)  # ... and a new one may be recorded
    assert Objection.objects.filter(person=theo).count() == 2


def test_the_parent_cannot_record_or_withdraw_it(portal, login, users, theo, theo_login):
    parent = portal["users"]["forelder"]
    c = login(parent)
    assert c.get(f"/min-plan/{theo.pk}/foreldre/").status_code == 404
    assert c.post(f"/min-plan/{theo.pk}/foreldre/", {"do": "object"}).status_code == 404
    assert AuditEvent.objects.filter(person=theo, actor=parent, action="denied", summary="parents_objection.record").exists()
    with pytest.raises(NotFound):
        objection_record(actor=parent, person=theo)
    objection = objection_record(actor=theo_login, person=theo)
    assert c.post(f"/foreldre-informasjon/{objection.pk}/trekk-tilbake/").status_code == 404
    assert c.post(f"/foreldre-informasjon/{objection.pk}/vurder/", {"respected": "no", "note": "x"}).status_code == 404
    assert Objection.objects.get(pk=objection.pk).state == "pending"
    assert "Hva foreldrene dine får vite" not in _html(c.get(f"/min-plan/{theo.pk}/"))


def test_outsiders_and_staff_without_a_care_relationship_get_404(portal, login, users, theo, theo_login):
    objection = objection_record(actor=theo_login, person=theo)
    for key in ("outsider", "nav", "ke"):
        c = login(users[key])
        assert c.get(f"/personer/{theo.pk}/samtykke/foreldre/").status_code == 404, key
        assert c.post(f"/foreldre-informasjon/{objection.pk}/trekk-tilbake/").status_code == 404, key
    assert login(users["outsider"]).get(f"/min-plan/{theo.pk}/foreldre/").status_code == 404
    assert AuditEvent.objects.filter(person=theo, actor=users["outsider"], action="denied").exists()
    # A teacher works with Theo but is not health personnel: may not assess.
    with pytest.raises(NotFound):
        objection_assess(actor=users["teacher"], objection_id=objection.pk, respected=True, note="x")
    # Staff use the staff page, not the young person's own page.
    assert login(users["coordinator"]).get(f"/min-plan/{theo.pk}/foreldre/").status_code == 404


def test_login_is_required(portal, client, theo):
    assert client.get(f"/personer/{theo.pk}/samtykke/foreldre/").status_code == 302
    assert client.get(f"/min-plan/{theo.pk}/foreldre/").status_code == 302


def _respected(users, person, by):
    objection = objection_record(actor=by, person=person)
    return objection_assess(actor=users["coordinator"], objection_id=objection.pk, respected=True, note="Vurdert.")


def test_at_11_an_objection_does_not_change_what_the_parent_sees(portal, login, users, theo_login):
    theo = _aged(portal["persons"]["Theo"], 11)
    page = _html(login(theo_login).get(f"/min-plan/{theo.pk}/foreldre/"))
    assert "Reglene sier at foreldrene dine skal få vite" in page and "Mor og far vil ikke lenger" not in page
    _respected(users, theo, theo_login)
    assert _parent_sees_goals(login, portal["users"]["forelder"], theo)


def test_from_16_the_parent_is_narrowed_by_age_whatever_the_objection(portal, login, users):
    from helhet.organizations.models import User

    ida = portal["persons"]["Ida"]  # 17
    own = User.objects.create_user("ida-login", password="x" * 16, national_id=ida.national_id)
    assert "Hva foreldrene dine får vite" not in _html(login(own).get(f"/min-plan/{ida.pk}/"))
    _respected(users, ida, own)
    page = _html(login(portal["users"]["forelder"]).get(f"/min-plan/{ida.pk}/"))
    assert "bestemmer nå selv" in page and GOAL not in page
    objection_withdraw(actor=own, objection_id=Objection.objects.get(person=ida).pk)
    assert GOAL not in _html(login(portal["users"]["forelder"]).get(f"/min-plan/{ida.pk}/"))


def test_a_withdrawn_objection_cannot_be_assessed_or_withdrawn_again(portal, users, theo, theo_login):
    objection = objection_record(actor=theo_login, person=theo)
    objection_withdraw(actor=theo_login, objection_id=objection.pk)
    with pytest.raises(DomainError) as exc:
        objection_withdraw(actor=theo_login, objection_id=objection.pk)
    assert exc.value.status == 409
    with pytest.raises(Conflict):
        objection_assess(actor=users["coordinator"], objection_id=objection.pk, respected=True, note="x")


def test_the_parents_access_log_does_not_tell_them_that_the_young_person_objected(portal, login, users, theo, theo_login):
    """While the objection waits for its assessment (or was not respected) the parent still reads the log as the child's
    representative: the objection's own events are left out for them (policy.access_log_hidden_object_types)."""
    parent = portal["users"]["forelder"]
    child = login(theo_login)
    assert child.post(f"/min-plan/{theo.pk}/foreldre/", {"do": "object"}).status_code == 302
    recorded = "Registrerte at foreldrene ikke skal få opplysninger"
    assert AuditEvent.objects.filter(person=theo, object_type="parentsinformationobjection", summary=recorded).exists()

    assert recorded in _html(child.get(f"/min-plan/{theo.pk}/tilgangslogg/"))  # the young person sees it
    parents_log = login(parent).get(f"/min-plan/{theo.pk}/tilgangslogg/")
    assert parents_log.status_code == 200
    assert recorded not in _html(parents_log) and "foreldrene" not in _html(parents_log).lower()
    assert recorded in _html(login(users["ke"]).get(f"/personer/{theo.pk}/tilgangslogg/"))  # the KE's log is whole
