"""``dti import PATH`` where PATH is not an ordinary file: each is refused saying what it is,
with exit status 1 and one line, before anything is read (no database is involved)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import dti, refused

GOOD = Path(__file__).resolve().parent / "data" / "import_corpus" / "good_processes.csv"
UNIX = pytest.mark.skipif(os.name != "posix", reason="named pipes and /dev/zero are POSIX")


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return path


MADE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "directory": (_directory, "a directory"),
    "fifo": (_fifo, "a named pipe (FIFO)"),
    "socket": (_socket, "a socket"),
    "dev-zero": (lambda _path: Path("/dev/zero"), "a character device"),
}


def _import(tmp_path: Path, path: Path, *args: str) -> str:
    return refused(dti(f"sqlite:///{tmp_path}/dti.db", "import", str(path), *args))


@UNIX
@pytest.mark.parametrize("kind", MADE)
def test_a_path_that_is_not_a_regular_file_is_refused_saying_what_it_is(
        tmp_path: Path, kind: str) -> None:
    make, what = MADE[kind]
    path = make(tmp_path / f"{kind}.csv")

    message = _import(tmp_path, path)

    assert message == (f"Error: {path} is not a regular file (it is {what}); give the path of "
                       "a CSV or XLSX file")


@UNIX
@pytest.mark.parametrize("kind", MADE)
def test_a_symbolic_link_is_followed_and_named(tmp_path: Path, kind: str) -> None:
    make, what = MADE[kind]
    target = make(tmp_path / f"{kind}-target")
    link = tmp_path / "processes.csv"
    link.symlink_to(target)

    message = _import(tmp_path, link)

    assert message == (f"Error: {link} (a symbolic link to {os.path.realpath(target)}) is not "
                       f"a regular file (it is {what}); give the path of a CSV or XLSX file")


def test_a_missing_file_and_a_dangling_link_are_named(tmp_path: Path) -> None:
    link = tmp_path / "gone.csv"
    link.symlink_to(tmp_path / "deleted.csv")

    assert _import(tmp_path, tmp_path / "none.csv") == \
        f"Error: there is no file {tmp_path / 'none.csv'}"
    assert _import(tmp_path, link) == (f"Error: there is no file {link} (a symbolic link to "
                                       f"{tmp_path / 'deleted.csv'})")


def test_a_file_over_the_size_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as file:
        file.truncate(3_000_001)  # sparse: no byte is written, none need be read

    message = _import(tmp_path, big, "--max-mb", "3")

    assert message == (f"Error: {big} is 3,000,001 bytes, over the 3 MB limit; split it or "
                       "raise the size limit")


def test_the_dependencies_file_is_checked_the_same_way(tmp_path: Path) -> None:
    message = _import(tmp_path, GOOD, "--dependencies", "/dev/zero")

    assert message == ("Error: /dev/zero is not a regular file (it is a character device); "
                       "give the path of a CSV or XLSX file")
