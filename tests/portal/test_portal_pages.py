"""The person's own pages: landing, "Min plan", own goals, consent in their own hands, the access log, meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.consent.models import Consent
from helhet.plans.models import Goal

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def test_a_person_login_lands_on_min_plan_without_the_staff_menu(portal, login):
    amalie = portal["persons"]["Amalie"]
    response = login(portal["users"]["ung"]).get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"/min-plan/{amalie.pk}/"
    html = _html(response)
    assert "Hva er viktig for deg?" in html
    assert "Mine personer" not in html and "Søk etter person" not in html
    assert html.index("Hva er viktig for deg?") < html.index("Koordinatoren din")
    assert "koordinator@example.invalid" in html  # the coordinator's contact details
    assert "Hjemmetjeneste to ganger i uka" in html and "Ansvarsgruppemøte" in html and "Velkommen til plangruppen" in html
    assert AuditEvent.objects.filter(person=amalie, action="view", reason="self", summary="Så individuell plan").exists()


def test_a_parent_of_two_children_gets_a_chooser(portal, login):
    html = _html(login(portal["users"]["forelder"]).get("/min-plan/"))
    assert "Theo Aasen" in html and "Ida Aasen" in html


def test_the_young_adult_writes_and_changes_their_own_goal(portal, login):
    amalie = portal["persons"]["Amalie"]
    c = login(portal["users"]["ung"])
    plan = amalie.plans.get()
    response = c.post(f"/min-plan/{amalie.pk}/mal/ny/", {"text": "Jeg vil ta lappen i år.", "based_on_version": plan.version})
    assert response.status_code == 302
    goal = Goal.objects.get(plan=plan, text="Jeg vil ta lappen i år.")
    assert goal.written_by == "person"
    assert AuditEvent.objects.filter(person=amalie, action="create", reason="self").exists()
    plan.refresh_from_db()
    response = c.post(f"/min-plan/{amalie.pk}/mal/{goal.pk}/endre/", {"text": "Jeg vil ta lappen før sommeren.", "based_on_version": plan.version})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.text == "Jeg vil ta lappen før sommeren."


def test_an_empty_goal_is_a_norwegian_message_and_a_stale_one_keeps_the_text(portal, login):
    amalie = portal["persons"]["Amalie"]
    c = login(portal["users"]["ung"])
    plan = amalie.plans.get()
    response = c.post(f"/min-plan/{amalie.pk}/mal/ny/", {"text": "", "based_on_version": plan.version})
    assert response.status_code == 400 and "Noe må rettes" in _html(response)
    response = c.post(f"/min-plan/{amalie.pk}/mal/ny/", {"text": "Min tekst blir ikke borte", "based_on_version": plan.version + 5})
    assert response.status_code == 409 and "Min tekst blir ikke borte" in _html(response)


def test_the_person_writes_goals_through_the_plan_service_and_nothing_else(portal):
    """The old bug: a person's goal submit was a plan edit, refused with 404. Now PLAN_OWN_WRITE, goals only, text only."""
    from helhet.core.errors import DomainError, NotFound
    from helhet.plans import services

    amalie, ung = portal["persons"]["Amalie"], portal["users"]["ung"]
    plan = amalie.plans.get()
    goal = services.goal_add(actor=ung, plan_id=plan.pk, based_on_version=plan.version, text="Eget mål", written_by="staff")
    assert goal.written_by == "person"  # marked as written by the person whatever the input says
    plan.refresh_from_db()
    with pytest.raises(NotFound):
        services.need_add(actor=ung, plan_id=plan.pk, based_on_version=plan.version, text="Behov")
    with pytest.raises(DomainError):
        services.goal_add(actor=ung, plan_id=plan.pk, based_on_version=plan.version, text="Mål", category="health_function")
    staff_goal = services.goal_add(actor=plan.person.coordinator_appointments.first().coordinator, plan_id=plan.pk,
                                   based_on_version=plan.version, text="Skrevet av tjenesteyter", written_by="staff")
    plan.refresh_from_db()
    with pytest.raises(DomainError):
        services.goal_update(actor=ung, plan_id=plan.pk, based_on_version=plan.version, item_id=staff_goal.pk, text="Endret")


