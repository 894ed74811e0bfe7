"""``dti criteria``, ``dti assess``, ``dti score``, ``dti explain`` and ``dti ahp``, driven as a
user drives them.

Expectations are derived, never copied from a run: from the criteria YAML, from the sample's
data (read back through the CLI or the catalogue), from :func:`scoring.ranking.rank` called
directly on the same frames, or by hand in a comment. Database tests run on SQLite and, when
``DTI_TEST_POSTGRES_URL`` is set, on PostgreSQL too.

``dti score`` on the sample always leaves out the unassessed processes and says so on stderr
("Note: ..."), so successful scoring runs are checked with :func:`succeeded`, which allows
``Note:`` lines there, rather than :func:`tests.support.ok`.
"""

from __future__ import annotations

import io
import json
import statistics
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import Result

from inventory import graph
from inventory.cli import app
from inventory.services import Catalogue
from scoring.criteria import DEFAULT_CRITERIA_FILE, load_criteria
from scoring.ranking import Ranking, RankingInputs, rank
from scoring.scenario import Method, Scenario
from tests.support import by, dti, ok, refused, runner, snapshot

TOLERANCE = 1e-9
UPLIFT = "dependency_uplift"
DEFAULT_YAML: dict[str, Any] = yaml.safe_load(DEFAULT_CRITERIA_FILE.read_text(encoding="utf-8"))
DEFAULT_CRITERIA: list[dict[str, Any]] = DEFAULT_YAML["criteria"]
ASSESSED_KEYS = [c["key"] for c in DEFAULT_CRITERIA if c["source"] == "assessment"]


# ---------------------------------------------------------------- helpers


def run(*args: str) -> Result:
    """``dti ARGS...`` for commands that need no database (criteria, ahp)."""
    return runner.invoke(app, list(args))


def succeeded(result: Result, allowed: tuple[str, ...] = ("Note: ",)) -> str:
    """Exit 0, no exception, and every stderr line one of the ``allowed`` kinds; stdout."""
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    for line in result.stderr.splitlines():
        assert line.startswith(allowed), result.stderr
    return result.stdout


def score_json(db: str, *args: str) -> list[dict[str, Any]]:
    """``dti score --format json ARGS...``, parsed."""
    return json.loads(succeeded(dti(db, "score", "--format", "json", *args)))


def explain_json(db: str, *args: str) -> dict[str, Any]:
    """``dti explain --format json ARGS...``, parsed."""
    return json.loads(succeeded(dti(db, "explain", "--format", "json", *args)))


def listed(db: str, *args: str) -> list[dict[str, Any]]:
    """The JSON output of a list command."""
    return json.loads(ok(dti(db, *args, "--format", "json")))


def direct_ranking(catalogue: Catalogue, **scenario: Any) -> Ranking:
    """The ranking computed by calling :func:`scoring.ranking.rank` on the catalogue's frames."""
    frames = catalogue.frames()
    inputs = RankingInputs(processes=frames["processes"], assessments=frames["assessments"],
                           metrics=graph.metrics(catalogue.graph()),
                           dependencies=frames["dependencies"],
                           demand=catalogue.cases.demand())
    return rank(inputs, load_criteria(), Scenario(**scenario))


def to_do(db: str) -> set[str]:
    """Live processes whose transformation is not completed (completed work is not ranked)."""
    return {p["code"] for p in listed(db, "process", "list")
            if p["transformation_status"] != "completed"}


def assessed_codes(db: str) -> set[str]:
    """Live processes still to transform with at least one assessment on an assessed
    criterion."""
    live = to_do(db)
    rated = {a["process_code"] for a in listed(db, "assessment", "list")
             if a["criterion_key"] in ASSESSED_KEYS}
    return live & rated


def pairwise_csv(path: Path, labels: list[str], upper: dict[tuple[str, str], str]) -> Path:
    """A pairwise-comparison CSV with only the upper triangle filled (blank below, 1 on the
    diagonal), as a user would write it."""
    rows = [["", *labels]]
    for i, row in enumerate(labels):
        rows.append([row, *("1" if i == j else upper.get((row, column), "")
                            for j, column in enumerate(labels))])
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def rated(db: str, code: str, rater: str) -> dict[str, dict[str, Any]]:
    """``rater``'s live assessments of ``code`` by criterion."""
    return {a["criterion_key"]: a for a in listed(db, "assessment", "list", "--process", code)
            if a["rater"] == rater}


