"""Imports flow one way (rule 1 of docs/architecture.md), checked on the syntax tree of every
Python file of the repository (outside tests/, benchmarks/ and virtual environments):

* ``scoring`` imports nothing from ``inventory``, no SQLAlchemy, no Streamlit;
* ``inventory`` never imports Streamlit, and only its command line (``inventory/cli/``), its
  services, its shared results and its graph (cycles and reach, :mod:`scoring.components`)
  may import ``scoring``;
* ``inventory/storage/`` is the bottom layer: it never imports the services, the command line,
  the shared results or the graph; ``inventory/files/`` (parsing and writing files) never
  touches storage, services or the command line; the graph never touches storage, files or
  services; the services never import the command line, and the command line never touches
  storage (it calls the services);
* ``app.py`` and ``views/`` never import SQLAlchemy or ``inventory.storage``, and never reach
  for an engine or a session through an attribute (``catalogue().engine``).

Every import counts, wherever it sits (inside a function, under ``if TYPE_CHECKING:``), and so do
relative imports and ``importlib.import_module("...")``/``__import__("...")`` with a literal name.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {"tests", "benchmarks", ".venv", "venv", ".git", "__pycache__", "build", "dist",
                "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _matches(path: str, pattern: str) -> bool:
    """``path`` is the file ``pattern``, or lies under the folder ``pattern`` ("pkg/")."""
    return path == pattern or (pattern.endswith("/") and path.startswith(pattern))


@dataclass(frozen=True)
class Rule:
    name: str
    applies: tuple[str, ...]  # path prefixes ("pkg/") or exact files ("app.py")
    forbidden: tuple[str, ...]  # module names; a name also forbids its sub-modules
    allowed_files: tuple[str, ...] = ()  # path prefixes ("pkg/") or exact files, exempted

    def covers(self, path: str) -> bool:
        if any(_matches(path, p) for p in self.allowed_files):
            return False
        return any(_matches(path, p) for p in self.applies)

    def breaks(self, module: str) -> str | None:
        for name in self.forbidden:
            if module == name or module.startswith(name + "."):
                return name
        return None


COMMAND_LINE = ("inventory/cli/",)
UI = ("app.py", "views/")
RULES = (
    Rule("scoring is pure: no inventory, SQLAlchemy or Streamlit", ("scoring/",),
         ("inventory", "sqlalchemy", "streamlit")),
    Rule("inventory never imports Streamlit", ("inventory/",), ("streamlit",)),
    Rule("only the command line (inventory/cli/), the services, the shared results "
         "(inventory/results.py) and the graph (scoring.components) in inventory may import "
         "scoring",
         ("inventory/",), ("scoring",),
         allowed_files=(*COMMAND_LINE, "inventory/services/", "inventory/results.py",
                        "inventory/graph/")),
    Rule("storage is the bottom layer: no services, command line, shared results or graph",
         ("inventory/storage/",),
         ("inventory.services", "inventory.cli", "inventory.results", "inventory.graph")),
    Rule("files are parsed and written without storage, services or the command line",
         ("inventory/files/",), ("inventory.storage", "inventory.services", "inventory.cli")),
    Rule("the graph is maths on frames: no storage, files or services",
         ("inventory/graph/",), ("inventory.storage", "inventory.files", "inventory.services")),
    Rule("the services never import the command line", ("inventory/services/",),
         ("inventory.cli",)),
    Rule("the command line calls the services, never storage", COMMAND_LINE,
         ("inventory.storage", "sqlalchemy")),
    Rule("the UI (app.py, views/) never touches SQLAlchemy or the data layer", UI,
         ("sqlalchemy", "inventory.storage")),
)
UI_FORBIDDEN_ATTRIBUTES = ("engine", "session", "sessionmaker")
"""Attributes the UI never reads: whatever object it holds, an engine or a session is storage."""


def _package(path: str) -> list[str]:
    """The package a file's relative imports start from: ``a/b/c.py`` and ``a/b/__init__.py``
    are both in package ``a.b``."""
    return path.split("/")[:-1]


def imported_modules(path: str, source: str) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(line, statement, candidate absolute module names) for every import in ``source``.
    ``from a import b`` gives the candidates ``a`` and ``a.b``, since ``b`` may be a module
    (``from inventory import models``); the import is forbidden if either is."""
    tree = ast.parse(source, filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, ast.unparse(node), (alias.name,)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(path)
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                names = [base] if base else []
                if alias.name != "*":
                    names.append(f"{base}.{alias.name}" if base else alias.name)
                yield node.lineno, ast.unparse(node), tuple(names)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name)
                       and node.func.id in ("__import__", "import_module")))):
            yield node.lineno, ast.unparse(node), (node.args[0].value,)


