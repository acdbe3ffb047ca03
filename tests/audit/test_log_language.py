"""The access log tells the truth in the reader's language: who wrote an event, in which language, does not matter.

Events store a message id and parameters (record(summary=gettext_noop(...), params=...)); the log renders
them for whoever reads it (selectors.event_text). Refusals say "Nektet tilgang" and what was refused, in words;
a read that left information categories out says which.
"""

import html as html_lib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from helhet.audit.models import AuditEvent
from helhet.audit.selectors import ACCESS_LOG_FIELDS, event_action_label, event_text, unusual_access
from helhet.audit.services import record

PLAN_READ = gettext_noop("Så individuell plan")


def _log(client, person, language: str | None = None) -> str:
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("person_access_log", args=[person.pk]))
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def _in_english(**kwargs) -> AuditEvent:
    """An event written while the writer's session is English."""
    with translation.override("en"):
        return record(**kwargs)


def _refusal(actor, person, code="plan.view") -> AuditEvent:
    # As helhet.access.queries writes it.
    return record(
        actor=actor,
        action="denied",
        obj=person,
        person=person,
        summary=code,
        detail={"action": code},
    )


def _loaded_like_the_log(event: AuditEvent) -> AuditEvent:
    return (
        AuditEvent.objects.select_related("organization").only(*ACCESS_LOG_FIELDS).get(pk=event.pk)
    )


# Language: stored once, shown in the reader's language


def test_an_event_written_in_english_is_stored_in_bokmal(users, person):
    event = _in_english(
        actor=users["coordinator"],
        action="view",
        obj=person,
        person=person,
        reason="coordinator",
        summary=PLAN_READ,
    )
    assert event.summary == "Så individuell plan"
    assert event.code == "Så individuell plan"


def test_an_event_written_in_english_reads_in_bokmal_to_a_bokmal_reader(client_for, users, person):
    _in_english(
        actor=users["coordinator"],
        action="view",
        obj=person,
        person=person,
        reason="coordinator",
        summary=PLAN_READ,
    )
    html = _log(client_for("ke"), person)
    assert "Så individuell plan" in html
    assert "Viewed individual plan" not in html


def test_an_event_written_in_english_reads_in_english_to_an_english_reader(
    client_for, users, person
):
    _in_english(
        actor=users["coordinator"],
        action="view",
        obj=person,
        person=person,
        reason="coordinator",
        summary=PLAN_READ,
    )
    html = _log(client_for("ke"), person, "en")
    assert "Viewed individual plan" in html
    assert "Så individuell plan" not in html


def test_it_reads_in_nynorsk_to_a_nynorsk_reader(client_for, users, person):
    _in_english(
        actor=users["coordinator"],
        action="view",
        obj=person,
        person=person,
        reason="coordinator",
        summary=PLAN_READ,
    )
    html = _log(client_for("ke"), person, "nn")
    assert "Såg individuell plan" in html


def test_parameters_are_rendered_in_the_readers_language(client_for, users, person):
    _in_english(
        actor=users["ke"],
        action="create",
        obj=person,
        person=person,
        reason="ke",
        summary=gettext_noop("Registrerte henvendelse (%(channel)s)"),
        params={"channel": "telefon"},
    )
    assert "Registrerte henvendelse (telefon)" in _log(client_for("ke"), person)
    assert "Registered request (telefon)" in _log(client_for("ke"), person, "en")


def test_an_english_session_writing_through_the_app_is_read_in_bokmal(client_for, person):
    writer = client_for("coordinator")
    writer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert writer.get(reverse("person_detail", args=[person.pk])).status_code == 200
    event = AuditEvent.objects.filter(person=person, action="view", object_type="person").latest(
        "id"
    )
    assert event.summary == "Så personens side"
    assert "Så personens side" in _log(client_for("ke"), person)
    assert "Viewed the person's page" in _log(client_for("ke"), person, "en")


def test_events_from_before_message_ids_still_show_their_summary(users, person):
    event = record(
        actor=users["nav"],
        action="view",
        obj=person,
        person=person,
        reason="involved_staff",
        summary="fritt skrevet tekst",
    )
    assert event_text(_loaded_like_the_log(event)) == "fritt skrevet tekst"


# Refusals: "Nektet tilgang" and what, in words


def test_a_refusal_reads_nektet_tilgang_and_what_was_refused(client_for, users, person):
    _refusal(users["outsider"], person, "plan.view")
    html = _log(client_for("ke"), person)
    assert "Nektet tilgang: se planen" in html
    assert "plan.view" not in html


@pytest.mark.parametrize("language", ["nn", "en"])
def test_a_refusal_never_shows_the_raw_code_in_any_language(client_for, users, person, language):
    _refusal(users["outsider"], person, "plan.view")
    html = _log(client_for("ke"), person, language)
    assert "plan.view" not in html
    with translation.override(language):
        assert event_text(_refusal(users["outsider"], person, "plan.view")) == (
            translation.gettext("Nektet tilgang: %(action)s")
            % {"action": translation.gettext("se planen")}
        )


def test_a_real_refusal_through_the_access_loader_reads_in_words(client_for, users, person):
    assert (
        client_for("outsider").get(reverse("person_access_log", args=[person.pk])).status_code
        == 404
    )
    html = _log(client_for("ke"), person)
    assert "Nektet tilgang: se tilgangsloggen" in html
    assert "audit.view_person" not in html