@pytest.fixture(autouse=True)
def _default_criteria(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default criteria set, whatever the developer's environment says."""
    monkeypatch.delenv("DTI_CRITERIA", raising=False)


@pytest.fixture
def sample_db(sample_url: str) -> str:
    """The sample inventory, loaded; its URL (the same database as ``sample_catalogue``)."""
    return sample_url


# Saaty (1990) "How to make a decision: the analytic hierarchy process", EJOR 48:9-26, the
# size-of-house matrix [[1, 6, 8], [1/6, 1, 4], [1/8, 1/4, 1]]: weights 0.754, 0.181, 0.065,
# CR 0.117 (above 0.10: inconsistent).
HOUSE = (["size", "age", "yard"], {("size", "age"): "6", ("size", "yard"): "8",
                                   ("age", "yard"): "4"})

# A consistent matrix over three criteria from w = (0.6, 0.3, 0.1): a_ij = w_i / w_j, so its
# AHP weights are exactly w.
CONSISTENT = (["member_experience", "operational_efficiency", "complexity"],
              {("member_experience", "operational_efficiency"): "2",
               ("member_experience", "complexity"): "6",
               ("operational_efficiency", "complexity"): "3"})
CONSISTENT_WEIGHTS = {"member_experience": 0.6, "operational_efficiency": 0.3,
                      "complexity": 0.1}

# Consistent from w = (0.4, 0.3, 0.2, 0.1) except one planted error: member_experience vs
# complexity is 1/4 instead of 4. That judgement is the worst (tests/scoring/test_ahp.py plants
# errors the same way) and CR is far above 0.10.
PLANTED = (["member_experience", "operational_efficiency", "strategic_alignment", "complexity"],
           {("member_experience", "operational_efficiency"): "4/3",
            ("member_experience", "strategic_alignment"): "2",
            ("member_experience", "complexity"): "1/4",
            ("operational_efficiency", "strategic_alignment"): "3/2",
            ("operational_efficiency", "complexity"): "3",
            ("strategic_alignment", "complexity"): "2"})


# ---------------------------------------------------------------- dti criteria


def test_criteria_list_shows_every_default_criterion_with_group_direction_and_source() -> None:
    out = ok(run("criteria", "list"))

    assert len(DEFAULT_CRITERIA) == 14
    assert out.splitlines()[0] == f"{DEFAULT_YAML['name']}: {len(DEFAULT_CRITERIA)} criteria"
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert list(rows) == [c["key"] for c in DEFAULT_CRITERIA]
    for criterion in DEFAULT_CRITERIA:
        cells = rows[criterion["key"]].split()
        assert criterion["group"] in cells
        assert criterion["direction"] in cells
        assert criterion["source"] in cells


def test_criteria_list_as_json_matches_the_yaml() -> None:
    listed_criteria = json.loads(ok(run("criteria", "list", "--format", "json")))

    assert [c["key"] for c in listed_criteria] == [c["key"] for c in DEFAULT_CRITERIA]
    for shown, declared in zip(listed_criteria, DEFAULT_CRITERIA, strict=True):
        assert (shown["group"], shown["direction"], shown["source"], shown["missing"]) == (
            declared["group"], declared["direction"], declared["source"], declared["missing"])
        assert shown["weight"] == declared["weight"]


def test_criteria_show_prints_the_five_anchored_sentences() -> None:
    out = ok(run("criteria", "show", "complexity"))

    levels = next(c for c in DEFAULT_CRITERIA if c["key"] == "complexity")["scale"]["levels"]
    assert len(levels) == 5
    for value, sentence in levels.items():
        assert f"  {value}  {sentence}" in out.splitlines()


def test_criteria_show_of_an_unknown_key_names_the_known_keys() -> None:
    message = refused(run("criteria", "show", "colour"))

    assert "'colour'" in message
    for criterion in DEFAULT_CRITERIA:
        assert criterion["key"] in message


CUSTOM_YAML = """\
name: Volume only
criteria:
  - key: volume
    label: Yearly volume
    group: impact
    direction: benefit
    source: field:annual_volume
    missing: worst
    weight: 1
    scale: {low: 0, high: 10000000, unit: cases per year}
  - key: speed
    label: Speed
    group: impact
    source: field:annual_volume
    weight: 0
    scale:
      levels: {1: Slow., 2: Fair., 3: Fast.}
"""


def test_criteria_file_option_is_used_by_criteria_list_and_show(tmp_path: Path) -> None:
    file = tmp_path / "custom.yaml"
    file.write_text(CUSTOM_YAML, encoding="utf-8")

    shown = json.loads(ok(run("criteria", "list", "--criteria", str(file), "--format", "json")))
    assert [c["key"] for c in shown] == ["volume", "speed"]
    assert shown[0]["label"] == "Yearly volume" and shown[0]["source"] == "field:annual_volume"
    assert ok(run("criteria", "list", "--criteria", str(file))).startswith(
        "Volume only: 2 criteria")
    speed = json.loads(ok(run("criteria", "show", "speed", "--criteria", str(file),
                              "--format", "json")))
    assert speed["levels"] == {"1": "Slow.", "2": "Fair.", "3": "Fast."}


def test_criteria_file_option_is_used_by_score(sample_db: str, tmp_path: Path) -> None:
    file = tmp_path / "custom.yaml"
    file.write_text(CUSTOM_YAML, encoding="utf-8")
    processes = [p for p in listed(sample_db, "process", "list")
                 if p["transformation_status"] != "completed"]  # done: not ranked

    ranking = score_json(sample_db, "--criteria", str(file))

    # No assessed criterion in this set, so every process still to do is ranked; the only weighted
    # criterion is the yearly volume (linear, missing = worst), so the largest volume is first.
    assert len(ranking) == len(processes)
    assert {r["code"] for r in ranking} == {p["code"] for p in processes}
    largest = max(p["annual_volume"] or 0 for p in processes)
    assert ranking[0]["score"] == pytest.approx(largest / 10_000_000, abs=TOLERANCE)
    assert {r["code"] for r in ranking if r["rank"] == 1} == {
        p["code"] for p in processes if p["annual_volume"] == largest}
    assert set(ranking[0]["contributions"]) == {"volume", "speed", UPLIFT}


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("    label: Yearly volume", "      label: Yearly volume", "indentation"),
    ("    label: Yearly volume", "    colour: red", "unknown field 'colour'"),
    ("    weight: 1\n", "    weight: -1\n", "'weight' must be a number >= 0"),
    ("high: 10000000", "high: 0", "high (0) must be above low (0)"),
], ids=["bad-indentation", "unknown-field", "negative-weight", "high-not-above-low"])
def test_a_malformed_criteria_file_is_refused_naming_the_file_and_the_problem(
        tmp_path: Path, old: str, new: str, problem: str) -> None:
    assert old in CUSTOM_YAML
    file = tmp_path / "my-criteria.yaml"
    file.write_text(CUSTOM_YAML.replace(old, new, 1), encoding="utf-8")

    message = refused(run("criteria", "list", "--criteria", str(file)))

    assert "my-criteria.yaml" in message
    assert problem in message


