"""`dti robustness`, `dti portfolio`, `dti roadmap` and `dti backlog` on the sample inventory:
the figures equal the scoring functions' own, constraints are explained when they conflict,
and every export format carries the same backlog."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from inventory.cli.scoring import ranking_inputs as _inputs
from inventory.services import Catalogue
from scoring import decision
from scoring.criteria import load_criteria
from scoring.ranking import rank
from scoring.scenario import Constraints, Scenario
from tests.support import dti, ok, refused


@pytest.fixture
def db(sample_url: str) -> str:
    return sample_url


def _ranking(db: str, scenario: Scenario) -> tuple[Catalogue, object]:
    catalogue = Catalogue.open(db)
    return catalogue, rank(_inputs(catalogue), load_criteria(), scenario)


def test_robustness_equals_the_monte_carlo_and_sums_to_n(db: str) -> None:
    result = dti(db, "robustness", "--samples", "500", "--top", "5", "--seed", "3",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["processes"]
    assert sum(row["probability_top_n"] for row in rows) == pytest.approx(5)
    _, ranking = _ranking(db, Scenario())
    direct = decision.robustness(ranking, samples=500, top_n=5, seed=3)  # type: ignore[arg-type]
    assert {r["code"]: r["probability_top_n"] for r in rows} == \
        direct.table["probability_top_n"].to_dict()
    again = json.loads(dti(db, "robustness", "--samples", "500", "--top", "5", "--seed", "3",
                           "--format", "json").stdout)["processes"]
    assert again == rows  # a seed reproduces the result exactly
    table = ok(dti(db, "robustness", "--samples", "200", "--top", "5"))
    assert "Smallest change of one weight that alters the top group" in table
    assert "any weighting" not in refused(dti(db, "robustness", "--weight-spread", "wide"))


def test_the_portfolio_is_the_exact_choice_and_explains_conflicts(db: str) -> None:
    ok(dti(db, "scenario", "create", "Budget", "--budget", "3000000", "--capacity", "80",
           "--must-include", "HR-REC", "--deadline", "PP-26"))
    result = dti(db, "portfolio", "Budget", "--unknown", "zero", "--format", "json")
    assert result.exit_code == 0, result.output
    chosen = sorted(row["code"] for row in json.loads(result.stdout) if row["selected"])
    constraints = Constraints(budget=3_000_000, capacity=80, must_include=("HR-REC",),
                              deadline="PP-26")
    catalogue, ranking = _ranking(db, Scenario(constraints=constraints))
    frames = catalogue.frames()
    direct = decision.choose(ranking, frames["processes"], frames["dependencies"],  # type: ignore[arg-type]
                             unknown="zero")
    assert chosen == sorted(direct.selected) and "HR-REC" in chosen
    costs = frames["processes"].set_index("code")["estimated_cost_chf"].fillna(0)
    assert costs[chosen].sum() <= 3_000_000
    line = refused(dti(db, "portfolio", "Budget", "--unknown", "zero", "--budget", "100000"))
    assert "HR-REC" in line and "over the budget of CHF 100,000" in line


def test_a_process_without_a_cost_estimate_is_never_chosen_as_if_free(db: str) -> None:
    """The sample's EVT-RP and HR-REC-04 have no cost: by default they wait for an estimate,
    named, instead of being chosen at CHF 0; counting them takes an explicit choice."""
    unestimated = {"EVT-RP", "HR-REC-04"}
    rows = json.loads(ok(dti(db, "portfolio", "--budget", "2000000", "--format", "json")))
    chosen = {row["code"] for row in rows if row["selected"]}
    assert chosen and not chosen & unestimated
    reasons = {row["code"]: row["reason"] for row in rows}
    for code in unestimated:
        assert reasons[code] == "needs a cost estimate before it can be chosen"
    table = dti(db, "portfolio", "--budget", "2000000")
    assert table.exit_code == 0, table.output
    assert "2 processes need an estimate before they can be chosen: EVT-RP, HR-REC-04" in \
        table.stdout
    assert "Cost unknown for EVT-RP, HR-REC-04: left out until estimated" in table.stderr
    line = refused(dti(db, "portfolio", "--budget", "2000000", "--unknown", "refuse"))
    assert "The cost of EVT-RP, HR-REC-04 is unknown and the budget is limited: estimate " \
        "their cost, or choose how unknown costs count with --unknown leave-out, --unknown " \
        "assume --assume-cost CHF, or --unknown zero" in line
    assert "unknown_cost" not in line
    # Counted at a typed figure, or as zero, only when asked; the output says which.
    assumed = dti(db, "portfolio", "--budget", "50000000", "--unknown", "assume",
                  "--assume-cost", "400000")
    assert assumed.exit_code == 0, assumed.output
    assert unestimated <= {line.split()[1] for line in assumed.stdout.splitlines()[2:]
                           if " yes " in line}
    assert "counted at the assumed CHF 400,000 each" in assumed.stderr
    assert "counted as 0, as chosen" in dti(db, "portfolio", "--budget", "2000000",
                                            "--unknown", "zero").stderr
    assert "--unknown assume needs --assume-cost" in refused(
        dti(db, "portfolio", "--budget", "2000000", "--unknown", "assume"))
    assert "go with --unknown assume" in refused(
        dti(db, "portfolio", "--budget", "2000000", "--assume-cost", "5"))
    assert "use leave-out, refuse, assume or zero" in refused(
        dti(db, "portfolio", "--unknown", "free"))


def test_the_roadmap_never_places_a_process_before_its_prerequisites(db: str) -> None:
    result = dti(db, "roadmap", "--all-ranked", "--capacity", "40", "--format", "json")
    assert result.exit_code == 0, result.output
    plan = pd.DataFrame(json.loads(result.stdout)["plan"])
    placed = plan[plan["placed"]].set_index("code")["period_index"]
    assert len(placed) > 0
    deps = Catalogue.open(db).dependencies()
    for up, down in zip(deps["upstream_code"], deps["downstream_code"], strict=True):
        if up in placed.index and down in placed.index:
            together = plan.set_index("code").loc[down, "together"]
            assert placed[up] < placed[down] or (placed[up] == placed[down] and together), \
                (up, down)
    load = plan[plan["placed"]].groupby("period")["effort"].sum()
    assert (load <= 40 + 1e-9).all()
    periods = ok(dti(db, "roadmap", "--all-ranked", "--period", "Now=10", "--period",
                     "Later=500"))
    assert "Now" in periods and "Later" in periods
    assert "NAME=PERSON_MONTHS" in refused(dti(db, "roadmap", "--all-ranked", "--period", "x"))
    assert "needs a capacity" in refused(dti(db, "roadmap", "--all-ranked"))


def test_the_backlog_exports_agree_across_formats(db: str, tmp_path: Path) -> None:
    ok(dti(db, "scenario", "create", "Plan", "--budget", "3000000", "--capacity", "80"))
    outputs = {}
    for kind in ("xlsx", "csv", "json", "html"):
        out = tmp_path / f"backlog.{kind}"
        result = dti(db, "backlog", "Plan", "--unknown", "zero", "--samples", "300",
                     "--out", str(out))
        assert result.exit_code == 0, result.output
        outputs[kind] = out
    sheets = pd.read_excel(outputs["xlsx"], sheet_name=None, engine="calamine")
    assert {"Backlog", "Scenario", "Robustness", "Roadmap", "Decision record"} <= set(sheets)
    backlog = sheets["Backlog"]
    csv = pd.read_csv(outputs["csv"], encoding="utf-8-sig")
    data = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert backlog["Code"].tolist() == csv["Code"].tolist() == [
        r["code"] for r in data["Backlog"]]
    _, ranking = _ranking(db, Scenario(constraints=Constraints(budget=3_000_000, capacity=80)))
    assert backlog["Code"].tolist() == ranking.table["code"].tolist()  # type: ignore[attr-defined]
    assert backlog["Chosen"].isin(["yes", "no"]).all()
    for column in ("In the top 10", "Could rank", "Needs first", "KPIs", "Why",
                   "Contribution: Member experience"):
        assert column in backlog.columns
    html = outputs["html"].read_text(encoding="utf-8")
    first = backlog.iloc[0]
    assert f"1. {first['Code']}" in html and "<svg" in html
    assert "is written as .xlsx, .csv, .json or .html" in refused(
        dti(db, "backlog", "--out", str(tmp_path / "backlog.txt")))


def test_formula_like_text_is_neutralised_in_the_backlog(db: str, tmp_path: Path) -> None:
    ok(dti(db, "process", "edit", "MEM-IDM", "--set", "process_owner==HYPERLINK(\"x\")"))
    out = tmp_path / "backlog.xlsx"
    ok(dti(db, "backlog", "--samples", "100", "--out", str(out)))
    owners = pd.read_excel(out, sheet_name="Backlog", engine="calamine")["Process owner"]
    assert "'=HYPERLINK(\"x\")" in owners.tolist()


def test_the_robustness_json_carries_the_weight_flips_and_the_notes(db: str) -> None:
    ok(dti(db, "scenario", "create", "Lifted", "--uplift", "0.3"))
    result = dti(db, "robustness", "Lifted", "--samples", "200", "--top", "5", "--format",
                 "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["scenario"], data["samples"], data["top_n"]) == ("Lifted", 200, 5)
    _, ranking = _ranking(db, Scenario(uplift=0.3))
    direct = decision.robustness(ranking, samples=200, top_n=5)  # type: ignore[arg-type]
    flips = {row["criterion"]: row for row in data["weight_flips"]}
    assert set(flips) == set(direct.flips.index)
    for criterion, row in direct.flips.iterrows():
        shown = flips[str(criterion)]
        assert shown["label"] == row["label"]
        assert shown["change"] == pytest.approx(row["change"], rel=1e-12)
        assert (shown["enters"], shown["leaves"]) == (list(row["enters"]), list(row["leaves"]))
    assert data["notes"] == direct.notes and any("uplift" in note for note in data["notes"])


def test_swap_names_the_smallest_weight_change_that_swaps_two_processes(db: str) -> None:
    from scoring.sensitivity import swap_threshold

    text = ok(dti(db, "robustness", "--swap", "EVT-REG-02", "DOC-DMS"))
    _, ranking = _ranking(db, Scenario())
    change = swap_threshold(ranking.normalised, ranking.weights,  # type: ignore[attr-defined]
                            "EVT-REG-02", "DOC-DMS")
    assert change is not None
    assert f"to {change.new_weight:.4f} ({change.change:+.3g}" in text
    assert "not in the ranking" in refused(dti(db, "robustness", "--swap", "EVT-REG-02",
                                               "NOPE"))


def test_a_small_swap_is_never_shown_as_no_change(db: str) -> None:
    """MEM-MZ and BDT-PRJ swap when the weight of Operational efficiency grows by 0.000183: the
    figures show it (to three significant digits), the JSON gives it in full, and the help
    says that --swap runs instead of the Monte Carlo."""
    text = ok(dti(db, "robustness", "--swap", "MEM-MZ", "BDT-PRJ"))
    assert "moves from 0.115385 to 0.115568 (+0.000183," in text
    data = json.loads(ok(dti(db, "robustness", "--swap", "MEM-MZ", "BDT-PRJ", "--format",
                             "json")))
    assert (data["criterion"], data["weight"]) == ("operational_efficiency",
                                                   pytest.approx(3 / 26))
    assert data["change"] == pytest.approx(0.000183, rel=0.01)
    assert data["new_weight"] == pytest.approx(data["weight"] + data["change"])
    assert "Smallest change" not in text  # the Monte Carlo and the flips do not run
    help_text = " ".join(ok(dti(db, "robustness", "--help")).split())
    assert "Instead of the Monte Carlo and the weight flips: only the smallest change" in \
        help_text
    assert "Also:" not in help_text


def test_the_weight_flips_show_their_changes_to_three_significant_digits(db: str) -> None:
    data = json.loads(ok(dti(db, "robustness", "--samples", "100", "--format", "json")))
    table = ok(dti(db, "robustness", "--samples", "100"))
    flips = table.split("Smallest change of one weight that alters the top group:")[1]
    for row in data["weight_flips"]:
        line = next(line for line in flips.splitlines() if line.startswith(row["label"] + " "))
        assert f"{row['change']:+.3g}" in line.split()


def test_two_tied_processes_swap_at_any_change_in_the_right_direction(db: str) -> None:
    for code, ratings in (("TIE-A", ("member_experience=5", "operational_efficiency=1")),
                          ("TIE-B", ("member_experience=1", "operational_efficiency=5"))):
        ok(dti(db, "process", "add", "--code", code, "--name", code, "--unit", "SGO"))
        ok(dti(db, "assess", "add", code, *ratings))
    text = ok(dti(db, "robustness", "--swap", "TIE-A", "TIE-B"))
    assert text.startswith("TIE-A and TIE-B are tied now: any decrease of the weight of "
                           "Member experience (now 0.115) swaps them")


def test_mutually_exclusive_alternatives_are_never_chosen_together(db: str) -> None:
    ok(dti(db, "scenario", "create", "Either", "--budget", "50000000",
           "--exclusive", "EVT-REG,EVT-REG-02"))
    assert "EVT-REG or EVT-REG-02" in ok(dti(db, "scenario", "show", "Either"))
    rows = json.loads(dti(db, "portfolio", "Either", "--unknown", "zero", "--format",
                          "json").stdout)
    chosen = {row["code"] for row in rows if row["selected"]}
    assert len(chosen & {"EVT-REG", "EVT-REG-02"}) == 1  # the budget would allow both
    free = json.loads(dti(db, "portfolio", "--budget", "50000000", "--unknown", "zero",
                          "--format", "json").stdout)
    assert {"EVT-REG", "EVT-REG-02"} <= {row["code"] for row in free if row["selected"]}
    assert "at least two processes" in refused(dti(db, "scenario", "create", "Bad",
                                                   "--exclusive", "EVT-REG"))


def test_the_roadmap_places_a_cycle_together_and_names_prerequisites_in_no_period(
        db: str) -> None:
    """HR-ADM, HR-REC and HR-WFP need each other in the sample: they share a period, after
    DOC-DMS. MEM-IDM needs ICT-IAM and MEM-ADM, which are not ranked: it is not placed, and the
    command says what holds it back."""
    for code in ("ICT-EA", "ICT-DDG"):  # DOC-DMS's own prerequisites, outside the ranking
        ok(dti(db, "process", "edit", code, "--set", "transformation_status=completed"))
    periods = [arg for name in ("A", "B", "C", "D") for arg in ("--period", f"{name}=100")]
    plan = pd.DataFrame(json.loads(ok(dti(db, "roadmap", "--all-ranked", *periods,
                                          "--format", "json")))["plan"]).set_index("code")
    cycle = ["HR-ADM", "HR-REC", "HR-WFP"]
    assert plan.loc[cycle, "placed"].all()
    assert plan.loc[cycle, "period"].nunique() == 1
    assert (plan.loc[cycle, "period_index"] > plan.loc["DOC-DMS", "period_index"]).all()
    assert plan.loc["HR-REC", "together"].startswith("scheduled together with HR-ADM, HR-WFP")
    assert not plan.loc["MEM-IDM", "placed"]
    assert plan.loc["MEM-IDM", "reason"] == ("needs ICT-IAM, MEM-ADM, which are neither in "
                                             "the plan nor completed")
    table = ok(dti(db, "roadmap", "--all-ranked", *periods))
    assert "prerequisites are in no period and not completed" in table
    listed = {line.split()[0]: line for line in table.splitlines()
              if line.startswith(("ICT-IAM ", "MEM-ADM "))}
    assert "planned" in listed["ICT-IAM"] and "MEM-IDM" in listed["ICT-IAM"]
    assert "not started" in listed["MEM-ADM"] and "MEM-IDM" in listed["MEM-ADM"]


def test_the_roadmap_json_names_every_prerequisite_it_could_not_place(db: str) -> None:
    """MEM-IDM needs ICT-IAM (planned) and MEM-ADM (not started), neither ranked: the JSON
    says MEM-IDM is not placed and waits for them, lists them with their status and what they
    hold back, and no placed process waits for anything; the CSV carries the same column."""
    data = json.loads(ok(dti(db, "roadmap", "--capacity", "40", "--format", "json")))
    assert [p["name"] for p in data["periods"]] == ["by C26", "by PP-26", "2027", "2028"]
    mem_idm = next(row for row in data["plan"] if row["code"] == "MEM-IDM")
    assert (mem_idm["placed"], mem_idm["period"]) == (False, None)
    assert mem_idm["waiting_for"] == "ICT-IAM, MEM-ADM"
    plan = pd.DataFrame(data["plan"]).set_index("code")
    assert (plan.loc[plan["placed"], "waiting_for"] == "").all()
    held = plan["reason_kind"].isin(["missing_prerequisite", "prerequisite_unplaced"])
    assert held.any() and (plan.loc[held, "waiting_for"] != "").all()
    outside = {row["code"]: row for row in data["prerequisites_in_no_period"]}
    assert (outside["ICT-IAM"]["status"], outside["ICT-IAM"]["ranked"]) == ("planned", False)
    assert outside["MEM-ADM"]["status"] == "not started"
    assert "MEM-IDM" in outside["ICT-IAM"]["needed_by"].split(", ")
    waited = {code for codes in plan["waiting_for"] for code in codes.split(", ") if code}
    assert set(outside) <= waited
    csv = pd.read_csv(io.StringIO(ok(dti(db, "roadmap", "--capacity", "40", "--format",
                                         "csv"))), keep_default_na=False).set_index("code")
    assert csv.loc["MEM-IDM", "waiting_for"] == "ICT-IAM, MEM-ADM"
