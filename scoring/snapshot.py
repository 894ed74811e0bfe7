"""Decision snapshots: a ranking frozen with everything needed to reproduce and explain it.

:func:`freeze` turns the inputs, the criteria set, the scenario and the resulting ranking into
plain JSON-ready data (the inputs reduced to the columns scoring reads, plus who last changed
each assessment); :func:`reproduce` ranks the frozen inputs again, and :func:`verify` checks
that this gives exactly the frozen results. :func:`why_moved` compares two snapshots and
attributes each process's rank shift to changed settings (weights, method, criteria, policies)
or to changed inputs, naming the inputs that changed, by whom and when; processes ranked in only
one of the two are grouped apart, after the moves, with the reason ("newly ranked": assessed
since, new in the inventory...; "no longer ranked": completed, deleted...).
:func:`settings_changes` says in words what changed in the settings (see
:mod:`scoring.settings_words`).

Snapshots frozen before scenarios had ``include_completed`` ranked completed processes; they are
thawed with ``include_completed`` true, so they still reproduce exactly. Likewise, snapshots
frozen before processes on one cycle stopped passing uplift to each other are thawed with
``uplift_round_cycles`` true (:mod:`scoring.uplift`), those frozen before TOPSIS and VIKOR
measured against the declared scales with ``ideal`` ``data``, and those frozen when PageRank
was a share of the whole graph (its values summing to 1; the ranking then multiplied them by
the number of processes) have it multiplied so on thawing.

Attribution convention: with ``A`` the earlier and ``B`` the later snapshot, the process is
also ranked on ``A``'s inputs under ``B``'s criteria and scenario (``A'``). The shift from
``A`` to ``A'`` is due to the settings, from ``A'`` to ``B`` to the inputs; the two add up to
the whole shift. (An order-dependent split, as in any one-at-a-time decomposition; see Saltelli
et al. (2008) "Global sensitivity analysis: the primer", Wiley, section 1.2.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scoring.criteria import CriteriaSet, SourceKind, criteria_from_dict
from scoring.errors import ScoringError
from scoring.ranking import Ranking, RankingInputs, rank
from scoring.scenario import COMPLETED, Scenario
from scoring.settings_words import criteria_changes, scenario_changes, weight_changes

FORMAT = 1
PROCESS_COLUMNS = ("code", "name", "unit", "parent_code", "level", "pillar", "priority_area",
                   "transformation_status", "quick_fix_candidate", "process_owner",
                   "change_owner", "estimated_cost_chf", "estimated_effort_pm",
                   "target_milestone", "earliest_start")
ASSESSMENT_COLUMNS = ("process_code", "criterion_key", "value", "rater", "updated_by",
                      "updated_at")
DEPENDENCY_COLUMNS = ("upstream_code", "downstream_code", "strength")
#: Scenario fields added after snapshots were first taken, with the value that reproduces
#: what such a snapshot recorded when it lacks them.
LEGACY_SCENARIO = {"include_completed": True, "uplift_round_cycles": True, "ideal": "data"}
#: How frozen metrics state that PageRank is already relative to its part's average process.
PAGERANK_PER_PART = "pagerank_per_part"
#: ``why_moved``'s ``status`` values, in the order the groups are listed.
MOVED, NEWLY_RANKED, NO_LONGER_RANKED = "ranked in both", "newly ranked", "no longer ranked"


def freeze(inputs: RankingInputs, criteria: CriteriaSet, scenario: Scenario,
           ranking: Ranking) -> dict[str, Any]:
    """Everything a decision rests on, as JSON-ready data (NaN written as ``None``)."""
    fields = [c.source_name for c in criteria.criteria if c.source is SourceKind.FIELD]
    metrics = [c.source_name for c in criteria.criteria if c.source is SourceKind.GRAPH]
    process_columns = list(dict.fromkeys([*PROCESS_COLUMNS, *fields]))
    frozen_metrics = None
    if inputs.metrics is not None:
        frame = inputs.metrics[[m for m in metrics if m in inputs.metrics.columns]]
        frozen_metrics = {"codes": [str(c) for c in frame.index], "columns": list(frame.columns),
                          "values": _records(frame.reset_index(drop=True)),
                          PAGERANK_PER_PART: True}
    frozen_demand = None
    if inputs.demand is not None and any(c.source is SourceKind.CASES
                                         for c in criteria.criteria):
        frozen_demand = {"codes": [str(c) for c in inputs.demand.index],
                         "columns": list(inputs.demand.columns),
                         "values": _records(inputs.demand.reset_index(drop=True))}
    return {
        "format": FORMAT,
        "criteria": criteria.to_dict(),
        "scenario": scenario.to_dict(),
        "inputs": {
            "processes": _records(_columns(inputs.processes, process_columns)),
            "assessments": _records(_columns(inputs.assessments, ASSESSMENT_COLUMNS)),
            "dependencies": _records(_columns(inputs.dependencies, DEPENDENCY_COLUMNS)),
            "metrics": frozen_metrics,
            "demand": frozen_demand,
        },
        "results": {
            "table": _records(ranking.table),
            "contributions": {str(code): _records(row.to_frame().T)[0]
                              for code, row in ranking.contributions.iterrows()},
            "left_out": list(ranking.left_out),
            "completed": list(ranking.completed),
        },
    }


def thaw(content: dict[str, Any]) -> tuple[RankingInputs, CriteriaSet, Scenario]:
    """The inputs, criteria and scenario frozen in ``content``."""
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ScoringError("This snapshot was not written by this version of dti "
                           f"(format {content.get('format') if isinstance(content, dict) else '?'}"
                           f", expected {FORMAT})")
    frozen = content["inputs"]
    metrics = None
    if frozen.get("metrics") is not None:
        metrics = pd.DataFrame(frozen["metrics"]["values"], columns=frozen["metrics"]["columns"])
        metrics.index = pd.Index(frozen["metrics"]["codes"], name="code")
        if "pagerank" in metrics.columns and not frozen["metrics"].get(PAGERANK_PER_PART):
            metrics["pagerank"] = pd.to_numeric(metrics["pagerank"]) * len(metrics)
    demand = None
    if frozen.get("demand") is not None:
        demand = pd.DataFrame(frozen["demand"]["values"], columns=frozen["demand"]["columns"])
        demand.index = pd.Index(frozen["demand"]["codes"], name="code")
    inputs = RankingInputs(
        processes=_frame(frozen["processes"], PROCESS_COLUMNS),
        assessments=_frame(frozen["assessments"], ASSESSMENT_COLUMNS),
        metrics=metrics,
        dependencies=_frame(frozen["dependencies"], DEPENDENCY_COLUMNS),
        demand=demand,
    )
    return inputs, criteria_from_dict(content["criteria"], "snapshot"), frozen_scenario(content)


def frozen_scenario(content: dict[str, Any]) -> Scenario:
    """The scenario frozen in ``content``, with :data:`LEGACY_SCENARIO` values for the fields
    a snapshot taken before they existed lacks."""
    return Scenario.from_dict({**LEGACY_SCENARIO, **content["scenario"]})


def reproduce(content: dict[str, Any]) -> Ranking:
    """Rank the frozen inputs again under the frozen criteria and scenario."""
    inputs, criteria, scenario = thaw(content)
    return rank(inputs, criteria, scenario)


def verify(content: dict[str, Any]) -> list[str]:
    """Differences between the frozen results and a fresh ranking of the frozen inputs; an
    empty list means the snapshot reproduces exactly."""
    fresh = _records(reproduce(content).table)
    frozen = content["results"]["table"]
    if len(fresh) != len(frozen):
        return [f"{len(frozen)} processes were ranked, now {len(fresh)}"]
    problems = []
    for old, new in zip(frozen, fresh, strict=True):
        for column in ("code", "rank", "score"):
            if old.get(column) != new.get(column):
                problems.append(f"{old.get('code')}: {column} was {old.get(column)!r}, now "
                                f"{new.get(column)!r}")
    return problems


def why_moved(before: dict[str, Any], after: dict[str, Any]) -> pd.DataFrame:
    """Per process ranked in either snapshot: ``code``, ``name``, ``status`` (:data:`MOVED`,
    :data:`NEWLY_RANKED` or :data:`NO_LONGER_RANKED`), ``rank_before``, ``rank_after``,
    ``shift`` (positive = moved up), ``from_settings`` and ``from_inputs`` (the two parts of the
    shift, see the module docstring; empty for a process ranked in one snapshot only),
    ``changed_inputs`` (what changed for that process, by whom) and ``reason`` (why a process
    entered or left the ranking).

    Rows: the processes ranked in both, largest shift first (then by code); then the newly
    ranked, by their rank after; then those no longer ranked, by their rank before."""
    inputs_a, _, _ = thaw(before)
    _, criteria_b, scenario_b = thaw(after)
    middle = rank(inputs_a, criteria_b, scenario_b).table
    ranks = pd.DataFrame({
        "rank_before": _ranks(before["results"]["table"]),
        "rank_middle": middle.set_index("code")["rank"],
        "rank_after": _ranks(after["results"]["table"]),
    })
    ranks = ranks[ranks["rank_before"].notna() | ranks["rank_after"].notna()]
    names = {**_names(before), **_names(after)}
    changes = _input_changes(before, after)
    status = np.select([ranks["rank_before"].isna(), ranks["rank_after"].isna()],
                       [NEWLY_RANKED, NO_LONGER_RANKED], MOVED)
    frame = pd.DataFrame({
        "code": ranks.index,
        "name": _texts([names.get(code, "") for code in ranks.index]),
        "status": _texts(status),
        "rank_before": ranks["rank_before"].astype("Int64").array,
        "rank_after": ranks["rank_after"].astype("Int64").array,
        "shift": (ranks["rank_before"] - ranks["rank_after"]).astype("Int64").array,
        "from_settings": (ranks["rank_before"] - ranks["rank_middle"]).astype("Int64").array,
        "from_inputs": (ranks["rank_middle"] - ranks["rank_after"]).astype("Int64").array,
        "changed_inputs": _texts(["; ".join(changes.get(code, [])) for code in ranks.index]),
        "reason": _texts([_entry_or_exit(code, kind, before, after)
                          for code, kind in zip(ranks.index, status, strict=True)]),
    })
    frame.loc[frame["status"] != MOVED, ["from_settings", "from_inputs"]] = pd.NA
    group = frame["status"].map({MOVED: 0, NEWLY_RANKED: 1, NO_LONGER_RANKED: 2}).to_numpy()
    within = np.where(group == 0, -frame["shift"].abs().fillna(0).to_numpy(dtype=float),
                      frame["rank_after"].fillna(0).to_numpy(dtype=float)
                      + frame["rank_before"].fillna(0).to_numpy(dtype=float))
    order = np.lexsort((frame["code"].to_numpy(), within, group))
    return frame.iloc[order].reset_index(drop=True)


def settings_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed in the scenario and the criteria between two snapshots, in words a leader
    reads (see :mod:`scoring.settings_words`)."""
    scenario_a, scenario_b = frozen_scenario(before), frozen_scenario(after)
    labels = {c["key"]: c.get("label") or c["key"]
              for content in (before, after) for c in content["criteria"]["criteria"]}
    return (scenario_changes(scenario_a, scenario_b)
            + criteria_changes(before["criteria"], after["criteria"])
            + weight_changes(_weights(before), _weights(after), labels))