# ---------------------------------------------------------------- dti score


def test_score_table_starts_with_rank_one(sample_db: str) -> None:
    ranking = score_json(sample_db)

    lines = succeeded(dti(sample_db, "score")).splitlines()

    assert lines[0] == f"Weighted sum, {len(ranking)} processes"
    assert lines[1].split()[:3] == ["rank", "code", "name"]
    assert lines[2].split()[:2] == ["1", ranking[0]["code"]]


def test_score_json_has_one_object_per_ranked_process(sample_db: str) -> None:
    ranking = score_json(sample_db)

    assert len(ranking) == len(assessed_codes(sample_db))
    assert {r["code"] for r in ranking} == assessed_codes(sample_db)
    keys = {c["key"] for c in DEFAULT_CRITERIA} | {UPLIFT}
    for row in ranking:
        assert {"rank", "code", "name", "score", "contributions"} <= set(row)
        assert set(row["contributions"]) == keys
    scores = [r["score"] for r in ranking]
    assert scores == sorted(scores, reverse=True)
    assert [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking)


def test_score_json_contributions_add_up_to_the_score_under_the_weighted_sum(
        sample_db: str) -> None:
    ranking = score_json(sample_db, "--uplift", "0.5")

    assert any(r["uplift"] > 0 for r in ranking)
    gaps = {}  # code -> (own contributions - base_score, all contributions - score)
    for row in ranking:
        own = sum(v for k, v in row["contributions"].items() if k != UPLIFT)
        gaps[row["code"]] = (own - row["base_score"],
                             own + row["contributions"][UPLIFT] - row["score"])
    code, (base_gap, total_gap) = max(gaps.items(), key=lambda item: max(map(abs, item[1])))
    assert abs(base_gap) <= TOLERANCE and abs(total_gap) <= TOLERANCE, (
        f"{code}: contributions - base_score = {base_gap:.3g}, "
        f"contributions + uplift - score = {total_gap:.3g}")


