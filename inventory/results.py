"""Derived results, computed once per state of the data and shared by everyone.

Every committed change to the catalogue advances its revision, a counter kept in the database
(:func:`inventory.services.catalogue_transaction`), so every app process and the CLI agree on
it. A derived result (the frames, the dependency graph and its metrics, a ranking, a frontier,
a Monte Carlo run, a portfolio, an export file) is keyed by (database, revision, kind,
settings, role): the first person who needs it computes it, anyone asking for the same key
meanwhile waits for that one computation, and every session and page then reuses it until the
revision moves. A rerun that changed nothing recomputes nothing.

The cache is one per app process, bounded in entries and bytes (least recently used first
out; results of an older revision of the same database go as soon as a newer one is seen), and
:meth:`ResultCache.entries` shows an admin what it holds. Content that depends on who asks
(for example what a role may see) carries the role in its key, so one role never receives
what was computed for another.

Results are shared between sessions: treat them as read-only. DataFrames are handed out as
shallow copies (pandas copy-on-write), so a page adding a column never changes what others see.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
import numpy as np
import pandas as pd

from inventory.graph import NODE_ATTRIBUTES, build_graph, metrics
from inventory.services.reading import FRAME_READERS
from scoring.criteria import CriteriaSet, SourceKind
from scoring.ranking import Ranking, RankingInputs, rank
from scoring.scenario import Scenario

if TYPE_CHECKING:
    from inventory.services import Catalogue

T = TypeVar("T")

DEFAULT_MAX_ENTRIES = 512
DEFAULT_MAX_MEGABYTES = 1024  # DTI_CACHE_MB overrides
GRAPH_BYTES_PER_ELEMENT = 400  # a networkx node or edge with its attribute dicts, measured

FRAME_TABLES: dict[str, tuple[str, ...]] = {
    "units": ("units", "processes"), "processes": ("processes", "units"),
    "kpis": ("kpis", "processes", "units"), "assessments": ("assessments", "processes", "units"),
    "initiatives": ("initiatives", "units", "initiative_processes", "processes",
                    "initiative_kpis", "kpis"),
    "deliverables": ("deliverables", "initiatives")}
"""The tables each frame of :data:`inventory.services.FRAME_READERS` is read from."""
DEPENDENCIES_TABLES = ("dependencies", "processes", "units")
ROADMAP_TABLES = ("initiatives", "initiative_processes", "initiative_kpis", "deliverables",
                  "progress_updates", "processes", "kpis", "units")
RATINGS_TABLES = ("assessments", "processes", "units")
DEMAND_TABLES = ("cases", "case_processes", "case_endorsements", "processes")
RATINGS_COLUMNS = ["process_code", "criterion_key", "value", "low", "high", "rater",
                   "updated_by", "updated_at"]
DEPENDENCIES_COLUMNS = ["id", "upstream_code", "upstream_name", "downstream_code",
                        "downstream_name", "kind", "strength", "note", "version", "created_at",
                        "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by"]


@dataclass(frozen=True)
class Key:
    """What identifies one result: the database, the catalogue revision it was computed from,
    its kind, a fingerprint of the settings, and the role it was computed for (None when the
    content is the same for every role)."""

    database: str
    revision: int
    kind: str
    settings: str
    role: str | None = None


@dataclass
class _Entry:
    value: Any
    nbytes: int
    seconds: float
    stored_at: float
    hits: int = 0


def fingerprint(settings: Hashable | object) -> str:
    """A short digest of ``settings`` (anything picklable: dataclasses, dicts, tuples), so
    equal settings share a result. Two equal dicts built in a different order may get
    different digests: that costs one recomputation, never a wrong answer."""
    try:
        data = pickle.dumps(settings, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = repr(settings).encode("utf-8")
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def size_of(value: Any, _depth: int = 0) -> int:
    """An estimate of the memory ``value`` holds, in bytes: exact for arrays and frames
    (``memory_usage(deep=True)``), a plotly figure's JSON length, summed over containers and
    dataclass fields, and
    :data:`GRAPH_BYTES_PER_ELEMENT` per node and edge of a networkx graph."""
    if _depth > 4:
        return sys.getsizeof(value)
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True, index=True).sum())
    if isinstance(value, pd.Series | pd.Index):
        return int(value.memory_usage(deep=True))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray | str):
        return len(value)
    if hasattr(value, "to_plotly_json"):  # a plotly figure: what it sends to the browser
        return len(value.to_json())
    if isinstance(value, nx.Graph):
        return GRAPH_BYTES_PER_ELEMENT * (value.number_of_nodes() + value.number_of_edges())
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k, _depth + 1) + size_of(v, _depth + 1)
                                          for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(size_of(v, _depth + 1) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(size_of(getattr(value, f.name), _depth + 1)
                                          for f in fields(value))
    return sys.getsizeof(value)


def _handed_out(value: T) -> T:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)  # type: ignore[return-value]
    if isinstance(value, dict) and all(isinstance(v, pd.DataFrame) for v in value.values()):
        return {k: v.copy(deep=False) for k, v in value.items()}  # type: ignore[return-value]
    return value


class ResultCache:
    """Results by :class:`Key`, bounded by ``max_entries`` and ``max_bytes``, least recently
    used out first; safe to share between the threads that serve Streamlit sessions."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES,
                 max_bytes: int | None = None) -> None:
        if max_bytes is None:
            megabytes = int(os.environ.get("DTI_CACHE_MB") or DEFAULT_MAX_MEGABYTES)
            max_bytes = megabytes * 1024 * 1024
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._computing: dict[Key, threading.Lock] = {}
        self._newest: dict[str, int] = {}
        self._lock = threading.Lock()
        self.computed = 0
        self.evicted = 0

    def get(self, key: Key, compute: Callable[[], T]) -> T:
        """The result for ``key``, computed by ``compute`` only if nobody has it yet. While one
        thread computes a key, others asking for it wait and then share its result; if the
        computation fails, nothing is kept and the error reaches the caller."""
        with self._lock:
            found = self._hit(key)
            if found is not None:
                return _handed_out(found.value)
            self._forget_older(key)
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._hit(key)
                if found is not None:
                    return _handed_out(found.value)
            started = time.perf_counter()
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            seconds = time.perf_counter() - started
            nbytes = size_of(value)
            with self._lock:
                self.computed += 1
                if nbytes <= self.max_bytes and self._newest.get(key.database) == key.revision:
                    self._entries[key] = _Entry(value, nbytes, seconds, time.time())
                    self._shrink()
        return _handed_out(value)

    def entries(self) -> pd.DataFrame:
        """What is held, most recently used last: kind, revision, role, size, hits, the time
        it took to compute and its age, for an admin to see."""
        now = time.time()
        with self._lock:
            rows = [{"database": k.database, "revision": k.revision, "kind": k.kind,
                     "role": k.role or "any", "megabytes": e.nbytes / 1024 / 1024,
                     "hits": e.hits, "computed in (s)": e.seconds,
                     "age (s)": now - e.stored_at} for k, e in self._entries.items()]
        return pd.DataFrame(rows, columns=["database", "revision", "kind", "role", "megabytes",
                                           "hits", "computed in (s)", "age (s)"])

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(e.nbytes for e in self._entries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        """Drop everything held; results are computed again when next asked for."""
        with self._lock:
            self._entries.clear()
            self._newest.clear()

    def _hit(self, key: Key) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.hits += 1
            self._entries.move_to_end(key)
        return entry

    def _forget_older(self, key: Key) -> None:
        """A newer revision of a database makes every result of its older revisions useless.
        A revision lower than one seen before means the database was replaced (a restored
        copy, emptied tables): everything held for it goes."""
        newest = self._newest.get(key.database)
        if newest == key.revision:
            return
        replaced = newest is not None and key.revision < newest
        self._newest[key.database] = key.revision
        for old in [k for k in self._entries if k.database == key.database
                    and (replaced or k.revision < key.revision)]:
            del self._entries[old]
            self.evicted += 1

    def _shrink(self) -> None:
        total = sum(e.nbytes for e in self._entries.values())
        while self._entries and (len(self._entries) > self.max_entries or total > self.max_bytes):
            _, oldest = self._entries.popitem(last=False)
            total -= oldest.nbytes
            self.evicted += 1


SHARED = ResultCache()
"""The app process's cache: every session and page of this process uses it."""


class Results:
    """The derived results of one catalogue, through a shared :class:`ResultCache`.

    Each call reads the catalogue revision (one small query), so a change committed by any app
    process or by the CLI shows at the next rerun."""

    def __init__(self, catalogue: Catalogue, cache: ResultCache | None = None) -> None:
        self.catalogue = catalogue
        self.cache = cache if cache is not None else SHARED

    def revision(self) -> int:
        return self.catalogue.revision()

    def get(self, kind: str, settings: object, compute: Callable[[], T], *,
            role: str | None = None) -> T:
        """The result of ``compute()`` for the current revision and ``settings``; ``role``
        when the result depends on who asks."""
        key = Key(self.catalogue.url, self.revision(), kind, fingerprint(settings), role)
        return self.cache.get(key, compute)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The live catalogue's frames (see :meth:`inventory.services.Catalogue.frames`)."""
        return {kind: self.frame(kind) for kind in FRAME_READERS}

    def frame(self, kind: str) -> pd.DataFrame:
        """One of :meth:`frames`, read alone (a page that lists processes does not wait for
        the 34,000 assessments of 2,000 processes), and read again only once a table it comes
        from has changed (:data:`FRAME_TABLES`)."""
        if kind == "dependencies":
            return self._since("dependencies", DEPENDENCIES_TABLES, self._dependencies)
        return self._since(kind, FRAME_TABLES[kind], lambda: self.catalogue.frame(kind))

    def ratings(self) -> pd.DataFrame:
        """The live assessments' values and raters, what ranking and the Assess page's overview
        read (as :meth:`inventory.services.Catalogue.ratings` has them): the assessments table
        is read again only once it has changed, and joined in memory to the live processes."""
        return self._since("ratings", RATINGS_TABLES, self._ratings)

    def graph(self, *, roll_up: bool = False) -> nx.DiGraph:
        """The live dependency graph (see :meth:`inventory.services.Catalogue.graph`), kept by
        what it is built from (:meth:`_graph_content`): editing a process's volume or costs
        builds no new graph."""
        def compute() -> nx.DiGraph:
            return build_graph(self.frame("processes"), self.frame("dependencies"),
                               roll_up=roll_up)
        return self._by_content("graph", (roll_up, self._graph_content()), compute)

    def metrics(self, *, roll_up: bool = False, betweenness: bool = True) -> pd.DataFrame:
        """Dependency metrics of every process (see :func:`inventory.graph.metrics`), kept by
        the graph's content like :meth:`graph`; without ``betweenness`` that column is left
        empty ("not computed"): exact betweenness is most of the time the metrics take (about a
        second at 2,000 processes)."""
        def compute() -> pd.DataFrame:
            graph = self.graph(roll_up=roll_up)
            if betweenness:
                return metrics(graph)
            return metrics(graph, betweenness_samples=0)
        return self._by_content("metrics", (roll_up, betweenness, self._graph_content()),
                                compute)

    def _since(self, kind: str, tables: tuple[str, ...], compute: Callable[[], T]) -> T:
        """``compute()`` kept until one of ``tables`` changes (its own scope of the cache, so a
        newer catalogue revision that left these tables alone keeps it)."""
        revisions = self.catalogue.table_revisions()
        key = Key(f"{self.catalogue.url} · {kind}", max(revisions[t] for t in tables), "frame",
                  fingerprint(kind))
        return self.cache.get(key, compute)

    def roadmap(self, kind: str, settings: object, compute: Callable[[], T]) -> T:
        """A result of the roadmap (dashboard, count over time, an initiative's detail), kept
        until the roadmap's tables or the processes, KPIs and units it names change: a rating
        or a dependency saved does not make the roadmap be read again."""
        revisions = self.catalogue.table_revisions()
        key = Key(f"{self.catalogue.url} · roadmap {kind}",
                  max(revisions[t] for t in ROADMAP_TABLES), "roadmap", fingerprint(settings))
        return self.cache.get(key, compute)

    def _by_content(self, kind: str, content: object, compute: Callable[[], T]) -> T:
        """``compute()`` kept by a fingerprint of what it is computed from; old ones leave the
        cache as the least recently used."""
        key = Key(f"{self.catalogue.url} · {kind} by content", 0, kind, fingerprint(content))
        return self.cache.get(key, compute)

    def _graph_content(self) -> str:
        """A fingerprint of what :func:`inventory.graph.build_graph` reads: each live process's
        code and node attributes, and each live dependency's ends, kind and strength."""
        def compute() -> str:
            processes = self.frame("processes")
            dependencies = self.frame("dependencies")
            nodes = processes[["code", *[a for a in NODE_ATTRIBUTES if a in processes]]]
            edges = dependencies[["upstream_code", "downstream_code", "kind", "strength"]]
            digest = hashlib.blake2b(digest_size=16)
            for part in (nodes, edges):
                digest.update(repr(list(part.columns)).encode())
                digest.update(pd.util.hash_pandas_object(part.astype(object), index=False)
                              .to_numpy().tobytes())
            return digest.hexdigest()
        return self._since("graph content", DEPENDENCIES_TABLES, compute)

    def _ratings(self) -> pd.DataFrame:
        live = self.frame("processes")[["id", "code"]].rename(columns={"code": "process_code"})
        rows = self._since("assessment rows", ("assessments",), self.catalogue.assessment_rows)
        if rows.empty:  # as the database answers no rows: untyped empty columns
            return pd.DataFrame(columns=RATINGS_COLUMNS)
        joined = rows.merge(live, left_on="process_id", right_on="id", how="inner")
        if joined.empty:
            return pd.DataFrame(columns=RATINGS_COLUMNS)
        joined = joined.sort_values(["process_code", "criterion_key", "rater"], kind="stable")
        return joined[RATINGS_COLUMNS].reset_index(drop=True)

    def _dependencies(self) -> pd.DataFrame:
        live = self.frame("processes")[["id", "code", "name"]]
        rows = self._since("dependency rows", ("dependencies",), self.catalogue.dependency_rows)
        ends = {end: live.rename(columns={"id": f"{end}_id", "code": f"{end}_code",
                                          "name": f"{end}_name"})
                for end in ("upstream", "downstream")}
        if rows.empty:  # as the database answers no rows: untyped empty columns
            return pd.DataFrame(columns=DEPENDENCIES_COLUMNS)
        joined = rows.merge(ends["upstream"], on="upstream_id").merge(
            ends["downstream"], on="downstream_id")
        if joined.empty:
            return pd.DataFrame(columns=DEPENDENCIES_COLUMNS)
        joined = joined.sort_values(["upstream_code", "downstream_code"], kind="stable")
        return joined[DEPENDENCIES_COLUMNS].reset_index(drop=True)

    def ranking_inputs(self, criteria: CriteriaSet | None = None) -> RankingInputs:
        """What scoring needs: live processes, assessments, dependencies and their metrics
        (betweenness only when ``criteria`` read it, or when no criteria are given) and staff
        demand, read in one transaction. The command line and the pages both rank from this."""
        betweenness = criteria is None or any(
            c.source is SourceKind.GRAPH and c.source_name == "betweenness"
            for c in criteria.criteria)

        def compute() -> RankingInputs:
            with self.catalogue.one_snapshot():  # one state of the data, not a mix of two
                return RankingInputs(processes=self.frame("processes"),
                                     assessments=self.ratings(),
                                     metrics=self.metrics(betweenness=betweenness),
                                     dependencies=self.frame("dependencies"),
                                     demand=self.demand())
        return self.get("ranking inputs", betweenness, compute)

    def demand(self) -> pd.DataFrame:
        """Staff demand per process (:meth:`inventory.services.cases.CaseBook.demand`), read
        again only once the cases, their processes or endorsements have changed."""
        return self._since("staff demand", DEMAND_TABLES, self.catalogue.cases.demand)

    def ranking(self, criteria: CriteriaSet, scenario: Scenario) -> Ranking:
        """The ranking of the live inventory on ``criteria`` under ``scenario``
        (:func:`scoring.ranking.rank`), once per revision and settings."""
        return self.get("ranking", (criteria, scenario),
                        lambda: rank(self.ranking_inputs(criteria), criteria, scenario))

    def round_top_n(self, code: str, criteria: CriteriaSet, n: int) -> pd.DataFrame:
        """How often each process is in the top ``n`` under each member's weights of the
        closed weighting round ``code``, beside its rank under the group's
        (:meth:`inventory.services.rounds.RoundBook.members_top_n`): each ranking is the round's
        scenario, as saved now, with only its weights replaced, shared like :meth:`ranking`;
        once per revision."""
        book = self.catalogue.rounds

        def compute() -> pd.DataFrame:
            scenario = self.catalogue.scenarios.get(book.status(code)["scenario"])
            base = Scenario.from_dict(scenario["settings"])

            def ranks(weights: dict[str, float]) -> dict[str, int]:
                table = self.ranking(criteria, base.replace(weights=weights)).table
                return dict(zip(table["code"], table["rank"].astype(int), strict=True))

            return book.members_top_n(code, ranks, n)
        return self.get("round top n", (code.strip().upper(), criteria, n), compute)

    def processes(self, *, include_deleted: bool = False) -> pd.DataFrame:
        """Live processes (or every one, deleted included), as
        :meth:`inventory.services.Catalogue.processes` lists them."""
        if not include_deleted:
            return self.frame("processes")
        return self.get("processes with deleted", None,
                        lambda: self.catalogue.processes(include_deleted=True))

    def units(self) -> pd.DataFrame:
        return self.frame("units")

    def audit_log(self, **filters: Any) -> pd.DataFrame:
        """:meth:`inventory.services.Catalogue.audit_log` with ``filters``, shared until the
        next audit event (sign-ins add events without moving the catalogue revision, so these
        are keyed by the newest event's id instead)."""
        key = Key(f"{self.catalogue.url} audit trail", self.catalogue.newest_audit_id(),
                  "audit log", fingerprint(sorted(filters.items())))
        return self.cache.get(key, lambda: self.catalogue.audit_log(**filters))

    def counts(self) -> dict[str, int]:
        """Live records of each kind (see :meth:`inventory.services.Catalogue.counts`)."""
        return dict(self.get("counts", None, self.catalogue.counts))
