"""The layers import downwards only: domain <- store <- projections; domain <- rendering; cli and web on top.

Read from the source with ``ast`` (imports inside functions count too), so a shortcut
taken anywhere fails here with the module and the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = {"domain": "domain", "store": "store", "projections": "projections", "rendering": "rendering",
            "cli": "cli", "web": "web"}
# What each layer may import of casetrail (itself always).
ALLOWED = {
    "domain": set(),
    "store": {"domain"},
    "projections": {"domain", "store"},
    "rendering": {"domain"},
    "cli": {"domain", "store", "projections", "rendering", "web"},  # web: serve and user
    "web": {"domain", "store", "projections", "rendering"},
}
# Outside casetrail, what the pure model must never reach for.
NOT_IN_DOMAIN = ("sqlalchemy", "sqlite3", "psycopg", "yaml", "typer", "rich", "eventsourcing.application",
                 "eventsourcing.persistence", "eventsourcing.sqlite", "eventsourcing.postgres", "jinja2", "starlette")


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def modules(layer: str) -> list[Path]:
    return sorted((ROOT / PACKAGES[layer]).glob("*.py"))


@pytest.mark.parametrize("layer", PACKAGES)
def test_a_layer_imports_only_the_layers_below_it(layer):
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in modules(layer) for line, name in imports(path)
             if name.startswith("casetrail.") and name.split(".")[1] not in ALLOWED[layer] | {layer}]

    assert wrong == []


def test_the_model_imports_no_storage_sql_yaml_or_cli_module():
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in modules("domain") for line, name in imports(path)
             if any(name == banned or name.startswith(banned + ".") for banned in NOT_IN_DOMAIN)]

    assert wrong == []


def test_every_layer_says_what_it_holds_and_what_it_may_import():
    for layer in PACKAGES:
        doc = ast.get_docstring(ast.parse((ROOT / PACKAGES[layer] / "__init__.py").read_text())) or ""

        assert doc.startswith(f"casetrail.{layer}:") and "May import" in doc, layer
