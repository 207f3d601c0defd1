"""Docs cannot drift: every command and option of the CLI is in the README, and
the README begins with the two commands."""

from pathlib import Path

import typer

from openruimte.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_begins_with_the_two_commands():
    head = "\n".join(README.splitlines()[:8])
    assert "make demo" in head and "make test" in head


def test_every_command_and_option_is_documented():
    group = typer.main.get_command(app)
    missing = []
    for name, command in group.commands.items():
        if f"openruimte {name}" not in README:
            missing.append(f"openruimte {name}")
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help" and opt not in README:
                    missing.append(f"openruimte {name} {opt}")
    assert missing == []


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci and "set -e" in ci
