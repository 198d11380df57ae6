"""The layering contracts of pyproject.toml ([tool.importlinter]), checked from pytest too."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _configured_contracts() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def test_every_import_contract_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    import importlinter.api  # noqa: F401  # configures import-linter's adapters on import
    from importlinter.application import use_cases

    # What `lint-imports` runs; no cache, so the test writes nothing into the checkout, and
    # debug mode, so a configuration error raises here instead of being printed and swallowed.
    passed = use_cases.lint_imports(
        str(PYPROJECT), cache_dir=None, no_logo=True, is_debug_mode=True
    )
    report = capsys.readouterr().out
    assert passed, report
    for name in _configured_contracts():
        assert f"{name} KEPT" in " ".join(report.split()), f"{name!r} was not checked:\n{report}"