@pytest.mark.parametrize("method", list(Method), ids=str)
def test_score_ranks_equal_the_ranking_computed_directly(
        sample_catalogue: Catalogue, sample_db: str, method: Method) -> None:
    expected = direct_ranking(sample_catalogue, method=method)

    ranking = score_json(sample_db, "--method", method.value)

    assert [(r["code"], r["rank"]) for r in ranking] == list(
        zip(expected.table["code"], expected.table["rank"].astype(int), strict=True))
    assert [r["score"] for r in ranking] == pytest.approx(expected.table["score"].tolist(),
                                                          abs=TOLERANCE)
    header = succeeded(dti(sample_db, "score", "--method", method.value)).splitlines()[0]
    assert header == f"{method.label}, {len(ranking)} processes"


def test_ties_share_a_rank_and_are_listed_by_code(catalogue: Catalogue, database_url: str) -> None:
    # TIE-B and TIE-A have identical fields and assessments and no dependencies; TOP is rated
    # better on member experience, LOW worse; every other criterion is equal for all four. By
    # hand: TOP 1, TIE-A 2, TIE-B 2 (listed by code, though added first), LOW 4.
    catalogue.load({
        "units": [{"code": "HRMD", "name": "Human Resources"}],
        "processes": [
            {"code": "TIE-B", "name": "Tied B", "unit": "HRMD", "annual_volume": 500,
             "estimated_cost_chf": 100000},
            {"code": "LOW", "name": "Low", "unit": "HRMD"},
            {"code": "TIE-A", "name": "Tied A", "unit": "HRMD", "annual_volume": 500,
             "estimated_cost_chf": 100000},
            {"code": "TOP", "name": "Top", "unit": "HRMD"},
        ],
        "assessments": [
            {"process_code": code, "criterion_key": key, "value": value, "rater": rater}
            for code, value in (("TIE-B", 3), ("TIE-A", 3), ("TOP", 5), ("LOW", 1))
            for key, rater in (("member_experience", "zoe"), ("member_experience", "max"),
                               ("complexity", "zoe"))
        ],
    }, by("ana"))

    ranking = score_json(database_url)

    assert [(r["code"], r["rank"]) for r in ranking] == [
        ("TOP", 1), ("TIE-A", 2), ("TIE-B", 2), ("LOW", 4)]
    assert ranking[1]["score"] == ranking[2]["score"]
    table = ok(dti(database_url, "score")).splitlines()
    assert [line.split()[:2] for line in table[2:]] == [
        ["1", "TOP"], ["2", "TIE-A"], ["2", "TIE-B"], ["4", "LOW"]]


@pytest.mark.parametrize("key", ["change_readiness", "complexity"])
def test_weighting_one_criterion_puts_first_the_processes_best_on_it(
        sample_db: str, key: str) -> None:
    others = [f"{c['key']}=0" for c in DEFAULT_CRITERIA if c["key"] != key]
    ranked = assessed_codes(sample_db)
    values: dict[str, list[float]] = {}
    for a in listed(sample_db, "assessment", "list"):
        if a["criterion_key"] == key and a["process_code"] in ranked:
            values.setdefault(a["process_code"], []).append(a["value"])
    criterion = next(c for c in DEFAULT_CRITERIA if c["key"] == key)
    levels = sorted(criterion["scale"]["levels"])
    midpoint = (levels[0] + levels[-1]) / 2  # the "midpoint" missing-value policy
    medians = {code: statistics.median(values[code]) if code in values else midpoint
               for code in ranked}
    best = (max if criterion["direction"] == "benefit" else min)(medians.values())

    ranking = score_json(sample_db, *(arg for w in others for arg in ("--weights", w)))

    assert {r["code"] for r in ranking if r["rank"] == 1} == {
        code for code, value in medians.items() if value == best}
    for row in ranking:
        assert [k for k, v in row["contributions"].items() if v != 0] in ([], [key])


@pytest.mark.parametrize(("weight", "expected"), [
    ("foo=1", "Unknown criterion 'foo'"),
    ("member_experience=-1", "Weight of 'member_experience' must be >= 0"),
    ("member_experience=abc", "member_experience=abc"),
], ids=["unknown-criterion", "negative", "not-a-number"])
def test_score_refuses_a_bad_weight(sample_db: str, weight: str, expected: str) -> None:
    message = refused(dti(sample_db, "score", "--weights", weight))

    assert expected in message


