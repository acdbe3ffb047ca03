"""A readable diff between two plan documents, by section. Pure: no database, no access checks.

diff_documents(old, new) -> list of sections that changed, in plan order:
    {"section": "goals", "label": "Mål",
     "added":   [{"id", "label", "fields": [{"field", "label", "value"}]}],
     "removed": [{"id", "label", "fields": [...]}],
     "changed": [{"id", "label", "fields": [{"field", "label", "old", "new"}]}]}
Single-valued sections (main responsibility, period, closing, plan-work consent) appear as one
changed item. Documents are those of helhet.plans.documents.build_document(snapshot=True).
"""

from __future__ import annotations

# (key in the document, Norwegian label). Order = the plan's order, starting with the person's own goals.
SECTIONS = [
    ("goals", "Mål"),
    ("resources", "Ressurser"),
    ("needs", "Behov"),
    ("participants", "Deltakere i planarbeidet"),
    ("coordinators", "Koordinator"),
    ("contributions", "Egen innsats og bidrag"),
    ("measures", "Tiltak"),
    ("period", "Planperiode"),
    ("evaluations", "Evalueringer"),
    ("consent", "Samtykke"),
    ("cooperation", "Samarbeid med andre tjenester"),
    ("subplans", "Delplaner"),
    ("main_responsibility", "Hovedansvar"),
    ("status", "Status"),
    ("closed", "Avslutning"),
]

FIELD_LABELS = {
    "text": "Tekst", "written_by": "Skrevet av", "status": "Status", "status_on": "Statusdato", "status_note": "Merknad til status",
    "area": "Område", "kind": "Type", "name": "Navn", "unit": "Enhet", "sector": "Sektor", "role": "Rolle i planarbeidet", "active": "Aktiv",
    "by": "Bidrag fra", "relative": "Pårørende", "title": "Tittel", "goals": "Mål", "scope": "Omfang", "how": "Hvordan",
    "responsible_unit": "Ansvarlig enhet", "responsible_person": "Ansvarlig person", "start": "Start", "end": "Slutt", "deadline": "Frist",
    "deprioritised": "Nedprioritert", "deprioritised_reason": "Begrunnelse for nedprioritering", "planned_on": "Planlagt dato",
    "held_on": "Gjennomført dato", "reviewed": "Hva ble gjennomgått", "changes": "Hva ble endret", "next_on": "Neste evaluering",
    "partner": "Samarbeidspart", "purpose": "Hva samarbeidet gjelder", "contact": "Kontakt", "file": "Fil", "basis": "Grunnlag",
    "reason": "Begrunnelse", "evaluation_interval_months": "Evalueringsintervall (måneder)", "next_evaluation": "Neste evaluering",
    "on": "Dato", "note": "Merknad", "plan_work": "Samtykke til planarbeidet", "sharing": "Samtykke til deling",
}
# Not compared: identity, order, computed or historical parts.
IGNORED = {"id", "label", "order", "status_history", "goal_ids"}


def _shown(item: dict, key: str):
    value = item.get(f"{key}_label", item.get(key)) if f"{key}_label" in item else item.get(key)
    return _display(value)


def _display(value):
    if value is None or value == "":
        return "–"
    if value is True:
        return "Ja"
    if value is False:
        return "Nei"
    if isinstance(value, list):
        return "; ".join(str(_display(v)) for v in value) or "–"
    if isinstance(value, dict):
        if "name" in value and "size" in value:  # a file
            return value["name"]
        if "kind_label" in value:  # a consent
            return f"{value.get('kind_label')}, {value.get('given_by_name')} {value.get('given_on')}"
        return ", ".join(f"{k}: {_display(v)}" for k, v in value.items())
    return value


def _keys(item: dict) -> list[str]:
    return [k for k in item if k not in IGNORED and not k.endswith("_label") and not k.endswith("_id")]


def _fields_of(item: dict) -> list[dict]:
    return [{"field": k, "label": FIELD_LABELS.get(k, k), "value": _shown(item, k)} for k in _keys(item) if item.get(k) not in (None, "", [])]


def _compare(old: dict, new: dict) -> list[dict]:
    out = []
    for k in dict.fromkeys(_keys(old) + _keys(new)):
        if old.get(k) != new.get(k):
            out.append({"field": k, "label": FIELD_LABELS.get(k, k), "old": _shown(old, k), "new": _shown(new, k)})
    return out


def _diff_items(old: list[dict], new: list[dict]) -> dict:
    before = {i["id"]: i for i in old}
    after = {i["id"]: i for i in new}
    added = [{"id": i["id"], "label": i.get("label", ""), "fields": _fields_of(i)} for k, i in after.items() if k not in before]
    removed = [{"id": i["id"], "label": i.get("label", ""), "fields": _fields_of(i)} for k, i in before.items() if k not in after]
    changed = []
    for k, i in after.items():
        if k in before:
            fields = _compare(before[k], i)
            if fields:
                changed.append({"id": k, "label": i.get("label") or before[k].get("label", ""), "fields": fields})
    return {"added": added, "removed": removed, "changed": changed}


def diff_documents(old: dict, new: dict) -> list[dict]:
    out = []
    for key, label in SECTIONS:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, list) or isinstance(b, list):
            result = _diff_items(a or [], b or [])
        elif key == "status":
            result = {"added": [], "removed": [], "changed": [{"id": None, "label": label, "fields": [
                {"field": "status", "label": "Status", "old": old.get("status_label", a), "new": new.get("status_label", b)}]}]}
        elif key == "consent":
            fields = _compare({"plan_work": (a or {}).get("plan_work")}, {"plan_work": (b or {}).get("plan_work")})
            result = _diff_items((a or {}).get("sharing", []), (b or {}).get("sharing", []))
            if fields:
                result["changed"].insert(0, {"id": None, "label": FIELD_LABELS["plan_work"], "fields": fields})
        else:
            fields = _compare(a or {}, b or {})
            result = {"added": [], "removed": [], "changed": [{"id": None, "label": label, "fields": fields}] if fields else []}
        if result["added"] or result["removed"] or result["changed"]:
            out.append({"section": key, "label": label, **result})
    return out


def summary(diff: list[dict]) -> list[str]:
    """One line per section: 'Mål: 2 nye, 1 endret'."""
    lines = []
    for s in diff:
        parts = []
        if s["added"]:
            parts.append(f"{len(s['added'])} nye")
        if s["changed"]:
            parts.append(f"{len(s['changed'])} endret")
        if s["removed"]:
            parts.append(f"{len(s['removed'])} fjernet")
        lines.append(f"{s['label']}: {', '.join(parts)}")
    return lines
