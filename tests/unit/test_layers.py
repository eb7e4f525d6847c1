"""The import layers of the package (read from the source, nothing imported)."""

from __future__ import annotations

import ast
from pathlib import Path

KYC = Path(__file__).resolve().parents[2] / "kyc"
USECASES = KYC / "api" / "usecases"
# Lowest first: a module imports only modules before it (docstring of kyc/api/usecases).
LAYERS = (
    "shared",
    "results",
    "rules",
    "stages",
    "views",
    "filings",
    "documents",
    "video",
    "review",
    "journey",
)


def _imports(path: Path) -> set[str]:
    """Every module named by an import in ``path`` (inside functions too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def test_every_use_case_module_has_its_layer() -> None:
    found = {p.stem for p in USECASES.glob("*.py")} - {"__init__"}
    assert found == set(LAYERS)


def test_use_cases_import_only_lower_layers() -> None:
    """No cycles: each module of kyc/api/usecases imports only those below it."""
    prefix = "kyc.api.usecases."
    for rank, name in enumerate(LAYERS):
        used = {
            m[len(prefix) :].split(".")[0]
            for m in _imports(USECASES / f"{name}.py")
            if m.startswith(prefix)
        }
        above = used - set(LAYERS[:rank])
        assert not above, f"{name} imports {sorted(above)} (not below it)"


def test_nothing_below_the_api_imports_it() -> None:
    """Workers, jobs, the store and the checks run without the HTTP layer."""
    for path in sorted(KYC.rglob("*.py")):
        if (KYC / "api") in path.parents:
            continue
        bad = sorted(m for m in _imports(path) if m == "kyc.api" or m.startswith("kyc.api."))
        assert not bad, f"{path.relative_to(KYC.parent)} imports {bad}"
