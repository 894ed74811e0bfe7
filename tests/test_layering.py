"""Imports flow one way (rule 1 of docs/architecture.md), checked on the syntax tree of every
Python file of the repository (outside tests/, benchmarks/ and virtual environments):

* ``scoring`` imports nothing from ``inventory``, no SQLAlchemy, no Streamlit;
* ``inventory`` never imports Streamlit, and only its command line (the package
  ``inventory/cli/``, :data:`COMMAND_LINE`), its services (which check assessments against
  the criteria set), its shared results and its graph (cycles and reach,
  :mod:`scoring.components`) may import ``scoring``;
* ``app.py`` and ``views/`` never import SQLAlchemy, ``inventory.repository``,
  ``inventory.models`` or ``inventory.db``.

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
RULES = (
    Rule("scoring is pure: no inventory, SQLAlchemy or Streamlit", ("scoring/",),
         ("inventory", "sqlalchemy", "streamlit")),
    Rule("inventory never imports Streamlit", ("inventory/",), ("streamlit",)),
    Rule("only the command line (inventory/cli/), the services, the shared results "
         "(inventory/results.py) and the graph (scoring.components) in inventory may import "
         "scoring",
         ("inventory/",), ("scoring",),
         allowed_files=(*COMMAND_LINE, "inventory/services/core.py", "inventory/results.py",
                        "inventory/graph/metrics.py", "inventory/graph/layers.py")),
    Rule("the UI (app.py, views/) never touches SQLAlchemy or the data layer",
         ("app.py", "views/"),
         ("sqlalchemy", "inventory.repository", "inventory.models", "inventory.db")),
)


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
    assert "inventory/cli/__init__.py" in files and "inventory/services/__init__.py" in files
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
    ("inventory/bulk.py", "from scoring.ranking import rank\n", "scoring.ranking"),
    ("inventory/io.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    import scoring\n", "scoring"),
    ("inventory/cli/graph.py", "import streamlit\n", "streamlit"),
    ("app.py", "from sqlalchemy import select\n", "sqlalchemy"),
    ("app.py", "from inventory import repository\n", "inventory.repository"),
    ("views/1_Processes.py", "from inventory.models import Process\n", "inventory.models"),
    ("views/2_Graph.py", "import inventory.db\n", "inventory.db"),
    ("views/sub/widgets.py", "from inventory.db import make_engine\n", "inventory.db"),
])
def test_the_checker_flags_a_forbidden_import(path: str, source: str, module: str) -> None:
    found = violations(path, source)

    assert found, f"{path} importing {module} was not flagged"
    assert any(v.startswith(f"{path}:") and f"` imports {module} (" in v for v in found), found


@pytest.mark.parametrize(("path", "source"), [
    ("inventory/cli/scoring.py", "from scoring.ranking import rank\nimport scoring\n"),
    ("inventory/services.py", "from sqlalchemy.orm import Session\nfrom . import repository\n"),
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
    found = violations("views/3_Backlog.py", "import pandas as pd\n\nfrom inventory.repository "
                                              "import processes_frame\n")

    assert found == ["views/3_Backlog.py:3 `from inventory.repository import processes_frame` "
                     "imports inventory.repository (the UI (app.py, views/) never touches "
                     "SQLAlchemy or the data layer)"]