def violations(path: str, source: str) -> list[str]:
    """One line per forbidden import in ``source`` (``path`` relative to the repository root,
    with forward slashes): file, line, the statement, the forbidden module and the rule."""
    found = set()
    rules = [rule for rule in RULES if rule.covers(path)]
    for line, statement, names in imported_modules(path, source):
        for rule in rules:
            module = next((name for name in names if rule.breaks(name)), None)
            if module is not None:
                found.add(f"{path}:{line} `{statement}` imports {module} ({rule.name})")
    return sorted(found)


def attribute_violations(path: str, source: str) -> list[str]:
    """One line per read of a forbidden attribute (:data:`UI_FORBIDDEN_ATTRIBUTES`) in
    ``source``, e.g. ``catalogue().engine``: the UI talks to the services only."""
    tree = ast.parse(source, filename=path)
    return sorted(f"{path}:{node.lineno} `{ast.unparse(node)}` reads .{node.attr} (the UI never "
                  "touches an engine or a session)"
                  for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr in UI_FORBIDDEN_ATTRIBUTES)


def python_files() -> list[str]:
    """Every ``.py`` file under the repository root, as posix paths relative to it; skipped
    directories are pruned, not walked (a virtual environment holds thousands of files)."""
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        relative = Path(folder).relative_to(ROOT)
        files += [(relative / name).as_posix() for name in names if name.endswith(".py")]
    return sorted(files)


# ---------------------------------------------------------------- the repository


def test_the_checker_sees_the_packages() -> None:
    files = python_files()
    assert {"inventory/cli/__init__.py", "inventory/services/__init__.py",
            "inventory/storage/__init__.py", "inventory/files/__init__.py"} <= set(files)
    assert "scoring/__init__.py" in files
    assert not any(f.startswith(("tests/", "benchmarks/", ".venv/")) for f in files)


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_repository_keeps_the_import_rules(rule: Rule) -> None:
    broken = []
    for path in python_files():
        if rule.covers(path):
            source = (ROOT / path).read_text(encoding="utf-8")
            broken += [v for v in violations(path, source) if v.endswith(f"({rule.name})")]
    assert not broken, "Forbidden imports (see docs/architecture.md, rule 1):\n" + "\n".join(broken)


def test_the_ui_never_reaches_for_an_engine_or_a_session() -> None:
    broken = []
    for path in python_files():
        if any(_matches(path, p) for p in UI):
            broken += attribute_violations(path, (ROOT / path).read_text(encoding="utf-8"))
    assert not broken, "The UI reaches for storage (docs/architecture.md, rule 1):\n" + "\n".join(
        broken)


