"""Where the server secret comes from, and the refusals when it cannot be had."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from inventory.errors import SecretUnavailable
from inventory.services import Catalogue
from inventory.storage.secret_key import server_secret
from tests.support import by, dti, refused


@pytest.fixture
def no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DTI_SECRET_KEY", raising=False)
    monkeypatch.delenv("DTI_SECRET_FILE", raising=False)


@pytest.mark.usefixtures("no_secret")
def test_sqlite_gets_a_private_secret_file_beside_the_database_made_once(tmp_path: Path) -> None:
    url = make_url(f"sqlite:///{tmp_path}/dti.db")
    first = server_secret(url)
    path = tmp_path / "dti.db.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and server_secret(url) == first
    assert [p.name for p in tmp_path.iterdir()] == ["dti.db.secret"]


@pytest.mark.usefixtures("no_secret")
def test_the_secret_file_can_be_placed_elsewhere(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_SECRET_FILE", str(tmp_path / "keys" / "dti.secret"))
    with pytest.raises(SecretUnavailable, match=r"cannot read or create the server secret file "
                       r".*keys/dti.secret: No such file or directory"):
        server_secret(make_url("postgresql://db/dti"))
    (tmp_path / "keys").mkdir()
    made = server_secret(make_url("postgresql://db/dti"))
    assert (tmp_path / "keys" / "dti.secret").read_text().strip().encode() == made


def test_the_key_variable_wins_and_must_be_long(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("DTI_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DTI_SECRET_FILE", str(tmp_path / "unused"))
    assert server_secret(make_url("postgresql://db/dti")) == b"x" * 40
    assert not (tmp_path / "unused").exists()
    monkeypatch.setenv("DTI_SECRET_KEY", "short")
    with pytest.raises(SecretUnavailable, match=r"in \$DTI_SECRET_KEY has 5 characters; use at "
                                                r"least 32"):
        server_secret(make_url("sqlite:///x.db"))


@pytest.mark.usefixtures("no_secret")
def test_postgresql_without_a_configured_secret_is_refused_at_opening() -> None:
    with pytest.raises(SecretUnavailable, match="no server secret: set DTI_SECRET_KEY"):
        server_secret(make_url("postgresql://db/dti"))


def test_the_command_line_says_what_to_set(database_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = Catalogue.open(database_url)
    catalogue.add_unit({"code": "HRMD", "name": "HR"}, by("ana"))
    catalogue.engine.dispose()
    monkeypatch.setenv("DTI_SECRET_KEY", "too short")
    line = refused(dti(database_url, "audit", "verify"))
    assert line == ("Error: the server secret in $DTI_SECRET_KEY has 9 characters; use at least "
                    "32 random characters (`python -c 'import secrets; "
                    "print(secrets.token_hex(32))'` prints one)")
