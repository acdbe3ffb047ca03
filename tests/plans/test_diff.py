"""diff_documents is pure: added / removed / changed items per section with Norwegian labels."""

from helhet.plans.diff import diff_documents, summary


def doc(**over):
    base = {
        "status": "active", "status_label": "Aktiv",
        "main_responsibility": {"sector": "nav", "sector_label": "NAV", "unit": "NAV Fjordvik", "unit_id": 1, "basis": "agreement",
                                "basis_label": "Avtale", "reason": ""},
        "period": {"start": "2026-01-01", "end": None, "evaluation_interval_months": 6, "next_evaluation": None},
        "goals": [{"id": 1, "label": "Bo hjemme", "text": "Bo hjemme", "status": "active", "status_label": "Aktivt", "order": 0}],
        "measures": [],
        "consent": {"plan_work": {"id": 1, "kind_label": "Samtykke", "given_by_name": "Mari", "given_on": "2026-01-01"}, "sharing": []},
    }
    base.update(over)
    return base


def test_identical_documents_have_no_diff():
    assert diff_documents(doc(), doc()) == []


def test_added_removed_and_changed_items_with_labels():
    new = doc(goals=[{"id": 1, "label": "Bo hjemme", "text": "Bo hjemme", "status": "achieved", "status_label": "Nådd", "order": 3},
                     {"id": 2, "label": "Jobbe", "text": "Jobbe", "status": "active", "status_label": "Aktivt", "order": 1}],
              measures=[{"id": 9, "label": "Tur", "title": "Tur", "goal_ids": [1], "goals": ["Bo hjemme"]}])
    d = {s["section"]: s for s in diff_documents(doc(), new)}
    assert d["goals"]["label"] == "Mål"
    assert d["goals"]["added"][0]["label"] == "Jobbe"
    assert d["goals"]["changed"] == [{"id": 1, "label": "Bo hjemme", "fields": [{"field": "status", "label": "Status", "old": "Aktivt", "new": "Nådd"}]}]
    assert d["measures"]["added"][0]["fields"][1] == {"field": "goals", "label": "Mål", "value": "Bo hjemme"}
    assert diff_documents(new, doc())[0]["removed"][0]["label"] == "Jobbe"
    assert summary(diff_documents(doc(), new)) == ["Mål: 1 nye, 1 endret", "Tiltak: 1 nye"]


def test_single_valued_sections():
    new = doc(status="closed", status_label="Avsluttet",
              main_responsibility={**doc()["main_responsibility"], "sector": "health_care", "sector_label": "Helse", "unit_id": 2},
              period={**doc()["period"], "end": "2026-12-31"})
    d = {s["section"]: s for s in diff_documents(doc(), new)}
    assert d["status"]["changed"][0]["fields"][0]["new"] == "Avsluttet"
    assert d["main_responsibility"]["changed"][0]["fields"] == [{"field": "sector", "label": "Sektor", "old": "NAV", "new": "Helse"}]
    assert d["period"]["changed"][0]["fields"] == [{"field": "end", "label": "Slutt", "old": "–", "new": "2026-12-31"}]
