"""Weighting rounds: a group weighs a scenario's criteria, each member on their own, and the
answers are combined into the scenario's weights (the maths is :mod:`scoring.group`).

Conventions are those of every write (:mod:`inventory.services`). A round is audited as
``weighting_round`` (key: its code, ``ROUND-0001``), a member as ``round_member`` (key: the
round's code).

* **Opening** (leadership and admins: :attr:`~inventory.access.Action.manage_scenarios`, since
  closing rewrites the scenario's weights) names a saved scenario, the members (accounts that
  can sign in, at least two), how much each counts (1 by default), the mode (``weights``:
  points shared out over the criteria; ``pairwise``: judgements on Saaty's 1-9 scale) and the
  criteria weighed (all of the criteria set by default). A scenario has one open round at a
  time.
* **Answering** is for the members alone, whatever their role; answering again replaces the
  answer while the round is open. Points are finite and non-negative, not all 0; a criterion
  left out gets 0. Judgements compare every pair of the round's criteria once (a full
  reciprocal matrix or the upper triangle), each from 1/9 to 9. The audit trail records that
  a member answered and the SHA-256 of the answer (its canonical JSON), not the answer itself,
  so the answer stays unseen until the round closes and can then be checked against it.
* **Status**: while the round is open anyone sees who answered and when, not what (a member
  sees their own answer); once it is closed, everything.
* **Closing** (as opening) combines the answers (:func:`scoring.group.combine`): ``aij`` for
  judgements by default, ``aip`` otherwise, with the geometric mean of priorities for
  judgements and the arithmetic mean of points by default. Members whose consistency ratio
  exceeds 0.10 are left out unless included on purpose; it is refused while nobody has
  answered. In the same transaction it writes the group's weights into the scenario (criteria
  not weighed in the round get 0, as for weights from an AHP matrix) and stores the result:
  each member's answer, priorities and CR, the method, the consensus and the disagreement per
  criterion. A snapshot of the scenario taken while its weights are the round's carries that
  result (:meth:`~inventory.services.scenarios.ScenarioBook.snapshot`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize
from inventory.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inventory.services.core import catalogue_transaction
from inventory.services.scenarios import ScenarioBook, canonical_json
from inventory.storage import audit, round_rows
from inventory.storage.db import reading
from inventory.storage.models import RoundMember, SavedScenario, WeightingRound, utcnow
from scoring.ahp import priorities
from scoring.criteria import CriteriaSet
from scoring.errors import ScoringError
from scoring.group import (
    SAATY_SCALE_MAX,
    GroupWeights,
    Mean,
    combine,
    disagreement,
    top_n_frequency,
)

ROUND = "weighting_round"
MEMBER = "round_member"
MODES = ("weights", "pairwise")
METHODS = ("aij", "aip")
MEANS = ("geometric", "arithmetic")
ROUND_COLUMNS = ["code", "scenario", "mode", "status", "members", "answered", "opened_by",
                 "opened_at", "closed_at", "method", "consensus"]

#: How far a judgement may stray past 1/9 or 9 (a fraction such as 1/9 written as 0.1111).
_SCALE_TOL = 1e-3

Judgements = tuple[Sequence[str], Sequence[Sequence[float]]] | Mapping[tuple[str, str], float]


class RoundBook:
    """The weighting rounds on one database, on the catalogue's criteria set."""

    def __init__(self, engine: Engine, criteria: CriteriaSet) -> None:
        self.engine = engine
        self.criteria = criteria
        self.scenarios = ScenarioBook(engine)

    # ------------------------------------------------------------------ reads

    def list_rounds(self, scenario: str | None = None) -> pd.DataFrame:
        """Live rounds by code (of one scenario when named), with how many members answered
        and, once closed, the method and consensus."""
        with reading(self.engine) as s:
            records = round_rows.round_records(s)
        rows = [{"code": r["code"], "scenario": r["scenario"], "mode": r["mode"],
                 "status": r["status"], "members": len(r["members"]),
                 "answered": sum(m["answered_at"] is not None for m in r["members"]),
                 "opened_by": r["opened_by"], "opened_at": r["opened_at"],
                 "closed_at": r["closed_at"], "method": r["method"],
                 "consensus": r["result"]["consensus"] if r["result"] else None}
                for r in records
                if scenario is None or (r["scenario"] or "").lower() == scenario.lower()]
        return pd.DataFrame(rows, columns=ROUND_COLUMNS)

    def invitable(self, actor: Actor) -> list[str]:
        """The user names a round may invite (accounts that can sign in), for whoever may open
        a round: the page offers them without the account list, which is for admins."""
        authorize(actor, Action.manage_scenarios)
        with reading(self.engine) as s:
            return round_rows.enabled_usernames(s)

    def status(self, code: str, viewer: str | None = None) -> dict[str, Any]:
        """The round (see the module for what shows while it is open). ``members`` lists each
        member's ``username``, ``weight``, ``answered`` and ``answered_at``, and once closed
        their ``answer``; ``your_answer`` is ``viewer``'s own answer when they are a member."""
        with reading(self.engine) as s:
            record = round_rows.round_record(s, self._existing(s, code))
        closed = record["status"] == "closed"
        mine = next((m["answer"] for m in record["members"]
                     if viewer and m["username"].lower() == viewer.strip().lower()), None)
        record["members"] = [{"username": m["username"], "weight": m["weight"],
                              "answered": m["answered_at"] is not None,
                              "answered_at": m["answered_at"]}
                             | ({"answer": m["answer"]} if closed else {})
                             for m in record["members"]]
        record["your_answer"] = mine
        return record

    # ------------------------------------------------------------------ writes

    def open(self, scenario: str, members: Sequence[str], actor: Actor, *,
             mode: str = "weights", criteria: Sequence[str] | None = None,
             member_weights: Mapping[str, float] | None = None) -> dict[str, Any]:
        """Open a round on saved scenario ``scenario`` for ``members`` (see the module)."""
        who = authorize(actor, Action.manage_scenarios)
        mode = (mode or "").strip().lower()
        if mode not in MODES:
            raise InvalidInput(f"mode: {mode!r} is not one of: {', '.join(MODES)}")
        keys = self._criteria(criteria, mode)
        names = list(dict.fromkeys(n.strip() for n in members if n and n.strip()))
        if len({n.lower() for n in names}) < 2:
            raise InvalidInput("a weighting round needs at least two members: name their "
                               "accounts")
        weights = self._member_weights(names, member_weights or {})
        with catalogue_transaction(self.engine) as s:
            saved = self.scenarios.existing(s, scenario)
            already = round_rows.open_round_of(s, saved.id)
            if already is not None:
                raise Conflict(f"{already.code} is already open on scenario {saved.name!r}; "
                               "close it before opening another")
            accounts = round_rows.accounts(s, names)
            unknown = [n for n in names if n.lower() not in accounts]
            if unknown:
                raise NotFound(f"members: no account named {', '.join(map(repr, unknown))}; "
                               "invite people who have an account (an admin adds accounts)")
            disabled = [accounts[n.lower()].username for n in names
                        if accounts[n.lower()].disabled]
            if disabled:
                raise InvalidInput(f"members: the account of {', '.join(disabled)} is disabled; "
                                   "invite people who can sign in")
            code = round_rows.next_code(s)
            row = WeightingRound(code=code, scenario_id=saved.id, mode=mode, status="open",
                                 criteria=json.dumps(keys))
            usernames = [accounts[n.lower()].username for n in names]
            audit.record_create(s, row, ROUND, code, who, {
                "scenario": saved.name, "mode": mode, "criteria": ", ".join(keys),
                "members": ", ".join(f"{u} ({w:g})" for u, w in zip(usernames, weights,
                                                                     strict=True))})
            for username, weight in zip(usernames, weights, strict=True):
                audit.record_create(s, RoundMember(round_id=row.id, username=username,
                                                   weight=weight),
                                    MEMBER, code, who, {"username": username, "weight": weight})
        return self.status(code)

    def answer(self, code: str, actor: Actor, *, weights: Mapping[str, Any] | None = None,
               pairwise: Judgements | None = None) -> dict[str, Any]:
        """Record ``actor``'s answer to round ``code``: ``weights`` (criterion key -> points)
        in a weights round, ``pairwise`` in a pairwise one, either ``(keys, matrix)`` or
        ``{(row key, column key): judgement}``. Returns the round's status for the member,
        with ``your_cr`` (their consistency ratio, for judgements)."""
        who = authorize(actor, Action.read)
        with catalogue_transaction(self.engine) as s:
            row = self._existing(s, code, lock=True)
            if row.status != "open":
                raise Conflict(f"{row.code} is closed: answers can no longer change")
            member = next((m for m in round_rows.members(s, row.id, lock=True)
                           if m.username.lower() == who.lower()), None)
            if member is None:
                invited = ", ".join(m.username for m in round_rows.members(s, row.id))
                raise PermissionDenied(f"{who} is not a member of {row.code} (members: "
                                       f"{invited}); ask {row.created_by}, who opened it, to "
                                       "invite you")
            keys = json.loads(row.criteria)
            given = self._answer(row, keys, weights, pairwise)
            text = canonical_json(given)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            before = {"answer": _digest(member.answer)}
            audit.apply_changes(s, member, MEMBER, row.code, who, before,
                                {"answer": f"sha256:{digest}"},
                                {"answer": text, "answered_at": utcnow()})
            code = row.code
        record = self.status(code, who)
        record["your_cr"] = (priorities(np.array(given["matrix"])).cr
                             if "matrix" in given else None)
        return record

    def close(self, code: str, actor: Actor, *, method: str | None = None,
              mean: str | None = None, include_inconsistent: bool = False) -> dict[str, Any]:
        """Combine the answers and write the group's weights into the scenario (see the
        module); returns the closed round's status."""
        who = authorize(actor, Action.manage_scenarios)
        with catalogue_transaction(self.engine) as s:
            row = self._existing(s, code, lock=True)
            if row.status != "open":
                raise Conflict(f"{row.code} is already closed (by {row.closed_by})")
            pairwise = row.mode == "pairwise"
            chosen = (method or ("aij" if pairwise else "aip")).strip().lower()
            if chosen not in METHODS:
                raise InvalidInput(f"method: {chosen!r} is not one of: {', '.join(METHODS)}")
            averaged = (mean or ("geometric" if pairwise else "arithmetic")).strip().lower()
            if averaged not in MEANS:
                raise InvalidInput(f"mean: {averaged!r} is not one of: {', '.join(MEANS)}")
            keys: list[str] = json.loads(row.criteria)
            invited = round_rows.members(s, row.id)
            answered = [m for m in invited if m.answer is not None]
            if not answered:
                raise InvalidInput(f"nobody has answered {row.code} yet (0 of {len(invited)} "
                                   "members); close it once someone has")
            answers = [json.loads(m.answer or "{}") for m in answered]
            try:
                group = combine([m.username for m in answered],
                                [a["matrix"] if pairwise else
                                 [a["weights"][k] for k in keys] for a in answers],
                                pairwise=pairwise, method=chosen, mean=cast(Mean, averaged),
                                weights=[m.weight for m in answered],
                                include_inconsistent=include_inconsistent)
            except ScoringError as error:
                raise InvalidInput(f"{row.code} cannot be closed: {error}") from None
            result = self._result(keys, invited, answered, answers, group)
            scenario = s.get(SavedScenario, row.scenario_id)
            saved = self.scenarios.existing(s, scenario.name if scenario else "", lock=True)
            settings = json.loads(saved.settings)
            settings["weights"] = result["scenario_weights"]
            self.scenarios.write_settings(s, saved.name, settings, who)
            now = utcnow()
            audit.apply_changes(
                s, row, ROUND, row.code, who,
                {"status": "open", "method": None, "consensus": None, "weights": None},
                {"status": "closed", "method": group.method,
                 "consensus": round(group.consensus, 4),
                 "weights": ", ".join(f"{k}={w:.4f}" for k, w in
                                      result["group_weights"].items())},
                {"status": "closed", "method": group.method, "closed_at": now,
                 "closed_by": who, "result": canonical_json(result)})
            code = row.code
        return self.status(code)

    # ------------------------------------------------------------------ after closing

    def members_top_n(self, code: str, ranks: Callable[[dict[str, float]], Mapping[str, int]],
                      n: int) -> pd.DataFrame:
        """How often each process is in the top ``n`` under each answering member's weights
        (:func:`scoring.group.top_n_frequency`), with ``group_rank``, its rank under the
        group's weights. ``ranks`` ranks the inventory under a full set of criterion weights
        (key -> weight) and returns each ranked process's rank; the caller builds it from the
        round's scenario with the weights replaced, so this book computes no ranking."""
        record = self.status(code)
        if record["status"] != "closed":
            raise InvalidInput(f"{record['code']} is still open: the members' weights are shown "
                               "once it closes")
        result = record["result"]
        per_member = {m["username"]: ranks(_full(self.criteria, m["priorities"]))
                      for m in result["members"] if m["priorities"] is not None}
        frame = top_n_frequency(per_member, n)
        group = ranks(result["scenario_weights"])
        return frame.assign(group_rank=frame["process"].map(dict(group)))

    # ------------------------------------------------------------------ helpers

    def _criteria(self, wanted: Sequence[str] | None, mode: str) -> list[str]:
        known = self.criteria.keys
        if not wanted:
            keys = list(known)
        else:
            keys = list(dict.fromkeys(k.strip() for k in wanted if k and k.strip()))
            unknown = [k for k in keys if k not in known]
            if unknown:
                raise InvalidInput(f"criteria: unknown criterion {unknown[0]!r}; the criteria "
                                   f"are {', '.join(known)}")
            keys = [k for k in known if k in keys]  # the criteria set's order
        if len(keys) < 2:
            raise InvalidInput("criteria: a round weighs at least two criteria")
        if mode == "pairwise" and len(keys) > 10:
            raise InvalidInput(f"criteria: pairwise judgements on {len(keys)} criteria "
                               f"({len(keys) * (len(keys) - 1) // 2} comparisons) cannot have "
                               "their consistency checked beyond 10; choose at most 10 "
                               "criteria for a pairwise round, or use direct weights")
        return keys

    @staticmethod
    def _member_weights(names: list[str], given: Mapping[str, float]) -> list[float]:
        lowered = {n.lower() for n in names}
        stray = [k for k in given if k.strip().lower() not in lowered]
        if stray:
            raise InvalidInput(f"member weights: {stray[0]!r} is not a member of the round; "
                               f"the members are {', '.join(names)}")
        by_name = {k.strip().lower(): v for k, v in given.items()}
        weights = []
        for name in names:
            value = _number(by_name.get(name.lower(), 1.0), f"the weight of member {name}")
            if value < 0:
                raise InvalidInput(f"the weight of member {name} must be 0 or more, got "
                                   f"{value:g}")
            weights.append(value)
        if not any(w > 0 for w in weights):
            raise InvalidInput("member weights: every member has weight 0; give one a weight")
        return weights

    def _answer(self, row: WeightingRound, keys: list[str],
                weights: Mapping[str, Any] | None,
                pairwise: Judgements | None) -> dict[str, Any]:
        if row.mode == "weights":
            if weights is None or pairwise is not None:
                raise InvalidInput(f"{row.code} asks for direct weights: points shared out "
                                   f"over {', '.join(keys)}")
            return {"weights": _points(keys, weights)}
        if pairwise is None or weights is not None:
            raise InvalidInput(f"{row.code} asks for pairwise judgements of {', '.join(keys)} "
                               "on Saaty's 1-9 scale")
        return {"matrix": _matrix(keys, pairwise).tolist()}

    def _result(self, keys: list[str], invited: list[RoundMember], answered: list[RoundMember],
                answers: list[dict[str, Any]], group: GroupWeights) -> dict[str, Any]:
        """The stored result: JSON-ready, every number finite or null."""
        included = set(group.members)
        priorities_of = dict(zip([m.username for m in answered], group.member_priorities,
                                 strict=True))
        cr_of = dict(zip([m.username for m in answered], group.member_cr, strict=True))
        counted = [m.username for m in answered if m.username in included]
        spread = disagreement(np.vstack([priorities_of[u] for u in counted]), keys,
                              [m.weight for m in answered if m.username in included])
        group_weights = {k: float(w) for k, w in zip(keys, group.weights, strict=True)}
        return {
            "method": group.method, "criteria": keys, "group_weights": group_weights,
            "group_cr": group.group_cr, "consensus": group.consensus,
            "consensus_band": group.band,
            "consensus_measure": ("Goepel's AHP consensus (Saaty scale up to "
                                  f"{SAATY_SCALE_MAX:g})" if "matrix" in answers[0] else
                                  "Goepel's relative homogeneity"),
            "included": counted, "excluded_inconsistent": list(group.excluded),
            "not_answered": [m.username for m in invited if m.answer is None],
            "members": [{"username": m.username, "weight": m.weight,
                         "answered_at": m.answered_at.isoformat() if m.answered_at else None,
                         "answer": json.loads(m.answer) if m.answer else None,
                         "priorities": ({k: float(p) for k, p in
                                         zip(keys, priorities_of[m.username], strict=True)}
                                        if m.username in priorities_of else None),
                         "cr": cr_of.get(m.username)} for m in invited],
            "disagreement": spread.to_dict("records"),
            "scenario_weights": _full(self.criteria, group_weights),
        }

    @staticmethod
    def _existing(s: Session, code: str, *, lock: bool = False) -> WeightingRound:
        row = round_rows.round_by_code(s, code, lock=lock)
        if row is None or row.deleted_at is not None:
            raise NotFound(f"no weighting round has the code '{(code or '').strip()}'; check "
                           "the code in the list of rounds")
        return row