def test_narrowing_a_sharing_consent_previews_who_loses_access_and_takes_effect_at_once(portal, login, users):
    from helhet.access.queries import plan_access

    amalie = portal["persons"]["Amalie"]
    c = login(portal["users"]["ung"])
    consent = Consent.objects.get(person=amalie, kind="sharing")
    plan = amalie.plans.get()
    assert plan_access(users["nav"], plan).may_see("economy_work")
    page = _html(c.get(f"/min-plan/{amalie.pk}/samtykker/"))
    assert "Penger, arbeid og ytelser fra NAV." in page and "Lars Vik" in page
    url = f"/min-plan/{amalie.pk}/samtykker/{consent.pk}/endre/"
    preview = c.post(url, {"categories": ["general"], "users": [str(users["nav"].pk)]})
    assert preview.status_code == 200
    text = _html(preview)
    assert "Lars Vik i NAV Fjordvik vil ikke lenger se:" in text and "Økonomi og arbeid" in text
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None  # nothing happens before the confirmation
    done = c.post(url, {"categories": ["general"], "users": [str(users["nav"].pk)], "confirm": "1"}, follow=True)
    assert "Lars Vik i NAV Fjordvik ser ikke lenger: Økonomi og arbeid." in _html(done)
    assert Consent.objects.get(pk=consent.pk).withdrawn_on == timezone.localdate()
    new = Consent.objects.filter(person=amalie, kind="sharing", withdrawn_on__isnull=True).get()
    assert new.categories == ["general"] and new.given_by == "person" and new.method == "signed_in_app"
    access = plan_access(users["nav"], plan)
    assert not access.may_see("economy_work") and access.may_see("general")


def test_a_narrowing_that_adds_something_is_refused(portal, users):
    from helhet.consent.services import own_sharing_consent_narrow
    from helhet.core.errors import DomainError

    amalie = portal["persons"]["Amalie"]
    consent = Consent.objects.get(person=amalie, kind="sharing")
    with pytest.raises(DomainError):
        own_sharing_consent_narrow(actor=portal["users"]["ung"], consent_id=consent.pk, categories=["general", "medication"],
                                   recipient_user_ids=[users["nav"].pk])


def test_withdrawing_a_consent(portal, login, users):
    amalie = portal["persons"]["Amalie"]
    c = login(portal["users"]["ung"])
    consent = Consent.objects.get(person=amalie, kind="sharing")
    url = f"/min-plan/{amalie.pk}/samtykker/{consent.pk}/trekk-tilbake/"
    assert "vil ikke lenger se" in _html(c.post(url, {}))
    c.post(url, {"confirm": "1"})
    assert Consent.objects.get(pk=consent.pk).withdrawn_on == timezone.localdate()
    assert AuditEvent.objects.filter(person=amalie, action="update", reason="self", summary="Samtykke trukket tilbake").exists()


def test_a_parent_acts_for_a_child_under_the_age_limit(portal, login, users):
    theo = portal["persons"]["Theo"]
    c = login(portal["users"]["forelder"])
    page = _html(c.get(f"/min-plan/{theo.pk}/"))
    assert "Skriv et nytt mål" in page and "Hjemmetjeneste to ganger i uka" in page
    consent = Consent.objects.get(person=theo, kind="sharing")
    c.post(f"/min-plan/{theo.pk}/samtykker/{consent.pk}/endre/", {"categories": ["general"], "users": [str(users["nav"].pk)], "confirm": "1"})
    new = Consent.objects.get(person=theo, kind="sharing", withdrawn_on__isnull=True)
    assert new.given_by == "parents" and new.given_by_relative.user == portal["users"]["forelder"]


def test_a_child_under_the_limit_may_not_give_a_sharing_consent_themself(portal, users):
    from helhet.consent.services import own_sharing_consent_give
    from helhet.core.errors import DomainError
    from helhet.organizations.models import User

    theo = portal["persons"]["Theo"]
    child = User.objects.create_user("theo-login", password="x" * 16, national_id=theo.national_id)
    with pytest.raises(DomainError) as exc:
        own_sharing_consent_give(actor=child, person=theo, categories=["general"], recipient_user_ids=[users["nav"].pk], purpose="Plan",
                                 valid_to=timezone.localdate() + dt.timedelta(days=30))
    assert exc.value.details["reason"] == "too_young"


def test_from_16_the_parent_sees_only_the_frame_and_may_not_consent_in_what_the_young_person_decides(portal, login, users):
    from helhet.consent.services import own_sharing_consent_give
    from helhet.core.errors import DomainError

    ida = portal["persons"]["Ida"]  # 17
    parent = portal["users"]["forelder"]
    page = _html(login(parent).get(f"/min-plan/{ida.pk}/"))
    assert "bestemmer nå selv" in page
    assert "Jeg vil klare meg mer selv hjemme." not in page and "Hjemmetjeneste to ganger i uka" not in page
    assert "Ola Strand" in page  # the frame: who the coordinator is
    assert login(parent).get(f"/min-plan/{ida.pk}/tilgangslogg/").status_code == 404
    with pytest.raises(DomainError) as exc:
        own_sharing_consent_give(actor=parent, person=ida, categories=["health_function"], recipient_user_ids=[users["nav"].pk],
                                 purpose="Plan", valid_to=timezone.localdate() + dt.timedelta(days=30))
    assert exc.value.details["reason"] == "not_allowed"
    # ... but still in a matter the rules leave to the parents (school, for a 17-year-old)
    own_sharing_consent_give(actor=parent, person=ida, categories=["school"], recipient_user_ids=[users["nav"].pk], purpose="Skole",
                             valid_to=timezone.localdate() + dt.timedelta(days=30))


