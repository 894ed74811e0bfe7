"""Dependencies as a graph: metrics, ripple analysis, cycles and waves. Frames in, frames out.

No database: the callers load the process and dependency frames (``storage.repository``) and
pass them in; every result is a DataFrame.

Conventions
-----------
* Nodes are process codes; an edge ``A -> B`` means B depends on A (A is *upstream*). Edges
  carry ``kind``, ``strength`` (1 weak .. 3 strong; any positive number works) and
  ``rolled_up``. A graph not made by :func:`build_graph` may lack ``strength``: it then counts
  as 1, networkx's convention for a missing weight. Codes must sort (they are strings).
* Cycles: processes that depend on each other, directly or round a loop, form a strongly
  connected component (SCC). Every process has an ``scc_id`` (1, 2, ... ordered by the
  smallest member code, so ids are stable whatever the edge order); ``on_cycle`` is true for
  components of two or more processes. Self-loops (which :func:`build_graph` never makes) count
  in degrees and PageRank but put no process on a cycle.
* Reach: ``downstream`` counts the processes reachable from a process, ``upstream`` those it is
  reachable from. A process is never in its own downstream (or upstream) set unless it sits on a
  cycle: then it reaches itself, is counted, and ``on_cycle`` says so. Counted on the
  condensation (SCCs shrunk to one node) with descendant sets as Python-int bitsets OR-ed in
  reverse topological order, bits laid out in that same order so that each set only uses the
  bits below its own (see docs/architecture.md, "Graph reach").
* ``weighted_reach``: the sum, over the processes in the downstream set, of the strength of the
  strongest chain to each, a chain being as strong as its weakest link (the widest-path
  value). Computed exactly as the sum over strength levels s_1 < s_2 < ... of
  (s_i - s_(i-1)) x (downstream count using only edges of strength >= s_i), with s_0 = 0: one
  bitset pass per distinct strength (three for strengths 1-3). With all strengths 1 it equals
  ``downstream``.
* ``wave``: 1 + the (0-based) topological generation of the SCC in the condensation: wave 1
  needs nothing, wave k needs only processes of earlier waves (a cycle's members share a wave).
  ``longest_chain``: the number of SCCs on the longest chain of the condensation through the
  process's own SCC (an isolated process has 1).
* Connected parts: the processes linked to each other by dependencies, in either direction,
  directly or through others (weakly connected components). PageRank and betweenness are
  computed within each part alone, so a process's values never change when processes with no
  dependency path to it are added or removed (the other metrics only follow dependencies
  anyway).
* ``pagerank``: on the reversed graph, so that a process many others depend on (directly or
  further down) scores high; damping 0.85, weights = strength, uniform teleport and dangling
  redistribution within the part, so that on each part it is ``nx.pagerank(P.reverse(),
  weight="strength")`` of the part ``P`` alone, times the part's size: 1 is the average
  process of its part, and a process with no dependencies has 1 (Page, Brin, Motwani and
  Winograd (1999) "The PageRank citation ranking", Stanford InfoLab 1999-66). Power
  iteration from 1 everywhere, each part until its own L1 change is below ``1e-6`` times its
  size (at most 100 steps).
* ``betweenness``: directed, unweighted (hops), normalised by the part's own size, endpoints
  excluded: on each part ``P`` it is ``nx.betweenness_centrality(P)``. Brandes' algorithm run
  here on a sparse matrix, many sources at once (level-synchronous breadth-first search).
  Exact (all sources) in parts of up to ``exact_betweenness_limit`` processes; in a larger
  part, an estimate from ``betweenness_samples`` of its processes drawn exactly as networkx
  draws them (``random.Random(seed).sample(list(P), k)``) and rescaled as networkx does, so
  both agree on the same part and seed. ``betweenness_method`` states which on every row.
  Sampled betweenness ranks poorly at scale (docs/architecture.md: rank correlation 0.56 at
  10k with k=100): use it to spot, not to rank. ``betweenness_samples=0`` skips it (NaN,
  method ``not computed``).
* Ripple analysis (:func:`impact`) follows edges with at least ``min_strength``, breadth first
  from all the start processes at once: ``distance`` is the number of dependencies from the
  nearest start, ``path`` one shortest path (ties go to the start and the neighbour met first,
  in code order for graphs from :func:`build_graph`). Downstream paths read ``A > B > C``
  (C depends on B, which depends on A); upstream paths read ``C < B < A`` (C needs B, which
  needs A), both starting at a start process. A start process appears only when it is reached
  through at least one dependency: from another start, or from itself round a cycle; then
  ``is_start`` is true and ``note`` says which.
* Cycle cuts (:func:`cycles`) are a heuristic. Finding a smallest set of edges whose removal
  leaves a graph acyclic (minimum feedback arc set) is NP-hard, and greedy heuristics are the
  usual answer (P. Eades, X. Lin, W. F. Smyth, "A fast and effective heuristic for the feedback
  arc set problem", Information Processing Letters 47(6), 1993). Ours favours the weakest
  dependencies, since those are the ones worth questioning first: see :func:`cycles`.

The package is split by idea: :mod:`~inventory.graph.building` (frames to graph, and the graph
as arrays), :mod:`~inventory.graph.metrics`, :mod:`~inventory.graph.ripple` (ripple analysis)
and :mod:`~inventory.graph.layers` (cycles, waves, the layered drawing); cycles and reach come
from :mod:`scoring.components`. Everything public is importable from here.
"""

from inventory.graph.building import (
    DEFAULT_KIND,
    DEFAULT_STRENGTH,
    NODE_ATTRIBUTES,
    build_graph,
)
from inventory.graph.layers import (
    CYCLE_COLUMNS,
    SUB_COLUMN_STEP,
    WAVE_COLUMNS,
    WAVE_STEP,
    cycles,
    layered_layout,
    waves,
)
from inventory.graph.metrics import (
    BETWEENNESS_CELLS,
    METRIC_COLUMNS,
    PAGERANK_ALPHA,
    PAGERANK_MAX_ITER,
    PAGERANK_TOLERANCE,
    metrics,
)
from inventory.graph.ripple import IMPACT_COLUMNS, impact, sub_processes

__all__ = [
    "BETWEENNESS_CELLS",
    "CYCLE_COLUMNS",
    "DEFAULT_KIND",
    "DEFAULT_STRENGTH",
    "IMPACT_COLUMNS",
    "METRIC_COLUMNS",
    "NODE_ATTRIBUTES",
    "PAGERANK_ALPHA",
    "PAGERANK_MAX_ITER",
    "PAGERANK_TOLERANCE",
    "SUB_COLUMN_STEP",
    "WAVE_COLUMNS",
    "WAVE_STEP",
    "build_graph",
    "cycles",
    "impact",
    "layered_layout",
    "metrics",
    "sub_processes",
    "waves",
]