# ---------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(("path", "source", "module"), [
    ("scoring/ranking.py", "from inventory.services import Catalogue\n",
     "inventory.services"),
    ("scoring/ranking.py", "import inventory\n", "inventory"),
    ("scoring/ranking.py", "import sqlalchemy.orm as orm\n", "sqlalchemy.orm"),
    ("scoring/sub/deep.py", "from ...inventory import graph\n", "inventory"),
    ("scoring/methods.py", "def f():\n    import streamlit as st\n", "streamlit"),
    ("scoring/methods.py", "import importlib\nimportlib.import_module('sqlalchemy')\n",
     "sqlalchemy"),
    ("inventory/graph.py", "import streamlit as st\n", "streamlit"),
    ("inventory/storage/bulk.py", "from scoring.ranking import rank\n", "scoring.ranking"),
    ("inventory/files/io.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    import scoring\n", "scoring"),
    ("inventory/cli/graph.py", "import streamlit\n", "streamlit"),
    ("app.py", "from sqlalchemy import select\n", "sqlalchemy"),
    ("app.py", "from inventory.storage import repository\n", "inventory.storage"),
    ("views/1_Processes.py", "from inventory.storage.models import Process\n",
     "inventory.storage.models"),
    ("views/2_Graph.py", "import inventory.storage.db\n", "inventory.storage.db"),
    ("views/sub/widgets.py", "from inventory.storage.db import make_engine\n",
     "inventory.storage.db"),
    ("views/history.py", "from inventory.storage import audit\n", "inventory.storage"),
    ("views/import_data.py", "from inventory.storage.bulk import write\n",
     "inventory.storage.bulk"),
    ("views/users.py", "from inventory.storage import migrate\n", "inventory.storage"),
    ("inventory/storage/bulk.py", "from inventory.services import Catalogue\n",
     "inventory.services"),
    ("inventory/files/export.py", "from inventory.storage import repository\n",
     "inventory.storage"),
    ("inventory/graph/metrics.py", "from inventory.services.reading import FRAME_READERS\n",
     "inventory.services.reading"),
    ("inventory/services/core.py", "from inventory.cli.shell import emit\n",
     "inventory.cli.shell"),
    ("inventory/cli/files.py", "from inventory.storage.db import make_engine\n",
     "inventory.storage.db"),
])
def test_the_checker_flags_a_forbidden_import(path: str, source: str, module: str) -> None:
    found = violations(path, source)

    assert found, f"{path} importing {module} was not flagged"
    assert any(v.startswith(f"{path}:") and f"` imports {module} (" in v for v in found), found


@pytest.mark.parametrize(("path", "source"), [
    ("inventory/cli/scoring.py", "from scoring.ranking import rank\nimport scoring\n"),
    ("inventory/services/core.py", "from sqlalchemy.orm import Session\n"
                                   "from inventory.storage import repository\n"),
    ("scoring/ranking.py", "import numpy as np\nfrom .methods import topsis\n"),
    ("app.py", "import streamlit as st\nfrom inventory.services import Catalogue\n"),
    ("views/1_Processes.py", "from inventory.schemas import Pillar\nimport inventory.graph\n"
                             "from inventory import io\nimport scoring\n"),
    ("views/1_Processes.py", "import sqlalchemy_utils_lookalike\nimport inventory.dbx\n"),
    ("tools/seed.py", "import sqlalchemy\nimport streamlit\n"),
])
def test_the_checker_accepts_an_allowed_import(path: str, source: str) -> None:
    assert violations(path, source) == []


def test_a_failure_names_the_file_the_line_and_the_import() -> None:
    found = violations("views/3_Backlog.py", "import pandas as pd\n\n"
                                              "from inventory.storage.repository import units\n")

    assert found == ["views/3_Backlog.py:3 `from inventory.storage.repository import units` "
                     "imports inventory.storage.repository (the UI (app.py, views/) never "
                     "touches SQLAlchemy or the data layer)"]


@pytest.mark.parametrize("source", [
    "from views.common import catalogue\nwith catalogue().engine.connect() as c:\n    pass\n",
    "def f(cat):\n    return cat.session\n",
    "engine = getattr(x, 'y').engine\n",
])
def test_the_checker_flags_the_ui_reaching_for_an_engine(source: str) -> None:
    found = attribute_violations("views/assess.py", source)

    assert found and all(v.startswith("views/assess.py:") for v in found), found


def test_the_checker_lets_the_ui_call_the_services() -> None:
    assert attribute_violations("views/assess.py", "catalogue().results.ranking(c, s)\n"
                                                   "st.session_state['x'] = 1\n") == []
