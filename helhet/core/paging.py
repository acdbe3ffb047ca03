"""Paging for every list page: one Page type, shown by templates/_pager.html ("Viser 51–100 av 1 234", Forrige/Neste).

    keyset_page(queryset, params, *, per_page) -> Page   the big lists (persons, KE overview, inbox, notifications, logs):
                                                         a cursor on the queryset's ORDER BY key (?etter=/?foer=); a list
                                                         of querysets ordered alike is merged into one list (the inbox)
    offset_page(rows, params, *, per_page) -> Page       small bounded lists and lists computed in Python (deadlines):
                                                         Django's Paginator (?side=), with page numbers

Both cost a fixed number of queries: the page's rows and one COUNT (per queryset). `params` is the request's query string
(request.GET); the links keep every other parameter (filters, search) and drop the paging ones.
A bad page number or cursor gives the first page, never an error.

Keyset paging: the queryset's order_by() names plain, non-null fields (related fields through "__"), ending in a
unique one (a missing "pk" is appended, so the order is always deterministic). The cursor is the last (or first) row's
key values plus its position in the list, signed (django.core.signing) so it is opaque and cannot be forged into
another query; the position only numbers the rows shown ("51–100"). The previous page is the reversed order before
the first row's key. Access is the queryset's: callers pass the access-scoped queryset of their selector, so rows the
actor may not see are neither shown nor counted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet

PER_PAGE = 50
PAGE_PARAM = "side"
AFTER_PARAM = "etter"
BEFORE_PARAM = "foer"
_PARAMS = (PAGE_PARAM, AFTER_PARAM, BEFORE_PARAM)
_SALT = "helhet.core.paging"
_KEY = "_paging_key_%d"


@dataclass
class Page:
    object_list: list
    total: int
    start_index: int  # 1-based position of the first row shown; 0 when the page is empty
    params: object = None  # the request's QueryDict
    prefix: str = ""  # several pagers on one page: "<prefix>side" etc.
    previous: dict | None = None  # {param: value} of the previous page's link, None on the first page
    next: dict | None = None
    numbers: list = field(default_factory=list)  # offset paging: [(number or None for "…", url or "", is_current)]

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def __bool__(self):
        return bool(self.object_list)

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1 if self.object_list else 0

    @property
    def has_other_pages(self) -> bool:
        return self.previous is not None or self.next is not None

    @property
    def previous_url(self) -> str:
        return self.url(self.previous) if self.previous is not None else ""

    @property
    def next_url(self) -> str:
        return self.url(self.next) if self.next is not None else ""

    def url(self, paging: dict) -> str:
        """'?<the other parameters>&<paging>': the link to another page of the same list."""
        query = self.params.copy() if self.params is not None else _empty()
        for name in _PARAMS:
            query.pop(self.prefix + name, None)
        for name, value in paging.items():
            query[self.prefix + name] = value
        return "?" + query.urlencode()


def _empty():
    from django.http import QueryDict

    return QueryDict(mutable=True)


def offset_page(rows, params, *, per_page: int = PER_PAGE, prefix: str = "") -> Page:
    """A page of a small list (a queryset with a deterministic order, or a Python list) by page number."""
    number = (params.get(prefix + PAGE_PARAM) if params is not None else None) or "1"
    page = Paginator(rows, per_page).get_page(number[:6])  # get_page: a bad number gives page 1 (too large: the last)
    result = Page(object_list=list(page.object_list), total=page.paginator.count, start_index=page.start_index() if page.object_list else 0,
                  params=params, prefix=prefix)
    if page.has_previous():
        result.previous = {PAGE_PARAM: page.previous_page_number()}
    if page.has_next():
        result.next = {PAGE_PARAM: page.next_page_number()}
    if page.paginator.num_pages > 1:
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            is_number = n != page.paginator.ELLIPSIS
            result.numbers.append((n if is_number else None, result.url({PAGE_PARAM: n}) if is_number else "", n == page.number))
    return result


def _order_keys(qs: QuerySet) -> list[tuple[str, bool]]:
    """[(field path, descending)] of the queryset's order, ending in the primary key."""
    order = list(qs.query.order_by or qs.model._meta.ordering or [])
    keys = []
    for item in order:
        if not isinstance(item, str) or item == "?":
            raise ValueError("keyset paging orders by field names only")
        keys.append((item.lstrip("-"), item.startswith("-")))
    if not keys or keys[-1][0] not in ("pk", "id", qs.model._meta.pk.name):
        keys.append(("pk", keys[-1][1] if keys else False))
    return keys


