"""The lower bound the plan API document is compared with: ONE PostgreSQL query that returns the same plan's
nested document as JSON (json_build_object / json_agg), the same sections and fields as
helhet.plans.documents.build_document, without the Norwegian labels (translations are not in the database),
without the access decision and without the audit write.

It is a yardstick, not a read path: nothing in the application uses it (every read goes through
helhet.access and writes its audit event). The benchmark times it for the same plans, in the same run,
over the same connection as the API requests and reports API p50 / query p50.
"""

from __future__ import annotations

import time

from django.db import connection

_USER = "(select json_build_object('id', u.id, 'name', coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username)) from organizations_user u where u.id = {col})"
_UNIT = "(select json_build_object('id', su.id, 'name', su.name) from organizations_serviceunit su where su.id = {col})"


def _user(col: str) -> str:
    return _USER.format(col=col)


def _unit(col: str) -> str:
    return _UNIT.format(col=col)


def _consent(alias: str) -> str:
    return (
        f"json_build_object('id', {alias}.id, 'kind', {alias}.kind, 'given_by', {alias}.given_by, "
        f"'given_by_name', {alias}.given_by_name, 'method', {alias}.method, 'given_on', {alias}.given_on, "
        f"'valid_to', {alias}.valid_to, 'withdrawn_on', {alias}.withdrawn_on, 'note', {alias}.note)"
    )