def test_uplift_credits_the_process_that_blocks_most(sample_db: str) -> None:
    metrics = listed(sample_db, "graph", "metrics")  # sorted by downstream reach
    blocker = metrics[0]
    assert blocker["downstream"] >= 10
    leaves = {m["code"] for m in metrics if m["downstream"] == 0}

    everything = ("--all-processes", "--include-completed")
    plain = {r["code"]: r for r in score_json(sample_db, *everything)}
    lifted = {r["code"]: r for r in score_json(sample_db, *everything, "--uplift", "0.5")}

    code = blocker["code"]
    assert plain[code]["uplift"] == 0
    assert lifted[code]["uplift"] > 0
    assert lifted[code]["base_score"] == pytest.approx(plain[code]["score"], abs=TOLERANCE)
    assert lifted[code]["score"] == pytest.approx(
        lifted[code]["base_score"] + lifted[code]["uplift"], abs=TOLERANCE)
    assert leaves and all(lifted[leaf]["uplift"] == 0 for leaf in leaves)  # nothing to unblock


def test_score_refuses_an_uplift_of_one_or_more(sample_db: str) -> None:
    message = refused(dti(sample_db, "score", "--uplift", "1.5"))

    assert "1.5" in message and "[0, 1)" in message


def test_score_out_writes_the_format_of_the_extension(sample_db: str, tmp_path: Path) -> None:
    ranking = score_json(sample_db)
    as_json, as_csv = tmp_path / "ranking.json", tmp_path / "ranking.csv"

    out_json = succeeded(dti(sample_db, "score", "--out", str(as_json)))
    out_csv = succeeded(dti(sample_db, "score", "--out", str(as_csv)))

    assert out_json == f"Wrote {len(ranking)} ranked processes to {as_json}.\n"
    assert out_csv == f"Wrote {len(ranking)} ranked processes to {as_csv}.\n"
    written = json.loads(as_json.read_text(encoding="utf-8"))
    assert [(r["code"], r["rank"]) for r in written] == [(r["code"], r["rank"]) for r in ranking]
    table = pd.read_csv(io.StringIO(as_csv.read_text(encoding="utf-8")))
    assert table["code"].tolist() == [r["code"] for r in ranking]
    assert table["rank"].tolist() == [r["rank"] for r in ranking]
    assert {f"contribution_{c['key']}" for c in DEFAULT_CRITERIA} <= set(table.columns)


def test_score_with_ahp_weights_only_the_criteria_of_the_matrix(
        sample_db: str, tmp_path: Path) -> None:
    file = pairwise_csv(tmp_path / "weights.csv", *CONSISTENT)

    result = dti(sample_db, "score", "--ahp", str(file), "--format", "json")
    ranking = json.loads(succeeded(result))

    assert "Warning" not in result.stderr  # a consistent matrix
    others = {c["key"] for c in DEFAULT_CRITERIA} - set(CONSISTENT_WEIGHTS) - {UPLIFT}
    for row in ranking:
        assert all(row["contributions"][key] == 0 for key in others), row["code"]
    assert any(row["contributions"][key] > 0 for row in ranking for key in CONSISTENT_WEIGHTS)
    lines = explain_json(sample_db, ranking[0]["code"], "--ahp", str(file))["lines"]
    weights = {line["criterion"]: line["weight"] for line in lines if line["criterion"] != UPLIFT}
    for key, weight in weights.items():
        assert weight == pytest.approx(CONSISTENT_WEIGHTS.get(key, 0.0), abs=TOLERANCE), key


def test_score_with_an_inconsistent_ahp_matrix_warns_and_still_scores(
        sample_db: str, tmp_path: Path) -> None:
    file = pairwise_csv(tmp_path / "planted.csv", *PLANTED)

    result = dti(sample_db, "score", "--ahp", str(file), "--format", "json")

    ranking = json.loads(succeeded(result, allowed=("Note: ", "Warning: ")))
    assert len(ranking) == len(assessed_codes(sample_db))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(warnings) == 1
    assert "Inconsistent" in warnings[0]
    assert "member_experience vs complexity" in warnings[0]


def test_score_leaves_out_unassessed_processes_unless_asked(sample_db: str) -> None:
    live = to_do(sample_db)
    assessed = assessed_codes(sample_db)
    assert assessed < live

    default = dti(sample_db, "score", "--format", "json")
    everything = dti(sample_db, "score", "--all-processes", "--format", "json")

    assert {r["code"] for r in json.loads(succeeded(default))} == assessed
    assert (f"Note: {len(live - assessed)} processes have no assessment and are not ranked"
            in default.stderr)
    assert {r["code"] for r in json.loads(succeeded(everything))} == live
    assert "no assessment" not in everything.stderr


def test_all_processes_leaves_out_deleted_processes(sample_db: str) -> None:
    live = to_do(sample_db)
    parents = {p["parent_code"] for p in listed(sample_db, "process", "list")}
    victim = sorted(live - assessed_codes(sample_db) - parents)[0]  # a leaf: deletable
    ok(dti(sample_db, "process", "delete", victim))

    ranked = {r["code"] for r in score_json(sample_db, "--all-processes")}

    assert ranked == live - {victim}