def test_the_refusal_is_named_without_loading_detail(users, person, django_assert_num_queries):
    # The person's log never loads `detail`: the action is read from the stored message id.
    event = _loaded_like_the_log(_refusal(users["outsider"], person, "plan.edit"))
    with django_assert_num_queries(0):
        assert event_text(event) == "Nektet tilgang: endre planen"


def test_a_refusal_named_only_in_params_or_summary_reads_in_words(users, person):
    in_params = record(
        actor=users["outsider"],
        action="denied",
        obj=person,
        person=person,
        summary="plan.view",
        params={"action": "plan.publish"},
    )
    assert event_text(in_params) == "Nektet tilgang: publisere planen"
    no_person = record(
        actor=users["outsider"],
        action="denied",
        object_type="action",
        object_id="person.create",
        summary="person.create",
    )
    assert event_text(no_person) == "Nektet tilgang: registrere en person"


def test_an_unknown_refused_action_is_not_shown_raw(client_for, users, person):
    _refusal(users["outsider"], person, "something.internal")
    html = _log(client_for("ke"), person)
    assert "something.internal" not in html
    assert "Nektet tilgang: en handling" in html


def test_the_unusual_access_report_shows_refusals_in_words(client_for, users, person):
    _refusal(users["nav"], person, "plan.view")
    html = client_for("ke").get(reverse("unusual_access")).content.decode()
    assert "Nektet tilgang: se planen" in html
    assert "plan.view" not in html


def test_the_unusual_access_report_is_in_the_readers_language(client_for, users, person):
    _in_english(
        actor=users["nav"], action="view", obj=person, person=person, reason="", summary=PLAN_READ
    )
    rows = unusual_access(actor=users["ke"])["no_relationship"]
    assert [event_text(e) for e in rows if e.person_id == person.pk] == ["Så individuell plan"]
    client = client_for("ke")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Viewed individual plan" in client.get(reverse("unusual_access")).content.decode()


# Partly withheld reads


@pytest.fixture
def partial_read(users, person):
    return record(
        actor=users["nav"],
        action="view",
        obj=person,
        person=person,
        reason="plan_participant",
        summary=PLAN_READ,
        withheld=["health_function", "medication"],
    )


def test_a_withheld_read_names_the_categories_left_out(client_for, person, partial_read):
    html = _log(client_for("ke"), person)
    assert "Så individuell plan, uten: Helse og funksjon, Legemidler" in html
    assert "lest (delvis skjult)" in html
    assert "health_function" not in html


def test_a_withheld_read_names_the_categories_in_the_readers_language(
    client_for, person, partial_read
):
    html = _log(client_for("ke"), person, "en")
    assert "Viewed individual plan" in html
    assert "Health and functioning" in html
    assert "Medicines" in html
    assert "medication" not in html


def test_the_person_sees_what_was_withheld_from_whom(person, partial_read, users):
    from django.contrib.auth import get_user_model
    from django.test import Client

    citizen = get_user_model().objects.create_user(
        username="mari",
        first_name="Mari",
        last_name="Fjellheim",
        national_id=person.national_id,
        password=None,
    )
    client = Client()
    client.force_login(citizen)
    html = _log(client, person)
    assert "Så individuell plan, uten: Helse og funksjon, Legemidler" in html


def test_withheld_is_stored_once_each_in_the_given_order(users, person):
    event = record(
        actor=users["nav"],
        action="view",
        obj=person,
        person=person,
        summary=PLAN_READ,
        withheld=["medication", "health_function", "medication"],
    )
    assert AuditEvent.objects.get(pk=event.pk).withheld == ["medication", "health_function"]


def test_a_whole_read_is_plain(users, person):
    event = _loaded_like_the_log(
        record(actor=users["nav"], action="view", obj=person, person=person, summary=PLAN_READ)
    )
    assert event.withheld == []
    assert event_text(event) == "Så individuell plan"
    assert event_action_label(event) == "lest"


def test_the_log_loads_withheld_but_never_detail(client_for, person, partial_read):
    _refusal(partial_read.actor, person)
    with CaptureQueriesContext(connection) as ctx:
        html = _log(client_for("ke"), person)
    assert "uten: Helse og funksjon" in html
    log_reads = [
        q["sql"]
        for q in ctx.captured_queries
        if "audit_auditevent" in q["sql"]
        and q["sql"].lstrip().upper().startswith("SELECT")
        and '"withheld"' in q["sql"]
    ]
    assert log_reads, "the log's query loads withheld"
    assert all('"detail"' not in sql for sql in log_reads)



# Labels as parameters (a choice's label: channel, status, kind) follow the reader's language too


@pytest.mark.django_db
def test_a_label_parameter_written_in_english_is_shown_in_the_readers_language(users, person):
    from helhet.audit.services import label
    from helhet.plans.models import IndividualPlan

    plan = IndividualPlan(status=IndividualPlan.Status.CLOSED)
    message = gettext_noop("Planstatus: %(status)s")
    event = _in_english(actor=users["ke"], action="update", obj=person, person=person,
                        summary=message, params={"status": label(plan, "status")})
    stored = AuditEvent.objects.get(pk=event.pk)
    with translation.override("nb"):
        bokmal = translation.gettext(message) % {"status": str(IndividualPlan.Status.CLOSED.label)}
        assert stored.text == bokmal
    assert stored.summary == bokmal  # the chain's own rendering is in the house language, whoever wrote it
    assert stored.params == {"status": IndividualPlan.Status.CLOSED.label._args[0], "_translated": "status"}
    with translation.override("en"):
        english = translation.gettext(message) % {"status": str(IndividualPlan.Status.CLOSED.label)}
        assert stored.text == english
    assert english != bokmal
