"""One page of the app timed in a Streamlit session of its own (AppTest), in a process of its
own, so that nothing any earlier page computed or cached is reused: the child of
:mod:`benchmarks.pages`.

Steps, each one script run of app.py with the page, timed from the request to the end of the run:

1. ``first``: the page opened in a session signed in as an admin. The session was opened on
   the Users page, so the app's start-up (opening the catalogue) and the imports of the view
   helpers are not counted; work a process does once, such as plotly's first figure, is;
2. ``rerun``: the same page again, nothing changed;
3. ``weight`` (Prioritise only): one weight slider moved by one step;
4. ``changed``: one process edited through the services (its annual volume plus one), then the
   page again;
5. ``rated``: one assessment's value moved one step through the services, then the page again.

Each step prints one line ``STEP <name> <seconds>`` as soon as it ends; ``READY`` before the
first; ``FAILED <step> <message>`` when the page raised. The parent enforces the time limit by
stopping this process, since a script run cannot be stopped in the middle of a computation.

Usage (by benchmarks.pages)::

    python -m benchmarks.page_session DATABASE_URL views/prioritise.py
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from collections.abc import Callable

import streamlit as st
from streamlit.testing.v1 import AppTest

import views
from inventory.access import Actor, Role
from inventory.services import Catalogue
from tests.ui.harness import APP, add_account, open_session, sign_in
from views.navigation import PAGES

USER = "bench"
RUN_SECONDS = 3600.0  # the parent stops the process long before
WEIGHT_SLIDER = "weight_member_experience"


def _say(line: str) -> None:
    print(line, flush=True)


def warm_imports() -> None:
    """Import every view helper module (the page scripts run; they are not imported)."""
    scripts = {page.path.removeprefix("views/").removesuffix(".py") for page in PAGES}
    for module in pkgutil.iter_modules(views.__path__):
        if module.name not in scripts:
            importlib.import_module(f"views.{module.name}")


def signed_in_session(database_url: str) -> AppTest:
    """A session signed in as an admin, opened on the Users page."""
    os.environ["DTI_DATABASE_URL"] = database_url
    st.cache_resource.clear()
    add_account(database_url, USER, Role.admin)
    test = sign_in(AppTest.from_file(APP, default_timeout=RUN_SECONDS), USER, Role.admin,
                   open_session(database_url, USER, Role.admin))
    test.switch_page("views/users.py").run()
    return test


def edit_one_process(database_url: str) -> None:
    """Add one to the annual volume of the first assessed process, as a form would save it."""
    catalogue = Catalogue.open(database_url)
    try:
        code = str(catalogue.assessments()["process_code"].iloc[0])
        record = catalogue.process(code).record
        catalogue.update_process(code, {"annual_volume": (record["annual_volume"] or 0) + 1},
                                 record["version"], Actor(USER, Role.admin))
    finally:
        catalogue.engine.dispose()


def rate_one_process(database_url: str) -> None:
    """Move the value of the first live assessment one step within its scale, as the Assess
    form would save it."""
    catalogue = Catalogue.open(database_url)
    try:
        row = catalogue.assessments().iloc[0]
        scale = catalogue.criteria.get(str(row["criterion_key"])).scale
        value = float(row["value"])
        moved = value + 1 if value + 1 <= scale.high else value - 1
        catalogue.update_assessment(int(row["id"]), {"value": moved}, int(row["version"]),
                                    Actor(USER, Role.admin))
    finally:
        catalogue.engine.dispose()


def move_weight(test: AppTest) -> None:
    slider = test.slider(key=WEIGHT_SLIDER)
    value = float(slider.value)  # type: ignore[arg-type]
    slider.set_value(value + 1.0 if value <= 9.0 else value - 1.0)


def timed(test: AppTest, step: str, before: Callable[[], object] | None = None) -> None:
    if before is not None:
        before()
    began = time.perf_counter()
    test.run()
    seconds = time.perf_counter() - began
    if test.exception:
        _say(f"FAILED {step} {' '.join(str(test.exception[0].message).split())[:300]}")
        raise SystemExit(1)
    _say(f"STEP {step} {seconds:.4f}")


def check_shown(test: AppTest, page: str) -> None:
    """The page's own title is on screen (not the sign-in form, not another page)."""
    title = next(entry.title for entry in PAGES if entry.path == page)
    shown = [str(element.value) for element in test.title]
    if not any(text.startswith(title) for text in shown):
        _say(f"FAILED first the page shows {shown}, not {title}")
        raise SystemExit(1)


def main(database_url: str, page: str) -> None:
    warm_imports()
    test = signed_in_session(database_url)
    if test.exception:
        _say(f"FAILED start {test.exception[0].message}")
        raise SystemExit(1)
    _say("READY")
    timed(test, "first", lambda: test.switch_page(page))
    check_shown(test, page)
    timed(test, "rerun")
    if page == "views/prioritise.py":
        timed(test, "weight", lambda: move_weight(test))
    timed(test, "changed", lambda: edit_one_process(database_url))
    timed(test, "rated", lambda: rate_one_process(database_url))


if __name__ == "__main__":
    main(*sys.argv[1:3])