def _digest(answer: str | None) -> str | None:
    if answer is None:
        return None
    return "sha256:" + hashlib.sha256(answer.encode("utf-8")).hexdigest()


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{what} must be a finite number, got {value!r}")
    return number


def _points(keys: list[str], given: Mapping[str, Any]) -> dict[str, float]:
    """Points per criterion of the round (a criterion left out: 0)."""
    unknown = [k for k in given if k not in keys]
    if unknown:
        raise InvalidInput(f"weights: {unknown[0]!r} is not weighed in this round; the criteria "
                           f"are {', '.join(keys)}")
    points = {k: _number(given.get(k, 0.0), f"the weight of {k}") for k in keys}
    negative = next((k for k, v in points.items() if v < 0), None)
    if negative is not None:
        raise InvalidInput(f"the weight of {negative} must be 0 or more, got "
                           f"{points[negative]:g}")
    if not any(v > 0 for v in points.values()):
        raise InvalidInput("weights: every criterion has 0 points; share some points out")
    return points


def _matrix(keys: list[str], given: Judgements) -> np.ndarray:
    """The full judgement matrix in the round's criteria order, from a full matrix with its
    keys or from judgements by pair; checked on Saaty's scale and for reciprocity."""
    n = len(keys)
    where = {k: i for i, k in enumerate(keys)}
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    if isinstance(given, tuple):
        labels, rows = given
        if sorted(labels) != sorted(keys):
            raise InvalidInput(f"the judgements compare {', '.join(labels)}; this round "
                               f"weighs {', '.join(keys)}: compare exactly these")
        values = np.asarray(rows, dtype=np.float64)
        if values.shape != (n, n):
            raise InvalidInput(f"the judgements must be a {n} x {n} matrix")
        order = [labels.index(k) for k in keys]
        matrix = values[np.ix_(order, order)]
    else:
        for (first, second), value in given.items():
            for key in (first, second):
                if key not in where:
                    raise InvalidInput(f"judgement {first} against {second}: {key!r} is not "
                                       f"weighed in this round; the criteria are "
                                       f"{', '.join(keys)}")
            i, j = where[first], where[second]
            number = _number(value, f"the judgement of {first} against {second}")
            if i == j or not np.isnan(matrix[i, j]):
                raise InvalidInput(f"judgement {first} against {second} is given twice or "
                                   "compares a criterion with itself; give each pair once")
            matrix[i, j], matrix[j, i] = number, (1.0 / number if number > 0 else number)
        missing = [(keys[i], keys[j]) for i in range(n) for j in range(i + 1, n)
                   if np.isnan(matrix[i, j])]
        if missing:
            raise InvalidInput(f"no judgement of {missing[0][0]} against {missing[0][1]}: "
                               f"compare every pair ({n * (n - 1) // 2} judgements)")
    for i in range(n):
        for j in range(n):
            value = float(matrix[i, j])
            if not (math.isfinite(value)
                    and 1 / SAATY_SCALE_MAX - _SCALE_TOL <= value
                    <= SAATY_SCALE_MAX + _SCALE_TOL):
                raise InvalidInput(f"the judgement of {keys[i]} against {keys[j]} is {value:g}: "
                                   "judgements go from 1/9 to 9 (Saaty's scale)")
    try:
        priorities(matrix)
    except ValueError as error:
        raise InvalidInput(f"the judgements are not a comparison matrix: {error}; indices "
                           f"count the criteria from 0 in the order {', '.join(keys)}") from None
    return matrix


def _full(criteria: CriteriaSet, weights: Mapping[str, float]) -> dict[str, float]:
    """A weight for every criterion of the set: those given, 0 for the rest."""
    return {k: float(weights.get(k, 0.0)) for k in criteria.keys}

