"""The portfolio: the most valuable set of processes that fits the budget and the capacity and
never takes a process without its prerequisites.

Problem. With ``x_i`` in {0, 1} (1 = chosen), ``v_i`` the value of process ``i`` (>= 0, e.g.
its ranking score), ``c_i`` its cost (CHF) and ``e_i`` its effort (person-months)::

    maximise    sum_i v_i x_i
    subject to  sum_i c_i x_i <= B                 budget (CHF), when given
                sum_i e_i x_i <= C                 capacity (person-months), when given
                x_d <= x_u                         every prerequisite edge u -> d
                                                   (d needs u) whose u is not completed
                sum_{i in G} x_i <= 1              every exclusive group G
                x_i = 1 (must-include),  x_i = 0 (must-exclude, completed)

This is the 0-1 knapsack problem with precedence constraints (Boyd, E. A. (1993) "Polyhedral
results for the precedence-constrained knapsack problem", Discrete Applied Mathematics 41(3),
185-201), here with two resources, i.e. a two-dimensional knapsack (Kellerer, H., Pferschy, U.
and Pisinger, D. (2004) "Knapsack problems", Springer), plus generalised upper bounds for the
exclusive groups. It is NP-hard; it is solved exactly by branch and bound with
:func:`scipy.optimize.milp` (HiGHS: Huangfu, Q. and Hall, J. A. J. (2018) "Parallelizing the
dual revised simplex method", Mathematical Programming Computation 10, 119-142), relative gap 0.

Conventions.

* ``capacity`` is the person-months available over the whole horizon the portfolio covers (a
  per-period capacity times the number of periods); :mod:`scoring.roadmap` spreads the chosen
  work over periods.
* Exactness and ties, in one solve: HiGHS maximises ``sum_i (v_i - eps s_i) x_i`` where
  ``s_i`` is the process's share of the budget plus its share of the capacity (of the column's
  total where a limit is not set) plus ``1/n``, and ``eps = VALUE_TOLERANCE x max_i v_i /
  sum_i s_i``. The perturbation of any selection is at most :data:`VALUE_TOLERANCE` (1e-6) of
  the largest value, so the selection's value is the optimum to within that; among selections
  whose values are that close, the one with the least ``sum s_i`` (budget and capacity used,
  and processes) wins, so a process that adds no value is chosen only when something needs
  it. The objective is given to HiGHS in units of ``VALUE_TOLERANCE x max_i v_i``, so that
  HiGHS's absolute tolerance (1e-6 units) resolves the tie-break to a millionth of
  ``sum_i s_i``. Any remaining
  tie (processes identical in value, cost and effort) goes to the first selection HiGHS's
  deterministic search reaches on the model, which is built in code order: the same input, in
  any row order, gives the same selection. A solve stopped by ``time_limit`` depends on the
  machine's speed; its status says so.
* Prerequisites: ``upstream_code -> downstream_code`` means the downstream process needs the
  upstream one. A prerequisite that is ``completed`` is satisfied. One that is neither among the
  items nor completed makes the process impossible to choose, its reason saying which
  (``missing_prerequisites="block"``, the default and the safe reading), or is taken as handled
  elsewhere and named in ``notes`` (``"ignore"``: for items that are a ranking's processes,
  whose other prerequisites were not assessed or were filtered out; :mod:`scoring.roadmap`
  has the same switch). Self-loops are ignored, duplicate edges count once, edges into
  processes that are not items (or are completed) are ignored.
  Processes on a prerequisite cycle can only be chosen all together (noted in ``notes``; the
  roadmap schedules them together, as one piece of work).
* Budget and capacity are compared with a relative slack of 1e-9, for rounding in sums.
* Items that are ``completed`` are never chosen.
* Unknown is never zero by default. When the budget (or the capacity) is set, a process whose
  cost (or effort) is unknown (empty) is, by ``unknown_cost`` (``unknown_effort``):
  ``"leave_out"``: not chosen, its reason saying it needs an estimate first (kind
  ``needs_estimate``), and what needs it blocked; ``"refuse"`` (the default here):
  :class:`MissingEstimates` names the processes; ``"assume"``: counted at ``assumed_cost``
  (``assumed_effort``), which must then be given; ``"zero"``: counted as 0. The last two are
  listed in ``notes``. Without a limit an unknown figure does not enter the choice and totals
  count the known values (listed in ``notes``).
* Conflicting constraints are an answer, not an error: the result has status ``infeasible``,
  nothing selected, and ``conflicts`` names the processes and the numbers (a must-include that
  is also a must-exclude or needs one, or needs a process that is not available; two required
  processes in one exclusive group; a required process, or all of them together with their
  prerequisites, over the budget or the capacity). These checks are complete: when none applies,
  choosing exactly the must-includes and their prerequisites is feasible. :class:`ScoringError`
  is kept for input that cannot be read (missing columns, negative or non-numeric numbers,
  unknown codes, a process both completed and must-include).

Every process not chosen gets a reason where one can be determined, in this order: completed;
must-exclude; needs an estimate; blocked (needs an excluded, unestimated or unavailable
process); exclusive group (it, or a prerequisite it would bring along, shares a group with a
chosen process, or two of them share one); budget or capacity (it does not fit what is left,
with the prerequisites it would bring along, figures given); no value. Under an optimal solution
one of these always applies.

The package is split in two: :mod:`~scoring.portfolio.model` reads and checks the input into
the model (and finds the conflicts), :mod:`~scoring.portfolio.solver` solves it, explains
every choice and traces the efficient frontier. Everything public is importable from here.
"""

from scoring.portfolio.model import (
    UNKNOWN_POLICIES,
    MissingEstimates,
    PrerequisitePolicy,
    Reason,
    UnknownPolicy,
)
from scoring.portfolio.solver import (
    DEFAULT_TIME_LIMIT,
    VALUE_TOLERANCE,
    PortfolioResult,
    Status,
    efficient_frontier,
    select_portfolio,
)

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "UNKNOWN_POLICIES",
    "VALUE_TOLERANCE",
    "MissingEstimates",
    "PortfolioResult",
    "PrerequisitePolicy",
    "Reason",
    "Status",
    "UnknownPolicy",
    "efficient_frontier",
    "select_portfolio",
]
