"""Access is decided in one place, and the import graph shows it (ARCHITECTURE.md rule 4).

Checked on the code's imports, not by searching for names a rename would dodge:
1. Only helhet/access imports helhet.access.facts, the module that computes an actor's tenants, roles and
   relationships. Everything else asks helhet.access.queries, which decides through helhet.access.policy.
2. helhet/access and audit's recorder are leaves: they import no other app's services, selectors or views.
3. No import cycle runs through two apps' read and write modules (services, selectors and what they import).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "helhet"
FACTS = "helhet.access.facts"
INTERFACE = {"views", "urls", "forms", "admin", "templatetags", "apps", "management", "migrations"}


def _name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def imports_of(module: str, modules=None) -> set[str]:
    """Every helhet module this module imports, at module level or inside a function (both bind at run time)."""
    modules = MODULES if modules is None else modules
    path = modules[module]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in modules}


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def _layer(module: str) -> str:
    return module.split(".")[2] if module.count(".") >= 2 else ""


def test_only_helhet_access_imports_the_actor_facts():
    offenders = sorted(m for m in MODULES if _app(m) != "access" and FACTS in imports_of(m))
    assert offenders == []


def _names_imported_from(module: str, source: str, modules=None) -> set[str]:
    path = (MODULES if modules is None else modules)[module]
    return {alias.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module == source for alias in node.names}


def test_outside_helhet_access_only_the_public_decisions_are_imported():
    """helhet.access.queries publishes decisions (__all__); the raw facts are not among them."""
    from helhet.access import queries

    assert not {"actor_context", "ActorContext", "branches", "relationships"} & set(queries.__all__)
    offenders = {m: sorted(names - set(queries.__all__)) for m in MODULES if _app(m) != "access"
                 for names in [_names_imported_from(m, "helhet.access.queries")] if names - set(queries.__all__)}
    assert offenders == {}


def test_access_and_the_audit_recorder_import_no_other_apps_services_selectors_or_views():
    offenders = []
    for m in MODULES:
        leaf = _app(m) == "access" and _layer(m) not in INTERFACE or m in ("helhet.audit.services", "helhet.audit.models")
        if not leaf:
            continue
        for target in imports_of(m):
            other = _app(target) not in (_app(m), "core", "organizations") and (_app(m) != "access" or _app(target) != "audit")
            if other and _layer(target) in ("services", "selectors", "views"):
                offenders.append(f"{m} -> {target}")
            if _app(m) == "audit" and _app(target) == "access":
                offenders.append(f"{m} -> {target}")
    assert offenders == []


def _cycles_across_apps(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan) with modules of two or more apps."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len({_app(c) for c in component}) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _read_write_graph(modules) -> dict[str, set[str]]:
    nodes = {m for m in modules if _layer(m) and _layer(m) not in INTERFACE and _app(m) not in ("api",)}
    return {m: {t for t in imports_of(m, modules) if t in nodes and t != m} for m in nodes}


def test_no_import_cycle_between_apps_services_and_selectors():
    assert _cycles_across_apps(_read_write_graph(MODULES)) == []


@pytest.fixture
def tree(tmp_path):
    def make(files: dict[str, str]):
        for name, text in files.items():
            path = tmp_path / "helhet" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return {".".join(p.relative_to(tmp_path).with_suffix("").parts): p for p in (tmp_path / "helhet").rglob("*.py")}

    return make


def test_the_cycle_check_would_fail_on_the_old_plans_consent_cycle(tree):
    """The shape this project had before: plans' selectors and consent's selectors imported each other."""
    modules = tree({
        "plans/selectors.py": "def f():\n    from helhet.consent.selectors import g\n",
        "consent/selectors.py": "def g():\n    from helhet.plans.selectors import f\n",
        "consent/models.py": "",
    })
    assert _cycles_across_apps(_read_write_graph(modules)) == [["helhet.consent.selectors", "helhet.plans.selectors"]]


def test_the_facts_checks_would_fail_on_the_old_inline_decisions(tree):
    """Before: services imported the actor's raw facts and compared tenants themselves."""
    modules = tree({"access/facts.py": "", "access/queries.py": "",
                    "cases/services.py": "from helhet.access.facts import actor_context\n",
                    "notifications/services.py": "from helhet.access.queries import actor_context, check\n"})
    assert FACTS in imports_of("helhet.cases.services", modules)
    assert _names_imported_from("helhet.notifications.services", "helhet.access.queries", modules) == {"actor_context", "check"}