def _entry_or_exit(code: str, status: str, before: dict[str, Any],
                   after: dict[str, Any]) -> str:
    """Why ``code`` entered (``status`` :data:`NEWLY_RANKED`) or left the ranking; empty for
    a process ranked in both."""
    if status == NEWLY_RANKED:
        return _why_not_ranked(code, before, after, entering=True)
    if status == NO_LONGER_RANKED:
        return _why_not_ranked(code, after, before, entering=False)
    return ""


def _why_not_ranked(code: str, unranked: dict[str, Any], ranked: dict[str, Any], *,
                    entering: bool) -> str:
    """Why ``code`` is not ranked in snapshot ``unranked`` while it is in ``ranked``, worded
    from the later snapshot's point of view (``entering``: ``unranked`` is the earlier)."""
    process = next((row for row in unranked["inputs"]["processes"] if row["code"] == code),
                   None)
    if process is None:
        return "new in the inventory" if entering else "no longer in the inventory"
    if process.get("transformation_status") == COMPLETED and \
            not frozen_scenario(unranked).ranks_completed:
        if not entering:
            return "transformation completed"
        still = any(row["code"] == code and row.get("transformation_status") == COMPLETED
                    for row in ranked["inputs"]["processes"])
        return "completed processes now ranked" if still else "transformation reopened"
    if code in unranked["results"].get("left_out", []):
        if entering:
            return "unassessed processes now ranked" if \
                frozen_scenario(ranked).include_unassessed else "assessed since"
        return "unassessed processes now left out" if \
            frozen_scenario(ranked).include_unassessed else "no assessment any more"
    return "now in the scenario's scope" if entering else "outside the scenario's scope"


