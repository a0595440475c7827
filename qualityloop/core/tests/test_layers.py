"""The layer order holds: import-linter's contract (``make lint``) refuses an import upwards,
no app imports another app's private names, and function-local imports say why they are."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
ROOT = PACKAGE.parent
LINT = Path(sys.executable).parent / "lint-imports"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or "tests" in parts or parts[-1] == "conftest.py":
            continue
        yield path, parts[0] if len(parts) > 1 else None


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(LINT), str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_import_upwards_breaks_the_contract(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "qualityloop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    assert _lint(copy).returncode == 0
    models = copy / "qualityloop" / "complaints" / "models.py"
    upwards = "\n\ndef _late():\n    from qualityloop.sla import clocks\n"
    models.write_text(models.read_text() + upwards)
    result = _lint(copy)
    assert result.returncode == 1
    assert "qualityloop.complaints is not allowed to import qualityloop.sla" in result.stdout
    assert "qualityloop.complaints.models -> qualityloop.sla.clocks" in result.stdout


def test_no_app_imports_a_private_name_of_another():
    found = []
    for path, app in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] != "qualityloop" or len(parts) < 2 or parts[1] == app:
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            if private or any(p.startswith("_") for p in parts[2:]):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module} {private}")
    assert found == []


def _said(lines: list[str], node) -> bool:
    """A comment on the import's line, or above the block of imports it stands in."""
    if "#" in lines[node.lineno - 1]:
        return True
    above = node.lineno - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_function_local_imports_are_few_and_say_why():
    local = []
    for path, _app in _modules():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        local.append(
                            (f"{path.relative_to(ROOT)}:{inner.lineno}", _said(lines, inner))
                        )
    assert [where for where, said in local if not said] == []
    assert len(local) < 15
