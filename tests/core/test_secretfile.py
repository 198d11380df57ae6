"""Secret files: created 0600 and complete, never replaced, refused when others can read them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dyrd.core import secretfile


def test_created_mode_0600_with_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "secret"
    assert secretfile.read_or_create(path, lambda: b"s3cret") == b"s3cret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary left behind


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    assert secretfile.write_new(path, b"first")
    assert not secretfile.write_new(path, b"second")
    assert secretfile.read_or_create(path, lambda: b"third") == b"first"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o610])
def test_a_file_others_can_access_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret"
    secretfile.write_new(path, b"x")
    path.chmod(mode)
    with pytest.raises(secretfile.ExposedSecretFile) as exc:
        secretfile.read_or_create(path, lambda: b"y")
    assert exc.value.mode == mode
    assert exc.value.path == path


def test_check_private_of_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        secretfile.check_private(tmp_path / "absent")
