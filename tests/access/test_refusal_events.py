"""Every refusal about an existing person is logged: a 404 on an endpoint about the person writes an AuditEvent with
action="denied" naming that person, and that event survives the request (it is not rolled back with it).

The endpoints are the canary walk's (tests/access/canary.py: every URL pattern and every OpenAPI GET operation,
parameters filled with the ids of the person's objects). "About an existing person": the KE of the person's home
municipality gets something other than 404 there (so a 404 for the outsider is a refusal, not a missing object).

    outsider      (KE of another municipality) on every such endpoint
    nav           (involved NAV adviser) on the staff-only case endpoints (request, assessment, decision, appeal)
"""

from __future__ import annotations

import pytest

from helhet.audit.models import AuditEvent

from .canary import build_scenario, client_for, endpoints, walk

CASE_KINDS_IN_ROUTE = ("henvendelser", "klager", "cases/requests", "koordinatoroppdrag", "cases/appointments")


def _denied_count(person) -> int:
    # A fresh query after the request: an event written inside a transaction the request rolled back is gone.
    return AuditEvent.objects.filter(action="denied", person_id=person.pk).count()


def _check(reader, scenario, items, problems, lines):
    client = client_for(scenario.users[reader])
    refused = 0
    for e in items:
        before = _denied_count(scenario.person)
        resp = client.get(e.url)
        if resp.status_code != 404:
            if reader == "outsider" and resp.status_code not in (405,):
                problems.append(f"{reader}: {e.pattern} [{e.url}] status {resp.status_code} (expected 404)")
            continue
        refused += 1
        if _denied_count(scenario.person) <= before:
            problems.append(f"{reader}: {e.pattern} [{e.url}] 404 without a kept 'denied' event naming the person")
    lines.append(f"{reader}: {len(items)} endpoints, {refused} refused (404)")


@pytest.mark.django_db
def test_every_refusal_about_the_person_is_logged_and_kept(world, capsys):
    scenario = build_scenario(world)
    eps = endpoints(scenario, client_for(scenario.users["ke"]))
    ke_hits = walk(scenario.users["ke"], eps.person_data, scenario.canaries)
    existing = [h.endpoint for h in ke_hits if h.status != 404]
    staff_only = [e for e in existing if any(k in e.pattern for k in CASE_KINDS_IN_ROUTE)]
    problems: list[str] = []
    lines = [f"person-data endpoints: {len(eps.person_data)}, of them not 404 for the KE: {len(existing)}; case endpoints: {len(staff_only)}"]
    _check("outsider", scenario, existing, problems, lines)
    _check("nav", scenario, staff_only, problems, lines)
    text = "\n".join(lines + [f"  {p}" for p in problems])
    with capsys.disabled():
        print("\n== refusal events\n" + text)
    assert len(existing) >= 20, text
    assert not problems, text