def test_under_missing_exclude_filling_in_the_unknown_values_lands_inside_the_interval(
        sample_db: str) -> None:
    """TSB-SGD leaves duration and change readiness unknown: left out of its score, they may
    still turn out anywhere on their scales, and its rank with them."""
    shown = {r["code"]: r for r in score_json(sample_db, "--missing", "exclude")}["TSB-SGD"]
    assert shown["best_rank"] < shown["rank"] < shown["worst_rank"] and shown["bounds_exact"]
    for duration, readiness in (("1", "5"), ("5", "1")):  # the best end, then the worst
        succeeded(dti(sample_db, "assess", "add", "TSB-SGD", f"duration={duration}",
                      f"change_readiness={readiness}", "--rater", "analyst.b"),
                  allowed=())
        now = {r["code"]: r for r in score_json(sample_db, "--missing", "exclude")}["TSB-SGD"]
        assert shown["best_rank"] <= now["rank"] <= shown["worst_rank"]
        assert now["completeness"] == 1


def test_topsis_against_the_processes_ranked_warns_and_reorders_when_one_is_added(
        sample_db: str) -> None:
    """Against the declared scales (the default) a new process never re-orders the others;
    against the processes ranked it can, and the command says so."""
    def order(*options: str) -> tuple[list[str], str]:
        result = dti(sample_db, "score", "--method", "topsis", "--format", "json", *options)
        codes = [r["code"] for r in json.loads(succeeded(result, ("Note: ", "Warning: ")))]
        return codes, result.stderr

    declared, quiet = order()
    relative, warned = order("--ideal", "data")
    assert "Warning" not in quiet
    assert ("Warning: TOPSIS measures each process against the best and worst of the processes "
            "ranked: adding or removing processes can re-order the rest") in warned
    ok(dti(sample_db, "process", "add", "--code", "ZZ-NEW", "--name", "A weak newcomer",
           "--unit", "HRMD"))
    worst = [f"{c['key']}={1 if c['direction'] == 'benefit' else 5}"
             for c in DEFAULT_CRITERIA if c["source"] == "assessment"]
    succeeded(dti(sample_db, "assess", "add", "ZZ-NEW", *worst), allowed=())
    declared_after, _ = order()
    relative_after, _ = order("--ideal", "data")
    assert [c for c in declared_after if c != "ZZ-NEW"] == declared
    assert [c for c in relative_after if c != "ZZ-NEW"] != relative


def test_a_scenario_against_the_processes_ranked_says_so(sample_db: str) -> None:
    said = ok(dti(sample_db, "scenario", "create", "Relative", "--method", "vikor",
                  "--ideal", "data"))
    assert "against the best and worst of the processes ranked (adding or removing " \
           "processes can re-order the rest)" in said
    assert "re-order" in ok(dti(sample_db, "scenario", "show", "Relative"))
    plain = ok(dti(sample_db, "scenario", "create", "Declared", "--method", "vikor"))
    assert "re-order" not in plain
    warned = dti(sample_db, "score", "--scenario", "Relative")
    assert "Warning: VIKOR measures each process against" in warned.stderr


# ---------------------------------------------------------------- dti explain


def test_explain_summarises_code_rank_and_score(sample_db: str) -> None:
    ranking = score_json(sample_db)
    row = next(r for r in ranking if r["code"] == "HR-REC")

    out = succeeded(dti(sample_db, "explain", "HR-REC"))

    summary = out.splitlines()[0]
    assert summary.startswith("HR-REC ")
    assert f"ranks {row['rank']} of {len(ranking)}" in summary
    assert f"score {row['score']:.3f}" in summary


@pytest.mark.parametrize("uplift", ["0", "0.5"])
def test_explain_vs_agrees_with_the_ranks_and_its_differences_add_up_to_the_gap(
        sample_db: str, uplift: str) -> None:
    ranking = score_json(sample_db, "--uplift", uplift)
    high, low = ranking[0], next(r for r in ranking if r["rank"] > ranking[0]["rank"] + 3)

    above = explain_json(sample_db, high["code"], "--vs", low["code"], "--uplift", uplift)
    below = explain_json(sample_db, low["code"], "--vs", high["code"], "--uplift", uplift)

    assert f"{high['code']} (rank {high['rank']}" in above["summary"]
    assert f"is above {low['code']}" in above["summary"]
    assert f"is below {high['code']}" in below["summary"]
    for explained, a, b in ((above, high, low), (below, low, high)):
        gap = sum(line["difference"] for line in explained["lines"])
        assert gap == pytest.approx(a["score"] - b["score"], abs=TOLERANCE)
    table = succeeded(dti(sample_db, "explain", high["code"], "--vs", low["code"],
                          "--uplift", uplift))
    assert table.splitlines()[0] == above["summary"]