def test_the_young_person_gets_their_own_access(portal, login):
    from helhet.organizations.models import User

    ida = portal["persons"]["Ida"]
    own = User.objects.create_user("ida-login", password="x" * 16, national_id=ida.national_id)
    page = _html(login(own).get("/", follow=True))
    assert "Jeg vil klare meg mer selv hjemme." in page and "Skriv et nytt mål" in page


def test_a_guardian_acts_for_an_adult_without_capacity(portal, login):
    henrik = portal["persons"]["Henrik"]
    c = login(portal["users"]["verge"])
    page = _html(c.get("/", follow=True))
    assert "Planen til Henrik Holm" in page and "Skrevet av pårørende" in page
    plan = henrik.plans.get()
    c.post(f"/min-plan/{henrik.pk}/mal/ny/", {"text": "Henrik vil gå tur hver dag.", "based_on_version": plan.version})
    assert Goal.objects.get(plan=plan, text="Henrik vil gå tur hver dag.").written_by == "relative"


def test_the_access_log_in_plain_language(portal, login):
    amalie = portal["persons"]["Amalie"]
    c = login(portal["users"]["ung"])
    c.get(f"/min-plan/{amalie.pk}/")
    html = _html(c.get(f"/min-plan/{amalie.pk}/tilgangslogg/"))
    assert "Så individuell plan" in html and "Amalie Lund" in html and "Kari Nordvik" in html


def test_others_get_404_and_a_denied_event(portal, login):
    amalie = portal["persons"]["Amalie"]
    stranger = login(portal["users"]["verge"])
    for url in (f"/min-plan/{amalie.pk}/", f"/min-plan/{amalie.pk}/samtykker/", f"/min-plan/{amalie.pk}/tilgangslogg/",
                f"/min-plan/{amalie.pk}/mal/ny/"):
        assert stranger.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(person=amalie, action="denied", actor=portal["users"]["verge"]).exists()


def test_staff_get_404_on_the_portal_and_login_is_required(portal, client_for, client):
    amalie = portal["persons"]["Amalie"]
    assert client_for("coordinator").get(f"/min-plan/{amalie.pk}/").status_code == 404
    assert client.get(f"/min-plan/{amalie.pk}/").status_code == 302


def test_accepting_a_meeting(portal, login):
    from helhet.portal.models import MeetingResponse

    amalie = portal["persons"]["Amalie"]
    meeting = amalie.plans.get().meetings.get()
    c = login(portal["users"]["ung"])
    c.post(f"/min-plan/{amalie.pk}/moter/{meeting.pk}/svar/", {"answer": "accept"})
    assert MeetingResponse.objects.get(meeting=meeting).answer == "accept"
    assert "Du har svart at du kommer." in _html(c.get(f"/min-plan/{amalie.pk}/"))
    assert c.post(f"/min-plan/{amalie.pk}/moter/{meeting.pk}/svar/", {"answer": "kanskje"}, follow=True).status_code == 200


def test_a_message_to_the_plan_group(portal, login):
    amalie = portal["persons"]["Amalie"]
    c = login(portal["users"]["ung"])
    response = c.post(f"/min-plan/{amalie.pk}/meldinger/ny/", {"subject": "Spørsmål", "text": "Kan vi flytte møtet?"}, follow=True)
    assert "Kan vi flytte møtet?" in _html(response)


def test_the_ke_links_a_relative_to_a_login_and_ends_it(world, client_for, make_person):
    from helhet.core.world import synthetic_national_id
    from helhet.people.models import Relative

    child = make_person(birth=dt.date(timezone.localdate().year - 8, 5, 5))
    rel = Relative.objects.create(person=child, name="Mor Test", relationship="parent", may_consent=True)
    ke = client_for("ke")
    assert "Koble til innlogging" in _html(ke.get(f"/personer/{child.pk}/"))
    url = f"/personer/{child.pk}/parorende/{rel.pk}/innlogging/"
    assert ke.post(url, {"national_id": "123"}).status_code == 400
    nid = synthetic_national_id(dt.date(1985, 3, 3), 77)
    assert ke.post(url, {"national_id": nid}).status_code == 302
    rel.refresh_from_db()
    assert rel.user.national_id == nid and not rel.user.has_usable_password()
    assert client_for("nav").get(url).status_code == 404
    ke.post(url, {"end": "1"})
    rel.refresh_from_db()
    assert rel.user is None