# ---------------------------------------------------------------- helpers

def _texts(values: Any) -> np.ndarray:
    """Text values as an object array (so an empty column is still a text column)."""
    return np.asarray([str(v) for v in values], dtype=object)


def _columns(frame: pd.DataFrame | None, columns: Any) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=list(columns))
    return frame[[c for c in columns if c in frame.columns]]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return None if pd.isna(value) else value.isoformat()
    return None if pd.isna(value) else str(value)


def _frame(records: list[dict[str, Any]], columns: Any) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    return frame if not frame.empty else pd.DataFrame(columns=list(columns))


def _ranks(table: list[dict[str, Any]]) -> pd.Series:
    return pd.Series({row["code"]: row["rank"] for row in table}, dtype="float64")


def _names(content: dict[str, Any]) -> dict[str, str]:
    return {row["code"]: row.get("name") or "" for row in content["inputs"]["processes"]}


def _weights(content: dict[str, Any]) -> dict[str, float]:
    defaults = {c["key"]: c["weight"] for c in content["criteria"]["criteria"]}
    return {**defaults, **content["scenario"].get("weights", {})}


def _input_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """Per process: its changed assessments (with who and when), fields, staff demand and
    dependencies."""
    changes: dict[str, list[str]] = {}

    def note(code: str, text: str) -> None:
        changes.setdefault(code, []).append(text)

    def keyed(content: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(r["process_code"], r["criterion_key"], r["rater"]): r
                for r in content["inputs"]["assessments"]}

    old, new = keyed(before), keyed(after)
    for key in sorted(set(old) | set(new)):
        code, criterion, rater = key
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None and was["value"] == now["value"]:
            continue
        who = f" ({now.get('updated_by')}, {str(now.get('updated_at') or '')[:10]})" \
            if now is not None and now.get("updated_by") else ""
        if was is None and now is not None:
            note(code, f"{criterion} rated {now['value']:g} by {rater}{who}")
        elif now is None and was is not None:
            note(code, f"{criterion} rating {was['value']:g} by {rater} removed")
        elif was is not None and now is not None:
            note(code, f"{criterion} by {rater} {was['value']:g} -> {now['value']:g}{who}")
    fields = [c["source"].split(":", 1)[1] for c in after["criteria"]["criteria"]
              if c["source"].startswith("field:")]
    processes_a = {r["code"]: r for r in before["inputs"]["processes"]}
    for row in after["inputs"]["processes"]:
        was = processes_a.get(row["code"])
        for name in fields:
            if was is not None and was.get(name) != row.get(name):
                note(row["code"], f"{name} {was.get(name)} -> {row.get(name)}")
    for code, measure, old_demand, new_demand in _demand_changes(before, after):
        note(code, f"staff demand ({measure}) {old_demand:g} -> {new_demand:g}")
    edges_a = {(r["upstream_code"], r["downstream_code"]) for r in before["inputs"]["dependencies"]}
    edges_b = {(r["upstream_code"], r["downstream_code"]) for r in after["inputs"]["dependencies"]}
    for up, down in sorted(edges_b - edges_a):
        note(up, f"now unblocks {down}")
        note(down, f"now depends on {up}")
    for up, down in sorted(edges_a - edges_b):
        note(up, f"no longer unblocks {down}")
        note(down, f"no longer depends on {up}")
    return changes


def _demand_changes(before: dict[str, Any], after: dict[str, Any]
                    ) -> list[tuple[str, str, float, float]]:
    """(code, measure, was, now) for each staff demand measure the later snapshot's criteria
    read and that changed (a process a snapshot does not list had none)."""
    measures = [c["source"].split(":", 1)[1] for c in after["criteria"]["criteria"]
                if c["source"].startswith("cases:")]

    def values(content: dict[str, Any]) -> dict[tuple[str, str], float]:
        frozen = content["inputs"].get("demand") or {"codes": [], "values": []}
        return {(code, m): float(row.get(m) or 0)
                for code, row in zip(frozen["codes"], frozen["values"], strict=True)
                for m in measures}

    old, new = values(before), values(after)
    return [(code, m, old.get((code, m), 0.0), new.get((code, m), 0.0))
            for code, m in sorted(set(old) | set(new))
            if old.get((code, m), 0.0) != new.get((code, m), 0.0)]