PLAN_DOCUMENT_SQL = f"""
select json_build_object(
  'id', p.id,
  'person', json_build_object('id', pe.id, 'name', pe.given_name || ' ' || pe.family_name,
            'birth_year', extract(year from pe.birth_date)::int, 'birth_date', pe.birth_date,
            'preferred_language', pe.preferred_language, 'needs_interpreter', pe.needs_interpreter),
  'status', p.status,
  'main_responsibility', json_build_object('sector', p.main_sector, 'unit', mu.name, 'unit_id', p.main_unit_id,
            'basis', p.main_basis, 'reason', p.main_reason),
  'period', json_build_object('start', p.period_start, 'end', p.period_end,
            'evaluation_interval_months', p.evaluation_interval_months,
            'next_evaluation', (select min(e.planned_on) from plans_evaluation e where e.plan_id = p.id and e.held_on is null)),
  'closed', json_build_object('on', p.closed_on, 'reason', p.close_reason, 'note', p.close_note),
  'predecessor_id', p.predecessor_id,
  'created_at', p.created_at,
  'consent', json_build_object(
      'plan_work', (select {_consent("c")} from consent_consent c where c.id = p.consent_id),
      'sharing', coalesce((select json_agg({_consent("c")} order by c.given_on, c.id) from consent_consent c
                           where c.person_id = p.person_id and c.kind = 'sharing'), '[]'::json)),
  'coordinators', coalesce((select json_agg(json_build_object('id', a.id, 'kind', a.kind, 'user_id', a.coordinator_id,
            'coordinator', {_user("a.coordinator_id")}, 'unit', {_unit("a.unit_id")}, 'start', a.start, 'end', a."end")
            order by a.start, a.id) from cases_coordinatorappointment a where a.person_id = p.person_id), '[]'::json),
  'goals', coalesce((select json_agg(json_build_object('id', g.id, 'text', g.text, 'written_by', g.written_by,
            'status', g.status, 'status_on', g.status_on, 'status_note', g.status_note, 'order', g."order",
            'category', g.category) order by g."order", g.id) from plans_goal g where g.plan_id = p.id), '[]'::json),
  'resources', coalesce((select json_agg(json_build_object('id', r.id, 'text', r.text, 'written_by', r.written_by,
            'order', r."order", 'category', r.category) order by r."order", r.id) from plans_resource r where r.plan_id = p.id), '[]'::json),
  'needs', coalesce((select json_agg(json_build_object('id', n.id, 'text', n.text, 'area', n.area, 'written_by', n.written_by,
            'order', n."order", 'category', n.category) order by n."order", n.id) from plans_need n where n.plan_id = p.id), '[]'::json),
  'participants', coalesce((select json_agg(json_build_object('id', pa.id, 'kind', pa.kind,
            'relative', (select json_build_object('id', rl.id, 'name', rl.name) from people_relative rl where rl.id = pa.relative_id),
            'user', {_user("pa.user_id")}, 'unit', {_unit("pa.unit_id")}, 'sector', pa.sector, 'role', pa.role,
            'active', pa.active, 'order', pa."order", 'added_at', pa.created_at) order by pa."order", pa.id)
            from plans_participant pa where pa.plan_id = p.id), '[]'::json),
  'contributions', coalesce((select json_agg(json_build_object('id', co.id, 'by', co.by,
            'relative', (select json_build_object('id', rl.id, 'name', rl.name) from people_relative rl where rl.id = co.relative_id),
            'unit', {_unit("co.unit_id")}, 'text', co.text, 'order', co."order", 'category', co.category) order by co."order", co.id)
            from plans_contribution co where co.plan_id = p.id), '[]'::json),
  'measures', coalesce((select json_agg(json_build_object('id', m.id, 'title', m.title,
            'goal_ids', coalesce((select json_agg(mg.goal_id order by mg.goal_id) from plans_measure_goals mg where mg.measure_id = m.id), '[]'::json),
            'scope', m.scope, 'how', m.how, 'responsible_unit', {_unit("m.responsible_unit_id")},
            'responsible_person', {_user("m.responsible_person_id")}, 'start', m.start, 'end', m."end", 'deadline', m.deadline,
            'status', m.status, 'deprioritised', m.deprioritised, 'deprioritised_reason', m.deprioritised_reason,
            'order', m."order", 'category', m.category,
            'status_history', coalesce((select json_agg(json_build_object('from_status', s.from_status, 'to_status', s.to_status,
                    'on', s."on", 'note', s.note, 'by', {_user("s.by_id")}) order by s."on", s.id)
                    from plans_measurestatuschange s where s.measure_id = m.id), '[]'::json))
            order by m."order", m.id) from plans_measure m where m.plan_id = p.id), '[]'::json),
  'evaluations', coalesce((select json_agg(json_build_object('id', e.id, 'planned_on', e.planned_on, 'held_on', e.held_on,
            'reviewed', e.reviewed, 'changes', e.changes, 'next_on', e.next_on, 'category', e.category) order by e."order", e.id)
            from plans_evaluation e where e.plan_id = p.id), '[]'::json),
  'cooperation', coalesce((select json_agg(json_build_object('id', cp.id, 'partner', cp.partner, 'kind', cp.kind,
            'unit', {_unit("cp.unit_id")}, 'purpose', cp.purpose, 'contact', cp.contact, 'order', cp."order", 'category', cp.category)
            order by cp."order", cp.id) from plans_cooperation cp where cp.plan_id = p.id), '[]'::json),
  'subplans', coalesce((select json_agg(json_build_object('id', sp.id, 'kind', sp.kind, 'title', sp.title,
            'responsible_unit', {_unit("sp.responsible_unit_id")}, 'text', sp.text, 'file', sp.file, 'file_name', sp.file_name,
            'file_size', sp.file_size, 'content_type', sp.content_type, 'sha256', sp.sha256, 'order', sp."order", 'category', sp.category)
            order by sp."order", sp.id) from plans_subplan sp where sp.plan_id = p.id), '[]'::json),
  'main_responsibility_history', coalesce((select json_agg(json_build_object('id', h.id, 'sector', h.sector,
            'unit', {_unit("h.unit_id")}, 'basis', h.basis, 'reason', h.reason, 'on', h."on", 'by', {_user("h.by_id")})
            order by h."on", h.id) from plans_mainresponsibilitychange h where h.plan_id = p.id), '[]'::json),
  'status_history', coalesce((select json_agg(json_build_object('id', h.id, 'from_status', h.from_status, 'to_status', h.to_status,
            'on', h."on", 'reason', h.reason, 'by', {_user("h.by_id")}) order by h."on", h.id)
            from plans_planstatuschange h where h.plan_id = p.id), '[]'::json),
  'version', p.version,
  'published_number', p.published_number,
  'successor_ids', coalesce((select json_agg(sx.id order by sx.id) from plans_individualplan sx where sx.predecessor_id = p.id), '[]'::json),
  'versions', coalesce((select json_agg(json_build_object('number', v.number, 'reason', v.reason, 'author', {_user("v.author_id")},
            'published_at', v.published_at, 'based_on_version', v.based_on_version) order by v.number)
            from plans_planversion v where v.plan_id = p.id), '[]'::json)
)::text
from plans_individualplan p
join people_person pe on pe.id = p.person_id
join organizations_serviceunit mu on mu.id = p.main_unit_id
where p.id = %s
"""


def plan_document_json(plan_id: int) -> str | None:
    """The plan's document as JSON text from one query (PostgreSQL only); None when there is no such plan."""
    with connection.cursor() as cursor:
        cursor.execute(PLAN_DOCUMENT_SQL, [plan_id])
        row = cursor.fetchone()
    return row[0] if row else None


def time_one_query(plan_ids: list[int]) -> dict:
    """Round-trip time (ms) of the one query for each plan, text fetched into Python; and the JSON sizes."""
    times, sizes = [], []
    for pk in plan_ids:
        started = time.perf_counter()
        text = plan_document_json(pk)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(text or ""))
    return {"times_ms": times, "bytes": sizes}
