"""The layers of the package (ARCHITECTURE.md): imports run one way only.

Every module's imports are parsed (``ast``, imports inside functions included)
and checked against the forbidden directions below; a planted wrong import in a
copy of the tree shows that the check can fail.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "openruimte"

#: pure packages: the core, no database, no use case, no interface
PURE = ("analysis", "planner", "io", "bim", "rules", "roadmap", "collab", "twin")
#: importer package -> the packages of ours it must never import
FORBIDDEN: dict[str, frozenset[str]] = {
    **{pure: frozenset({"store", "api", "cli", "services", "notify", "demo", "reports"}) for pure in PURE},
    "store": frozenset({"api", "notify", "services", "cli", "demo", "reports", *PURE}),
    "reports": frozenset({"store", "api", "cli", "services", "notify"}),
    "demo": frozenset({"cli", "services", "store", "api", "notify"}),
    "notify": frozenset({"api", "cli", "services"}),
    "services": frozenset({"api", "cli"}),
}
#: packages that may import nothing of ours but model (model: not even that)
LEAVES = {"model": frozenset(), "settings": frozenset({"model"})}
#: the top-level modules that moved into services/ (they must not come back)
GONE = ("importing.py", "analysing.py", "weighing.py", "planning.py")


def package_of(module: str) -> str:
    """``openruimte.store.repository`` -> ``store``; ``openruimte.settings`` -> ``settings``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported_modules(module: str, source: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of ``openruimte`` in ``source``, at any depth."""
    is_package = module.endswith(".__init__")
    here = module.removesuffix(".__init__").split(".")
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.module is None or name == "openruimte":
                out += [(node.lineno, f"{name}.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, name))
    return [(line, name) for line, name in out if name == "openruimte" or name.startswith("openruimte.")]


def violations(module: str, source: str) -> list[str]:
    """The forbidden imports of one module, as ``module:line imports target``."""
    src = package_of(module)
    found = []
    for line, target in imported_modules(module, source):
        dst = package_of(target)
        if not dst or dst == src:
            continue
        if src in LEAVES:
            bad = dst not in LEAVES[src]
        else:
            bad = dst in FORBIDDEN.get(src, frozenset())
        if bad:
            found.append(f"{module}:{line} imports {target} ({src} -> {dst} is not allowed)")
    return found


def reads_openruimte_env(source: str) -> bool:
    """Does the module read ``os.environ`` / ``os.getenv`` and name an ``OPENRUIMTE_*`` variable?"""
    tree = ast.parse(source)
    reads = any(
        (isinstance(n, ast.Attribute) and n.attr in {"environ", "getenv"})
        or (isinstance(n, ast.ImportFrom) and n.module == "os" and {a.name for a in n.names} & {"environ", "getenv"})
        for n in ast.walk(tree)
    )
    names = any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("OPENRUIMTE_")
        for n in ast.walk(tree)
        if not _is_docstring(n, tree)
    )
    return reads and names


def _is_docstring(node: ast.AST, tree: ast.Module) -> bool:
    return bool(tree.body) and isinstance(tree.body[0], ast.Expr) and tree.body[0].value is node


def modules(root: Path) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(root.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        rel = path.relative_to(root.parent).with_suffix("")
        out.append((".".join(rel.parts), path))
    return out


def check_tree(root: Path) -> list[str]:
    problems = []
    for module, path in modules(root):
        problems += violations(module, path.read_text(encoding="utf-8"))
    return problems


def test_no_import_runs_the_wrong_way():
    assert check_tree(PACKAGE) == []


def test_the_checker_fails_on_a_planted_wrong_import(tmp_path):
    tree = tmp_path / "openruimte"
    shutil.copytree(PACKAGE, tree, ignore=shutil.ignore_patterns("web", "__pycache__"))
    assert check_tree(tree) == []
    target = tree / "analysis" / "couplings.py"
    target.write_text(
        target.read_text(encoding="utf-8") + "\n\ndef _sneaky():\n    from openruimte.store import Store\n",
        encoding="utf-8",
    )
    [problem] = check_tree(tree)
    assert problem.startswith("openruimte.analysis.couplings:") and "analysis -> store" in problem


@pytest.mark.parametrize(
    ("module", "source", "direction"),
    [
        ("openruimte.model.entities", "from openruimte.io import read\n", "model -> io"),
        ("openruimte.model.entities", "from openruimte import settings\n", "model -> settings"),
        ("openruimte.planner.cpsat", "import openruimte.services.plan\n", "planner -> services"),
        ("openruimte.io.bgt", "from ..store import Store\n", "io -> store"),
        ("openruimte.store.repository", "def f():\n    from openruimte.notify import changes\n", "store -> notify"),
        ("openruimte.store.__init__", "from .. import api\n", "store -> api"),
        ("openruimte.reports.gantt", "from openruimte.store.permissions import View\n", "reports -> store"),
        ("openruimte.demo.files", "from openruimte.cli import app\n", "demo -> cli"),
        ("openruimte.demo.files", "from openruimte.services.importing import import_file\n", "demo -> services"),
        ("openruimte.notify.changes", "from openruimte.api.app import create_app\n", "notify -> api"),
        ("openruimte.bim.ifc", "from openruimte.store import Store\n", "bim -> store"),
        ("openruimte.rules.check", "from openruimte.services import plan\n", "rules -> services"),
        ("openruimte.settings", "from openruimte.store import Store\n", "settings -> store"),
    ],
)
def test_the_checker_names_each_forbidden_direction(module, source, direction):
    [problem] = violations(module, source)
    assert direction in problem and problem.startswith(f"{module}:")


def test_allowed_directions_pass():
    assert violations("openruimte.planner.cpsat", "from openruimte.analysis.pairs import Parameters\n") == []
    assert violations("openruimte.services.plan", "from openruimte.store import Store\n") == []
    assert violations("openruimte.store.permissions", "from openruimte.model.access import Principal\n") == []
    assert violations("openruimte.io.exchange", "from openruimte.settings import vertex_limit\n") == []
    assert violations("openruimte.api.app", "from openruimte.notify.changes import subscribe\n") == []


def test_the_four_top_level_modules_are_gone():
    assert [name for name in GONE if (PACKAGE / name).exists()] == []
    assert {"importing.py", "analyse.py", "weigh.py", "plan.py"} <= {p.name for p in (PACKAGE / "services").iterdir()}


def test_only_settings_reads_the_environment():
    """settings.py reads every OPENRUIMTE_* variable through pydantic-settings; no other module reads one."""
    readers = [m for m, path in modules(PACKAGE) if reads_openruimte_env(path.read_text(encoding="utf-8"))]
    assert [m for m in readers if m != "openruimte.settings"] == []
    assert 'env_prefix="OPENRUIMTE_"' in (PACKAGE / "settings.py").read_text(encoding="utf-8")


def test_the_env_check_can_fail():
    assert reads_openruimte_env('import os\nurl = os.environ.get("OPENRUIMTE_DATABASE_URL")\n')
    assert reads_openruimte_env('from os import getenv\nX = "OPENRUIMTE_CHROMIUM"\ngetenv(X)\n')
    assert not reads_openruimte_env('"""Reads $OPENRUIMTE_X."""\nimport os\nhome = os.environ["HOME"]\n')
