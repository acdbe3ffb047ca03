"""Messages in the plan group: threads with a category, visible only to those allowed, unread counts per user."""

from __future__ import annotations

import pytest

from helhet.core.errors import DomainError, NotFound
from helhet.meetings import selectors, services
from helhet.meetings.models import Post, Thread

pytestmark = pytest.mark.django_db


def _unread(user, plan) -> int:
    return selectors.unread_count(actor=user, plan=plan)


def test_unread_counts_per_user_and_reading_clears_them(plan, users, share):
    share(["general"], "nav", "teacher")
    c, nav, ke = users["coordinator"], users["nav"], users["ke"]
    thread = services.thread_create(actor=c, plan_id=plan.pk, subject="Neste møte", text="Passer tirsdag?")
    assert _unread(c, plan) == 0  # one's own posts are never unread
    assert _unread(nav, plan) == 1 and _unread(ke, plan) == 1
    services.post_add(actor=nav, thread_id=thread.pk, text="Tirsdag passer")
    # Replying marks the thread read for the one who replied.
    assert _unread(c, plan) == 1 and _unread(nav, plan) == 0 and _unread(ke, plan) == 2
    view = selectors.thread_detail(actor=ke, thread_id=thread.pk)
    assert [p.text for p in view.posts] == ["Passer tirsdag?", "Tirsdag passer"]
    services.thread_mark_read(actor=ke, thread=view.thread, last_post_id=view.posts[-1].pk)
    assert _unread(ke, plan) == 0 and _unread(c, plan) == 1
    [listed] = selectors.threads_of_plan(actor=c, plan_id=plan.pk).threads
    assert listed.unread == 1 and listed.n_posts == 2
    services.thread_mark_read(actor=ke, thread=view.thread, last_post_id=view.posts[0].pk)  # never moves back
    assert _unread(ke, plan) == 0


def test_a_thread_in_a_category_without_consent_is_invisible_and_not_counted(plan, users, share):
    share(["general"], "nav", "teacher")
    c, nav = users["coordinator"], users["nav"]
    secret = services.thread_create(actor=c, plan_id=plan.pk, subject="Medisiner", text="Ny dosering", category="health_function")
    services.thread_create(actor=c, plan_id=plan.pk, subject="Praktisk", text="Møterom")
    assert [t.subject for t in selectors.threads_of_plan(actor=nav, plan_id=plan.pk).threads] == ["Praktisk"]
    assert _unread(nav, plan) == 1
    with pytest.raises(NotFound):
        selectors.thread_detail(actor=nav, thread_id=secret.pk)
    with pytest.raises(NotFound):
        services.post_add(actor=nav, thread_id=secret.pk, text="Hei")
    # The coordinator and the KE always see it.
    assert {t.subject for t in selectors.threads_of_plan(actor=users["ke"], plan_id=plan.pk).threads} == {"Medisiner", "Praktisk"}
    assert _unread(users["ke"], plan) == 2


def test_nobody_writes_in_a_category_they_cannot_see(plan, users, share):
    share(["general"], "nav")
    with pytest.raises(DomainError) as exc:
        services.thread_create(actor=users["nav"], plan_id=plan.pk, subject="x", text="y", category="health_function")
    assert exc.value.status == 400 and not Thread.objects.exists()


@pytest.mark.parametrize("kw, field", [({"subject": ""}, "subject"), ({"text": " "}, "text"), ({"category": "nope"}, "category"),
                                       ({"subject": "x" * 201}, "subject")])
def test_bad_input_writes_nothing(plan, users, kw, field):
    args = {"subject": "Emne", "text": "Tekst", "category": "general", **kw}
    with pytest.raises(DomainError) as exc:
        services.thread_create(actor=users["coordinator"], plan_id=plan.pk, **args)
    assert field in exc.value.details["fields"]
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_outsiders_see_and_write_nothing(plan, users):
    thread = services.thread_create(actor=users["coordinator"], plan_id=plan.pk, subject="Emne", text="Tekst")
    out = users["outsider"]
    for call in (lambda: selectors.threads_of_plan(actor=out, plan_id=plan.pk), lambda: selectors.thread_detail(actor=out, thread_id=thread.pk),
                 lambda: services.post_add(actor=out, thread_id=thread.pk, text="x"),
                 lambda: services.thread_create(actor=out, plan_id=plan.pk, subject="x", text="y")):
        with pytest.raises(NotFound):
            call()
    assert Post.objects.count() == 1