def _plain(value):
    if isinstance(value, dt.date | Decimal | uuid.UUID):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _after(keys, values, source: int, cursor_source: int, *, reverse: bool) -> Q:
    """Rows of source number `source` after the cursor (before it when reverse), in the merged order of the key fields,
    then the source's number, then the primary key: (a > x) | (a = x & b > y) | ... with the primary key compared only
    within the cursor's own source."""
    *fields, (pk_name, pk_desc) = keys
    *prefix, pk_value = values
    q, equal = Q(pk__in=[]), Q()
    for (name, desc), value in zip(fields, prefix, strict=True):
        q |= equal & Q(**{f"{name}__{'lt' if desc != reverse else 'gt'}": value})
        equal &= Q(**{name: value})
    if source == cursor_source:
        return q | (equal & Q(**{f"{pk_name}__{'lt' if pk_desc != reverse else 'gt'}": pk_value}))
    return q | equal if (source > cursor_source) != reverse else q


def _sort(rows: list, keys, *, reverse: bool) -> list:
    # Least significant key first; Python's sort is stable. Key values are the annotated ones (never NULL).
    rows = sorted(rows, key=lambda r: r[1][-1], reverse=keys[-1][1] != reverse)
    rows.sort(key=lambda r: r[0], reverse=reverse)
    for i in range(len(keys) - 2, -1, -1):
        rows.sort(key=lambda r, i=i: r[1][i], reverse=keys[i][1] != reverse)
    return rows


def _cursor(row, position: int, salt: str) -> str:
    source, values = row
    return signing.dumps({"v": [_plain(v) for v in values], "s": source, "p": position}, salt=salt, compress=True)


def _read_cursor(token: str | None, n_keys: int, n_sources: int, salt: str):
    if not token:
        return None
    try:
        data = signing.loads(token[:2000], salt=salt)
        values, source, position = data["v"], int(data["s"]), int(data["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    # A NULL key (a nullable field ordered on) cannot be compared: such a cursor gives the first page, not an error.
    if not isinstance(values, list) or len(values) != n_keys or None in values or position < 0 or not 0 <= source < n_sources:
        return None
    return values, source, position


def keyset_page(qs: QuerySet | list[QuerySet], params, *, per_page: int = PER_PAGE, prefix: str = "", count: int | None = None) -> Page:
    """A page of a big list: the rows after (?etter=) or before (?foer=) a cursor, in the queryset's order, and the
    total from one COUNT (or `count`, when the caller has it already).

    Several querysets (e.g. the inbox's threads and notifications) make one list when they order by the same key names
    (annotate them): each gives at most a page of rows after the cursor, merged in Python; ties between sources go to
    the earlier source. One query and one COUNT per source."""
    sources = list(qs) if isinstance(qs, list | tuple) else [qs]
    keys = _order_keys(sources[0])
    if any(_order_keys(other) != keys for other in sources[1:]):
        raise ValueError("merged keyset paging needs the same order in every source")
    # A cursor is valid only for the list (models and order) it was made for, so its values always fit the fields.
    salt = f"{_SALT}:{'+'.join(s.model._meta.label for s in sources)}:{','.join(('-' if d else '') + n for n, d in keys)}"
    get = params.get if params is not None else (lambda _name: None)
    names = [_KEY % i for i in range(len(keys))]
    keyed = [s.annotate(**{_KEY % i: F(name) for i, (name, _desc) in enumerate(keys)}) for s in sources]

    def fetch(cursor, *, reverse: bool) -> list:
        order = [("-" if desc != reverse else "") + name for name, desc in keys]
        rows = []
        for n, source in enumerate(keyed):
            if cursor is not None:
                source = source.filter(_after(keys, cursor[0], n, cursor[1], reverse=reverse))
            rows += [(n, [getattr(obj, k) for k in names], obj) for obj in source.order_by(*order)[:per_page + 1]]
        return _sort([(n, v, obj) for n, v, obj in rows], keys, reverse=reverse)[:per_page + 1]

    backwards = False
    cursor = _read_cursor(get(prefix + AFTER_PARAM), len(keys), len(sources), salt)
    if cursor is None:
        cursor = _read_cursor(get(prefix + BEFORE_PARAM), len(keys), len(sources), salt)
        backwards = cursor is not None
    rows, start, more = [], 0, False
    if backwards:
        rows = fetch(cursor, reverse=True)
        if len(rows) > per_page:  # rows before these: a middle page
            rows, more = rows[:per_page][::-1], True
            start = max(cursor[2] - per_page, 1)
        else:  # back at the start (or the rows before it moved): the first page, in full
            cursor = None
    elif cursor is not None:
        rows, start = fetch(cursor, reverse=False), cursor[2]
        if not rows:  # past the end (rows removed since): the first page
            cursor = None
        else:
            more, rows = len(rows) > per_page, rows[:per_page]
    if cursor is None:
        rows, start = fetch(None, reverse=False), 0
        more, rows = len(rows) > per_page, rows[:per_page]
    total = sum(s.order_by().count() for s in sources) if count is None else count
    page = Page(object_list=[obj for _n, _v, obj in rows], total=total, start_index=start + 1 if rows else 0, params=params, prefix=prefix)
    if rows and start > 0:
        page.previous = {BEFORE_PARAM: _cursor(rows[0][:2], start, salt)}
    if rows and more:
        page.next = {AFTER_PARAM: _cursor(rows[-1][:2], start + len(rows), salt)}
    return page