def test_explain_refuses_an_unknown_code(sample_db: str) -> None:
    message = refused(dti(sample_db, "explain", "NOPE"))

    assert "'NOPE'" in message


def test_explain_refuses_an_unassessed_process_saying_it_has_no_assessment(
        sample_db: str) -> None:
    live = {p["code"] for p in listed(sample_db, "process", "list")}
    unassessed = sorted(live - assessed_codes(sample_db))[0]

    message = refused(dti(sample_db, "explain", unassessed))

    assert f"'{unassessed}'" in message and "no assessment yet" in message
    message = refused(dti(sample_db, "explain", "HR-REC", "--vs", unassessed))
    assert f"'{unassessed}'" in message and "no assessment yet" in message


# ---------------------------------------------------------------- dti ahp


def test_ahp_reproduces_saatys_house_example(tmp_path: Path) -> None:
    file = pairwise_csv(tmp_path / "house.csv", *HOUSE)

    out = ok(run("ahp", str(file)))

    lines = out.splitlines()
    weights = {line.split()[0]: float(line.split()[1]) for line in lines[1:4]}
    assert weights == pytest.approx({"size": 0.754, "age": 0.181, "yard": 0.065}, abs=0.001)
    cr = float(lines[4].split("CR ")[1])
    assert cr == pytest.approx(0.117, abs=0.001)
    verdict = lines[5]
    assert verdict == ("Inconsistent: CR 0.117 (threshold 0.10); revisit first: size vs age, "
                       "size vs yard and age vs yard (equally inconsistent: changing any one of "
                       "them can be enough).")
    worst = json.loads(ok(run("ahp", str(file), "--format", "json")))["worst_judgements"]
    assert worst == [["size", "age"], ["size", "yard"], ["age", "yard"]]


def test_ahp_names_the_same_judgements_whatever_the_order_of_the_criteria(
        tmp_path: Path) -> None:
    """Three criteria are always equally inconsistent: every order of the table names all
    three judgements, in its own order, never one chosen by rounding."""
    for order in (["yard", "size", "age"], ["age", "yard", "size"]):
        table = {}
        for (a, b), value in HOUSE[1].items():  # each judgement above the new diagonal
            if order.index(a) < order.index(b):
                table[(a, b)] = value
            else:
                table[(b, a)] = f"1/{value}"
        file = pairwise_csv(tmp_path / f"{order[0]}.csv", order, table)
        worst = json.loads(ok(run("ahp", str(file), "--format", "json")))["worst_judgements"]
        assert worst == [[order[0], order[1]], [order[0], order[2]], [order[1], order[2]]]


