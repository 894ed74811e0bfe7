"""The app says in the page why it cannot open the inventory, instead of a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.ui.harness import APP


def test_an_unusable_server_secret_is_explained_in_the_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_DATABASE_URL", f"sqlite:///{tmp_path}/dti.db")
    monkeypatch.setenv("DTI_SECRET_KEY", "too short")
    st.cache_resource.clear()
    test = AppTest.from_file(APP, default_timeout=60).run()
    assert not test.exception, test.exception
    assert [e.value for e in test.error] == [
        "The inventory cannot be opened: the server secret in $DTI_SECRET_KEY has 9 characters; "
        "use at least 32 random characters (`python -c 'import secrets; "
        "print(secrets.token_hex(32))'` prints one)"]
    st.cache_resource.clear()
