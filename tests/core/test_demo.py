from django.test import override_settings

from helhet.cases.models import Appeal, CoordinatorAppointment, Decision, Request
from helhet.core.demo import seed_demo
from helhet.people.models import Person


def test_demo_data_covers_every_case_state_and_is_idempotent(db):
    seed_demo()
    persons = Person.objects.count()
    assert 25 <= persons <= 35
    assert set(Request.objects.values_list("status", flat=True)) >= {"registered", "assessed", "decided", "appealed"}
    assert Decision.objects.filter(outcome="refused").exists() and Decision.objects.filter(outcome="granted").exists()
    assert Appeal.objects.filter(status="forwarded").exists()
    kinds = set(CoordinatorAppointment.objects.values_list("kind", flat=True))
    assert kinds == {"coordinator", "child_coordinator", "hospital_coordinator"}
    assert Person.objects.filter(is_d_number=True).exists()
    from helhet.plans.models import IndividualPlan

    assert set(IndividualPlan.objects.values_list("status", flat=True)) == {"draft", "active", "under_evaluation", "closed"}
    # Generated letters a first-time user meets in the document area: a decision letter (nb and nn) and a GP letter.
    from helhet.documents.models import Document

    letters = Document.objects.values_list("kind", "language")
    assert {("decision_letter", "nb"), ("decision_letter", "nn")} <= set(letters)
    assert Document.objects.filter(kind="partner_information").exists()
    assert all(d.file.storage.exists(d.file.name) for d in Document.objects.all())
    seed_demo()
    assert Person.objects.count() == persons


@override_settings(HELHET_DEMO=False)
def test_seed_demo_command_refuses_outside_demo_mode(db):
    import pytest
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Person.objects.exists()


@override_settings(HELHET_DEMO=True)
def test_seed_demo_command_prints_every_login_the_readme_lists(db):
    import io
    import re
    from pathlib import Path

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = set(re.findall(r"^  (\S+)\s", out.getvalue(), re.M))
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, re.M))
    assert {"ung", "forelder", "verge", "ke", "nav"} <= listed
    assert listed <= printed, f"README lists logins the command does not print: {sorted(listed - printed)}"
