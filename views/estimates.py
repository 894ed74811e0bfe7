"""How processes without a cost or effort estimate count, chosen the same way on the Portfolio
and Backlog pages: left out until estimated by default, never zero unless chosen (see
:class:`scoring.decision.Unknowns`)."""

from __future__ import annotations

from typing import Any

from scoring.decision import Unknowns

#: How a process with no estimate counts while its limit is set.
UNKNOWN_CHOICES = {
    "leave_out": "Leave it out until it is estimated",
    "assume": "Count it at an assumed figure",
    "zero": "Count it as zero (as if it were free)",
    "refuse": "Stop and list the processes to estimate",
}
UNKNOWN_HELP = ("Only matters while the budget or the capacity is limited. An unknown cost or "
                "effort is never counted as zero unless you choose so here.")


def chf(amount: float) -> str:
    """``CHF 2,000,000``: whole francs with thousands separated."""
    return f"CHF {amount:,.0f}"


def unknowns_input(where: Any, prefix: str) -> Unknowns:
    """The choice, drawn in ``where`` (the sidebar or a column) with widget keys starting with
    ``prefix``; an assumed figure is typed when that is the choice."""
    policy = where.radio("Processes without an estimate", list(UNKNOWN_CHOICES),
                         format_func=UNKNOWN_CHOICES.__getitem__, key=f"{prefix}_unknown",
                         help=UNKNOWN_HELP)
    if policy != "assume":
        return Unknowns(policy)
    cost = where.number_input("Assumed cost of each (CHF)", min_value=0, step=50_000,
                              value=500_000, format="%d", key=f"{prefix}_assumed_cost")
    effort = where.number_input("Assumed effort of each (person-months)", min_value=0.0,
                                step=1.0, value=12.0, format="%.1f",
                                key=f"{prefix}_assumed_effort")
    where.caption(f"Each process without an estimate counts as {chf(float(cost))} and "
                  f"{effort:g} person-months.")
    return Unknowns("assume", float(cost), float(effort))
