"""What changed between two scenarios (and their criteria sets), in words a leader reads.

One line per change, ``"<Setting>: <now> (was <before>)"``: method names rather than keys
("Method: Weighted sum (was TOPSIS)"), money in CHF with thousands separated ("Budget:
CHF 2,000,000 (was none)"), criterion labels rather than keys, and weights as each criterion's
share of the total weight ("Weight of Cost: 20% (was 8%)"), since only the shares matter to a
ranking (weights are normalised to sum 1). The Scenarios page and ``dti scenario why`` print
these same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scoring.scenario import Constraints, Filters, Scenario

NONE = "none"

#: Scenario field -> how a leader names it; fields that do not change a ranking (notes) are
#: left out.
_PLAIN_FIELDS = {
    "aggregation": "Several raters combined by",
    "vikor_v": "VIKOR: weight of the majority (v)",
    "impact_threshold": "High impact from",
    "effort_threshold": "High effort above",
    "quick_fix_effort": "Quick fix: effort at most",
}
_FILTER_NAMES = {"units": "Units in scope", "pillars": "Pillars in scope",
                 "priority_areas": "Priority areas in scope",
                 "statuses": "Transformation statuses in scope",
                 "levels": "Hierarchy levels in scope"}
_MISSING_NAMES = {None: "each criterion's own rule", "midpoint": "scale midpoint",
                  "worst": "worst (cautious)", "best": "best (optimistic)",
                  "exclude": "left out of the score"}


def chf(amount: float | None) -> str:
    """``CHF 2,000,000`` (whole francs), or ``none`` for no limit."""
    return NONE if amount is None else f"CHF {amount:,.0f}"


def _listed(values: Sequence[Any], empty: str) -> str:
    return ", ".join(str(v) for v in values) if values else empty


def _line(what: str, now: str, was: str) -> str:
    return f"{what}: {now} (was {was})"


def scenario_changes(before: Scenario, after: Scenario) -> list[str]:
    """The settings of ``after`` that differ from ``before``, one line each (weights
    excepted: see :func:`weight_changes`)."""
    lines = []
    if before.name != after.name:
        lines.append(_line("Scenario", repr(after.name), repr(before.name)))
    if before.method is not after.method:
        lines.append(_line("Method", after.method.short_label, before.method.short_label))
    for name, what in _PLAIN_FIELDS.items():
        was, now = getattr(before, name), getattr(after, name)
        if was != now:
            lines.append(_line(what, f"{now:g}" if isinstance(now, float) else str(now),
                               f"{was:g}" if isinstance(was, float) else str(was)))
    if before.ideal is not after.ideal:
        lines.append(_line("TOPSIS and VIKOR measure against", after.ideal.label,
                           before.ideal.label))
    if before.missing != after.missing:
        lines.append(_line("Unknown values count as", _missing(after), _missing(before)))
    if before.uplift != after.uplift:
        lines.append(_line("Dependency uplift", _uplift(after.uplift), _uplift(before.uplift)))
    if before.uplift_round_cycles != after.uplift_round_cycles and (before.uplift
                                                                    or after.uplift):
        lines.append(_line("Dependency uplift on a cycle", _cycles(after), _cycles(before)))
    for name, what in (("include_unassessed", "Unassessed processes"),
                       ("include_completed", "Completed processes")):
        was, now = getattr(before, name), getattr(after, name)
        if was != now:
            lines.append(_line(what, _ranked(now), _ranked(was)))
    return lines + filter_changes(before.filters, after.filters) + \
        constraint_changes(before.constraints, after.constraints)


def _cycles(scenario: Scenario) -> str:
    return "passed round and back" if scenario.uplift_round_cycles else \
        "one piece of work, nothing passed round"


def _missing(scenario: Scenario) -> str:
    return _MISSING_NAMES[None if scenario.missing is None else scenario.missing.value]


def _uplift(value: float) -> str:
    return f"{value:g}" if value else "off"


def _ranked(included: bool) -> str:
    return "ranked" if included else "left out"


def filter_changes(before: Filters, after: Filters) -> list[str]:
    """Scope changes: ``Units in scope: HRMD, ISD (was all)``."""
    return [_line(what, _listed(getattr(after, name), "all"),
                  _listed(getattr(before, name), "all"))
            for name, what in _FILTER_NAMES.items()
            if getattr(before, name) != getattr(after, name)]


def constraint_changes(before: Constraints, after: Constraints) -> list[str]:
    """Portfolio constraint changes, money in CHF and groups as ``A or B``."""
    shown: dict[str, tuple[str, Callable[[Any], str]]] = {
        "budget": ("Budget", chf),
        "capacity": ("Capacity", lambda v: NONE if v is None
                     else f"{v:,.4g} person-months per period"),
        "deadline": ("Deadline", lambda v: v or NONE),
        "must_include": ("Must include", lambda v: _listed(v, NONE)),
        "must_exclude": ("Must exclude", lambda v: _listed(v, NONE)),
        "exclusive": ("Mutually exclusive alternatives",
                      lambda v: "; ".join(" or ".join(g) for g in v) if v else NONE),
    }
    return [_line(what, words(getattr(after, name)), words(getattr(before, name)))
            for name, (what, words) in shown.items()
            if getattr(before, name) != getattr(after, name)]


def weight_shares(weights: Mapping[str, float]) -> dict[str, float]:
    """Each criterion's share of the total weight (all 0 when the total is 0)."""
    total = sum(weights.values())
    return {key: (w / total if total else 0.0) for key, w in weights.items()}


def _percent(share: float, other: float) -> str:
    """A share as a whole percentage, with one decimal when the whole percentages of the
    two shares compared would read the same."""
    return f"{share:.1%}" if f"{share:.0%}" == f"{other:.0%}" else f"{share:.0%}"


def weight_changes(before: Mapping[str, float], after: Mapping[str, float],
                   labels: Mapping[str, str]) -> list[str]:
    """``Weight of Cost: 20% (was 8%)`` for each criterion (named by its label) whose share of
    the total weight changed; criteria of only one side are left to
    :func:`criteria_changes`."""
    was, now = weight_shares(before), weight_shares(after)
    return [_line(f"Weight of {labels.get(key, key)}", _percent(now[key], was[key]),
                  _percent(was[key], now[key]))
            for key in after if key in was and abs(now[key] - was[key]) > 1e-12]


def criteria_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Changes of the criteria set itself (plain data, as :meth:`CriteriaSet.to_dict`
    writes): its name, and criteria added or removed."""
    lines = []
    if before.get("name") != after.get("name"):
        lines.append(_line("Criteria set", str(after.get("name")), str(before.get("name"))))
    keys_before = {c["key"]: c for c in before["criteria"]}
    keys_after = {c["key"]: c for c in after["criteria"]}
    lines += [f"Criterion added: {c.get('label') or key}" for key, c in keys_after.items()
              if key not in keys_before]
    lines += [f"Criterion removed: {c.get('label') or key}" for key, c in keys_before.items()
              if key not in keys_after]
    return lines
