"""Two stateless app servers and two workers on one PostgreSQL (issue 14, docs/scale-out.md).

Two gunicorn servers (the checked-in configuration) on one throwaway primary: writes through either are read back
through both. Two `manage.py sendreminders` workers started together on one outbox of 150 e-mails: each e-mail is
sent exactly once (helhet.core.outbox claims a row with a conditional UPDATE), and both workers took part.
"""

from __future__ import annotations

import subprocess
import uuid
from collections import Counter

import pytest

from .appserver import PYTHON, ROOT, AppServer, Browser, app_env, manage, post_until_acknowledged
from .conftest import skip_unless_postgres_pass

pytestmark = [pytest.mark.postgres_only]


def test_writes_through_either_server_are_read_through_both(pg_app):
    skip_unless_postgres_pass()
    cluster, url = pg_app
    thread_id = cluster.sql("select id from meetings_thread order by id limit 1", database="helhet")[0][0]
    servers = [AppServer(url, workers=1), AppServer(url, workers=1)]
    try:
        for server in servers:
            server.wait_ready()
        browsers = [Browser(s.url) for s in servers]
        for browser in browsers:
            browser.login("koordinator")
        run = uuid.uuid4().hex[:10]
        written = set()
        for i in range(20):
            browser = browsers[i % 2]
            key = f"two-{run}-{i}"
            body, _failed = post_until_acknowledged(browser, f"/api/v1/plan-group/threads/{thread_id}/posts", {"text": f"Melding {key}"}, key)
            written.add(body["id"])
        for browser in browsers:
            response = browser.get(f"/api/v1/plan-group/threads/{thread_id}")
            assert response.status_code == 200
            seen = {p["id"] for p in response.json()["posts"]}
            assert written <= seen
    finally:
        for server in servers:
            server.stop()


def test_two_workers_send_each_outbox_email_once(pg_app, tmp_path):
    skip_unless_postgres_pass()
    _cluster, url = pg_app
    run = uuid.uuid4().hex[:10]
    manage(url, "shell", "-c", (
        "from django.utils import timezone; from helhet.core.models import OutgoingEmail\n"
        f"OutgoingEmail.objects.bulk_create([OutgoingEmail(to='x{{0}}@example.invalid'.format(i), subject='scaleout-{run}-{{0}}'.format(i),"
        " body='Test', next_attempt_at=timezone.now()) for i in range(150)])"
    ))
    log = tmp_path / "mail.log"
    env = app_env(url, EMAIL_BACKEND="tests.ops.slowmail.EmailBackend", HELHET_TEST_MAIL_LOG=str(log))
    workers = [subprocess.Popen([PYTHON, "manage.py", "sendreminders"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = []
    try:
        for worker in workers:
            outputs.append(worker.communicate(timeout=120)[0])
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [w.returncode for w in workers] == [0, 0], outputs
    lines = [line.split(" ", 1) for line in log.read_text().splitlines()]
    mine = [(pid, subject) for pid, subject in lines if subject.startswith(f"scaleout-{run}-")]
    per_subject = Counter(subject for _pid, subject in mine)
    assert len(per_subject) == 150, "every e-mail sent"
    assert max(per_subject.values()) == 1, [s for s, n in per_subject.items() if n > 1]
    per_worker = Counter(pid for pid, _subject in mine)
    assert len(per_worker) == 2, f"both workers took part: {dict(per_worker)}"
    print(f"\ntwo workers: 150 e-mails, each sent once, split {sorted(per_worker.values())}")
    unsent = _cluster.sql("select count(*) from core_outgoingemail where subject like %s and sent_at is null",
                          [f"scaleout-{run}-%"], database="helhet")[0][0]
    assert unsent == 0
