"""The README's command list stays in step with the CLI, in both directions."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from inventory.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def cli_commands() -> set[str]:
    """Every runnable command path, e.g. ``init``, ``process add``."""
    root = typer.main.get_command(app)
    paths: set[str] = set()

    def walk(command: object, prefix: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None or getattr(command, "invoke_without_command", False):
            paths.add(prefix)  # a command, or a group that also runs on its own (`dti audit`)
        if subcommands is None:
            return
        for name, sub in subcommands.items():
            walk(sub, f"{prefix} {name}".strip())

    walk(root, "")
    return paths


def readme_commands(text: str, known_groups: set[str]) -> set[str]:
    """Command paths the README mentions inside backticks or code blocks; ``known_groups``
    are the paths of the groups (``process``, ``initiative deliverable``): a word after a
    group's path is its sub-command."""
    fenced = re.findall(r"```.*?```", text, flags=re.DOTALL)
    inline = re.findall(r"`[^`\n]+`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    code = "\n".join(fenced + inline)
    found: set[str] = set()
    for match in re.finditer(r"\bdti (?:--\S+ \S+ )*([a-z][a-z-]*(?: [a-z][a-z-]*)*)", code):
        first, *rest = match.group(1).split()
        path = first
        for word in rest:
            if path not in known_groups:
                break
            path = f"{path} {word}"
        found.add(path)
    return found


def test_every_cli_command_is_in_the_readme_and_every_readme_command_exists() -> None:
    commands = cli_commands()
    groups = {" ".join(c.split()[:depth]) for c in commands
              for depth in range(1, len(c.split()))}
    mentioned = readme_commands(README.read_text(encoding="utf-8"), groups)
    assert commands - mentioned == set(), "commands missing from README.md"
    assert mentioned - commands == set(), "README.md mentions commands the CLI does not have"


def test_the_checker_notices_a_missing_command() -> None:
    assert readme_commands("run `dti process add` then `dti unit list`", {"process", "unit"}) == {
        "process add", "unit list"}
    assert "dep add" not in readme_commands("`dti dep list`", {"dep"})
    assert readme_commands("`dti initiative deliverable add A` and `dti initiative list all`",
                           {"initiative", "initiative deliverable"}) == {
        "initiative deliverable add", "initiative list"}


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.read_text(encoding="utf-8").split("```")[1]
    lines = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert lines == ["make run", "make test"]
