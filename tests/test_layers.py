"""The layer rule of README.md (「Layers」), checked on the real import graph (grimp reads every
import statement, including those inside functions).

    api            reads everything below it
    reporting      reads everything below it (not api, not accounts)
    devices  training  accounts   each on its own: none imports another
    budget
    schools
    engine         budget/rules.py: imports only the standard library
    portal         imports no app (portal/urls.py includes them: the one exception)
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "schools", "budget", "devices", "training", "reporting", "accounts", "api")
ENGINE = "budget.rules"

# Which layers each layer may import (besides its own modules). The engine is budget/rules.py
# alone: schools computes the entitlement of its rows with it, so it sits below schools.
ALLOWED = {
    "portal": set(),
    ENGINE: set(),
    "schools": {"portal", ENGINE},
    "budget": {"portal", "schools", ENGINE},
    "devices": {"portal", "schools", "budget", ENGINE},
    "training": {"portal", "schools", "budget", ENGINE},
    "accounts": {"portal", "schools", ENGINE},
    "reporting": {"portal", "schools", "budget", "devices", "training", ENGINE},
    "api": {"portal", "schools", "budget", "devices", "training", "reporting", ENGINE},
}
# portal/urls.py mounts every app's urls.py: the only portal module that names an app.
MAY_IMPORT_ANY_APP = {"portal.urls"}
# Imports that break the rule today and are accepted, each with its reason. Keep it empty.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*APPS, include_external_packages=True)


def layer_of(module: str) -> str:
    if module == ENGINE or module.startswith(ENGINE + "."):
        return ENGINE
    return module.split(".")[0]


def project_imports():
    """(importer, imported) for every import between two of our modules."""
    g = graph()
    for importer in sorted(g.modules):
        if layer_of(importer) not in ALLOWED:
            continue
        for imported in sorted(g.find_modules_directly_imported_by(importer)):
            if imported.split(".")[0] in APPS:
                yield importer, imported


def layer_violations() -> list[str]:
    found = []
    for importer, imported in project_imports():
        source, target = layer_of(importer), layer_of(imported)
        if source == target or target in ALLOWED[source] or importer in MAY_IMPORT_ANY_APP:
            continue
        if (importer, imported) in KNOWN_EXCEPTIONS:
            continue
        found.append(f"{importer} ({source}) imports {imported} ({target})")
    return found


def test_no_layer_imports_a_layer_above_it():
    assert layer_violations() == []


def test_the_engine_imports_only_the_standard_library():
    imported = graph().find_modules_directly_imported_by(ENGINE)
    assert imported, "grimp did not read budget/rules.py"
    outside = sorted(m for m in imported if m.split(".")[0] not in sys.stdlib_module_names)
    assert outside == [], f"budget/rules.py must stay pure Python; it imports {outside}"


def test_portal_imports_no_app_except_its_urls():
    apps = [
        f"{importer} imports {imported}"
        for importer, imported in project_imports()
        if layer_of(importer) == "portal" and layer_of(imported) != "portal" and importer not in MAY_IMPORT_ANY_APP
    ]
    assert apps == []


def test_the_rule_catches_an_upward_import():
    """The check itself works: a schools module importing budget.models is reported."""
    g = graph()
    g.add_import(importer="schools.models", imported="budget.models")
    try:
        assert "schools.models (schools) imports budget.models (budget)" in layer_violations()
    finally:
        g.remove_import(importer="schools.models", imported="budget.models")


def module_files():
    for app in APPS:
        yield from sorted((ROOT / app).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def private_imports() -> list[str]:
    """`from other.module import _name`: another module's private name (an alias that starts
    with _ of a public name is fine: `import hours as _hours`)."""
    found = []
    for path in module_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        here = module_name(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if node.module.split(".")[0] not in APPS or node.module == here:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{here} imports {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_name():
    assert private_imports() == []


def test_the_private_name_check_catches_one(tmp_path, monkeypatch):
    """The check itself works: a module importing another's _private name is reported."""
    package = tmp_path / "reporting"
    package.mkdir()
    (package / "leak.py").write_text("from reporting.selectors_usage import _aggregates\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "APPS", ("reporting",))
    assert private_imports() == ["reporting.leak imports reporting.selectors_usage._aggregates"]