def test_ahp_json_parses(tmp_path: Path) -> None:
    file = pairwise_csv(tmp_path / "house.csv", *HOUSE)

    result = json.loads(ok(run("ahp", str(file), "--format", "json")))

    assert list(result["weights"]) == HOUSE[0]
    assert sum(result["weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert result["cr"] == pytest.approx(0.117, abs=0.001)
    assert result["consistent"] is False


def test_ahp_names_the_planted_worst_judgement(tmp_path: Path) -> None:
    file = pairwise_csv(tmp_path / "planted.csv", *PLANTED)

    result = json.loads(ok(run("ahp", str(file), "--format", "json")))

    assert result["worst_judgements"] == [["member_experience", "complexity"]]
    assert "revisit first: member_experience vs complexity." in ok(run("ahp", str(file)))


@pytest.mark.parametrize(("text", "expected"), [
    (",a,b,c\na,1,abc,8\nb,,1,4\nc,,,1\n", ["'abc'", "'a' against 'b'"]),
    (",a,b,c\na,1,6,0\nb,,1,4\nc,,,1\n", ["'0'", "'a' against 'c'"]),
    (",a,b,c\na,1,6,8\nb,,1,1/0\nc,,,1\n", ["'1/0'", "'b' against 'c'"]),
    (",a,b,c\na,1,6,8\nb,,1,4\n", ["3 criteria", "2 rows"]),
    (",a,b\na,1,6,8\nb,,1,4\n", ["row", "'a'"]),
    (",a,b,c\na,1,6,8\nc,,,1\nb,,1,4\n", ["Row 3", "'c'", "'b'"]),
], ids=["not-a-number", "zero", "divide-by-zero", "fewer-rows-than-criteria",
        "more-judgements-than-criteria", "row-out-of-header-order"])
def test_ahp_refuses_a_bad_table_naming_the_cell_or_row(
        tmp_path: Path, text: str, expected: list[str]) -> None:
    file = tmp_path / "pairwise.csv"
    file.write_text(text, encoding="utf-8")

    message = refused(run("ahp", str(file)))

    for fragment in expected:
        assert fragment in message


def test_ahp_refuses_a_missing_file(tmp_path: Path) -> None:
    message = refused(run("ahp", str(tmp_path / "nowhere.csv")))

    assert "nowhere.csv" in message and "does not exist" in message


# ---------------------------------------------------------------- dti assess


def test_assess_add_records_each_rating(sample_db: str) -> None:
    before = listed(sample_db, "assessment", "list")

    out = ok(dti(sample_db, "assess", "add", "HR-REC", "complexity=3", "duration=2",
                 "--rater", "zoe"))

    assert out.startswith("Rated HR-REC by zoe")
    after = listed(sample_db, "assessment", "list")
    assert len(after) == len(before) + 2
    mine = rated(sample_db, "HR-REC", "zoe")
    assert {key: row["value"] for key, row in mine.items()} == {"complexity": 3, "duration": 2}
    assert all(row["version"] == 1 for row in mine.values())


def test_assess_add_again_updates_instead_of_duplicating(sample_db: str) -> None:
    ok(dti(sample_db, "assess", "add", "HR-REC", "complexity=3", "duration=2", "--rater", "zoe"))
    first = rated(sample_db, "HR-REC", "zoe")
    count = len(listed(sample_db, "assessment", "list"))

    out = ok(dti(sample_db, "assess", "add", "HR-REC", "complexity=4", "--rater", "zoe"))

    assert "complexity 4 (was 3)" in out
    assert len(listed(sample_db, "assessment", "list")) == count
    now = rated(sample_db, "HR-REC", "zoe")
    assert now["complexity"]["id"] == first["complexity"]["id"]
    assert now["complexity"]["value"] == 4
    assert now["complexity"]["version"] > first["complexity"]["version"]
    assert now["duration"] == first["duration"]


@pytest.mark.parametrize(("args", "expected"), [
    (["HR-REC", "complexity=9"], ["complexity=9", "from 1 to 5"]),
    (["HR-REC", "complexity=3", "duration=9"], ["duration=9", "from 1 to 5"]),
    (["HR-REC", "volume=3"], ["'volume' is not rated by people"]),
    (["HR-REC", "colour=3"], ["unknown criterion 'colour'"]),
    (["NOPE", "complexity=3"], ["'NOPE'"]),
], ids=["out-of-scale", "one-of-two-out-of-scale", "not-assessed", "unknown-criterion",
        "unknown-process"])
def test_assess_add_refuses_and_changes_nothing(sample_catalogue: Catalogue, sample_db: str,
                                                args: list[str], expected: list[str]) -> None:
    ok(dti(sample_db, "assess", "add", "HR-REC", "complexity=2", "--rater", "zoe"))
    before = snapshot(sample_catalogue)

    message = refused(dti(sample_db, "assess", "add", *args, "--rater", "zoe"))

    for fragment in expected:
        assert fragment in message
    assert snapshot(sample_catalogue) == before


def test_assess_list_shows_median_spread_and_each_raters_value(
        small_catalogue: Catalogue, database_url: str) -> None:
    for rater, ratings in (("zoe", ["complexity=3", "duration=2"]),
                           ("max", ["complexity=4", "duration=5"]),
                           ("ivo", ["complexity=5"])):
        ok(dti(database_url, "assess", "add", "HR-REC", *ratings, "--rater", rater))
    ok(dti(database_url, "assess", "add", "FIN", "complexity=1", "--rater", "zoe"))

    rows = listed(database_url, "assess", "list", "--process", "HR-REC")

    # By hand: complexity 3, 4, 5 -> median 4, spread 5 - 3 = 2; duration 2, 5 -> median 3.5,
    # spread 3. Raters listed by name.
    assert [(r["process_code"], r["criterion_key"], r["median"], r["spread"], r["raters"],
             r["ratings"]) for r in rows] == [
        ("HR-REC", "complexity", 4.0, 2.0, 3, "ivo=5, max=4, zoe=3"),
        ("HR-REC", "duration", 3.5, 3.0, 2, "max=5, zoe=2"),
    ]
    table = ok(dti(database_url, "assess", "list", "--process", "HR-REC"))
    assert table.splitlines()[0].split() == [
        "process_code", "criterion_key", "median", "spread", "raters", "ratings"]
    assert "ivo=5, max=4, zoe=3" in table and "FIN" not in table
