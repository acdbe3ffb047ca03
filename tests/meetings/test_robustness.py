"""Meeting times and meeting e-mails that cannot break a write (issue 9).

- API times without a UTC offset: 400 naming the format, nothing written, on create and on update.
- Form times (datetime-local) are Oslo wall-clock time, whatever zone is active.
- E-mails go to the outbox inside the write's transaction and are sent after commit: an SMTP failure or a title
  with CR/LF never turns a committed write into a 500; the failure is recorded and the worker retries it.
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from helhet.core import outbox
from helhet.core.errors import DomainError
from helhet.core.models import OutgoingEmail
from helhet.core.times import LocalDateTimeField
from helhet.meetings import services
from helhet.meetings.models import Meeting

pytestmark = pytest.mark.django_db
API = "/api/v1/plan-group"


def _post(client, path, body):
    return client.post(API + path, data=json.dumps(body), content_type="application/json")


def _put(client, path, body):
    return client.put(API + path, data=json.dumps(body), content_type="application/json")


def _body(start: dt.datetime, **kw):
    return {"title": "Møte", "agenda": "Status", "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat(),
            "place": "Rådhuset", **kw}


@pytest.fixture
def after_commit(monkeypatch):
    """The real after-commit behaviour (tests/meetings/conftest.py sends at once for the content tests)."""
    monkeypatch.setattr(outbox, "_on_commit", transaction.on_commit)


@pytest.fixture
def smtp_down(monkeypatch):
    def fail(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", fail)
    return monkeypatch


def test_an_api_time_without_offset_is_a_400_that_names_the_format_and_writes_nothing(plan, client_for):
    naive = (timezone.localtime() + dt.timedelta(days=2)).replace(tzinfo=None, microsecond=0)
    r = _post(client_for("coordinator"), f"/plans/{plan.pk}/meetings", _body(naive))
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "invalid"
    assert "ISO 8601" in json.dumps(body, ensure_ascii=False) and "UTC" in json.dumps(body, ensure_ascii=False)
    assert not Meeting.objects.exists() and not mail.outbox and not OutgoingEmail.objects.exists()


def test_an_update_without_offset_is_refused_before_anything_is_committed(plan, convene, client_for):
    meeting = convene(plan)
    mail.outbox.clear()
    naive = (timezone.localtime(meeting.start) + dt.timedelta(hours=1)).replace(tzinfo=None)
    r = _put(client_for("coordinator"), f"/meetings/{meeting.pk}", _body(naive, agenda="Ny"))
    assert r.status_code == 400, r.content
    assert "ISO 8601" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.sequence == 0 and meeting.agenda != "Ny" and not mail.outbox


def test_the_service_refuses_a_naive_time_from_any_caller(plan, users):
    naive = (timezone.localtime() + dt.timedelta(days=2)).replace(tzinfo=None)
    with pytest.raises(DomainError) as exc:
        services.meeting_create(actor=users["coordinator"], plan_id=plan.pk, title="x", agenda="y", start=naive,
                                end=naive + dt.timedelta(hours=1), place="z")
    assert exc.value.status == 400 and "start" in exc.value.details["fields"]
    assert not Meeting.objects.exists()


def test_a_datetime_local_value_is_oslo_time_whatever_zone_is_active():
    field = LocalDateTimeField(input_formats=["%Y-%m-%dT%H:%M"])
    with timezone.override("UTC"):
        summer = field.clean("2030-06-03T10:00")
        winter = field.clean("2030-01-07T10:00")
    assert summer.utcoffset() == dt.timedelta(hours=2) and winter.utcoffset() == dt.timedelta(hours=1)
    assert summer.astimezone(dt.UTC).hour == 8


@pytest.mark.parametrize("value", ["2030-03-31T02:30", "2030-10-27T02:30"])
def test_a_wall_clock_time_that_does_not_exist_or_is_ambiguous_is_refused_in_norwegian(value):
    with pytest.raises(ValidationError) as exc:
        LocalDateTimeField(input_formats=["%Y-%m-%dT%H:%M"]).clean(value)
    assert "Klokkeslettet" in str(exc.value)


def test_the_meeting_form_posts_oslo_time(plan, client_for):
    c = client_for("coordinator")
    day = timezone.localdate() + dt.timedelta(days=10)
    r = c.post(_form_url(plan), {
        "title": "Møte", "start": f"{day:%Y-%m-%d}T10:00", "end": f"{day:%Y-%m-%d}T11:00", "place": "Rådhuset", "agenda": "Status",
        "participants": []})
    assert r.status_code == 302, r.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert timezone.localtime(meeting.start).hour == 10
    assert meeting.start.utcoffset() is not None


def _form_url(plan):
    from django.urls import reverse

    return reverse("meeting_create", args=[plan.pk])


def test_an_smtp_failure_keeps_the_write_answers_2xx_records_the_failure_and_the_worker_retries(
        plan, client_for, after_commit, smtp_down, django_capture_on_commit_callbacks):
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client_for("coordinator"), f"/plans/{plan.pk}/meetings", _body(start))
    assert r.status_code == 201, r.content
    assert Meeting.objects.count() == 1
    rows = list(OutgoingEmail.objects.order_by("pk"))
    assert len(rows) == 4 and not mail.outbox
    assert all(x.sent_at is None and x.attempts == 1 and "SMTPServerDisconnected" in x.last_error for x in rows)
    assert all(x.next_attempt_at > timezone.now() for x in rows)

    # Still down at the next batch: nothing due yet, nothing sent, nothing lost.
    call_command("sendreminders")
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 4

    smtp_down.undo()  # the mail server is back
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        call_command("sendreminders")
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 4
    assert len(mail.outbox) == 4
    [part] = [p for p in mail.outbox[0].message().walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST" and b"METHOD:REQUEST" in part.get_payload(decode=True)
    # Sent once: another batch sends nothing again.
    call_command("sendreminders")
    assert len(mail.outbox) == 4


def test_an_update_whose_email_fails_is_kept_and_answered_200(plan, convene, client_for, after_commit, smtp_down,
                                                              django_capture_on_commit_callbacks):
    meeting = convene(plan)
    with django_capture_on_commit_callbacks(execute=True):
        r = _put(client_for("coordinator"), f"/meetings/{meeting.pk}", _body(meeting.start, agenda="Ny saksliste"))
    assert r.status_code == 200, r.content
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.agenda == "Ny saksliste"
    assert OutgoingEmail.objects.filter(sent_at__isnull=True, attempts=1).count() >= 1


def test_a_title_with_crlf_never_gives_a_500_and_the_subject_is_one_line(plan, client_for):
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    r = _post(client_for("coordinator"), f"/plans/{plan.pk}/meetings", _body(start, title="Møte\r\nBcc: x@example.invalid"))
    assert r.status_code in (201, 400), r.content
    if r.status_code == 201:
        assert mail.outbox and all("\n" not in m.subject and "\r" not in m.subject for m in mail.outbox)
        assert all(m.bcc == [] for m in mail.outbox)
        assert all(m.message()["Bcc"] is None for m in mail.outbox)


def test_a_header_error_is_recorded_not_raised(plan, convene, after_commit, django_capture_on_commit_callbacks, monkeypatch):
    """Any exception while sending (here: a header error from the backend) is recorded on the row."""
    from django.core.mail import BadHeaderError

    def bad(self, messages):
        raise BadHeaderError("Header values can't contain newlines")

    monkeypatch.setattr(EmailBackend, "send_messages", bad)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(plan)
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert OutgoingEmail.objects.filter(last_error__contains="BadHeaderError").exists()


def test_a_rolled_back_write_sends_nothing(plan, users, after_commit, django_capture_on_commit_callbacks):
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.meeting_create(actor=users["coordinator"], plan_id=plan.pk, title="x", agenda="y", start=start,
                                    end=start + dt.timedelta(hours=1), place="z")
            raise RuntimeError("the request failed after the service")
    assert not Meeting.objects.exists() and not OutgoingEmail.objects.exists() and not mail.outbox


def test_a_row_is_given_up_after_max_attempts(smtp_down):
    row = outbox.enqueue(to="a@example.invalid", subject="Emne", body="Tekst", purpose="test")
    for _ in range(outbox.MAX_ATTEMPTS):
        OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        outbox.deliver_due()
    row.refresh_from_db()
    assert row.failed_at is not None and row.sent_at is None and row.attempts == outbox.MAX_ATTEMPTS


def test_header_safe_folds_line_breaks():
    assert outbox.header_safe("Møte\r\nBcc: x@y\u2028z") == "Møte Bcc: x@y z"
