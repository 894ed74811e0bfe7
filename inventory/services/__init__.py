"""Use cases of the catalogue: the only code that opens and commits transactions.

Every write
* checks first that the acting :class:`~inventory.access.Actor`'s role allows it
  (:func:`~inventory.access.authorize`; refused with ``PermissionDenied``, nothing changed),
* validates its input (pydantic models in :mod:`inventory.schemas`) and its references,
* runs in one transaction that also writes the audit events (all or nothing),
* takes the version the caller saw, when it edits, and refuses with
  :class:`~inventory.errors.Conflict` if the record changed since (optimistic locking;
  on SQLite writes queue on ``BEGIN IMMEDIATE``, on PostgreSQL on ``SELECT ... FOR UPDATE``),
* raises only :class:`~inventory.errors.CatalogueError` subclasses for a user's mistake.

Reads return DataFrames or frozen dataclasses; no caller ever sees a session or an ORM object.

Where things are
----------------
=====================  ==========================================================================
``catalogue.py``       :class:`Catalogue`, the facade the command line and the app talk to
``core.py``            opening a database, the criteria set, checked input, the lookups by code,
                       :func:`catalogue_transaction`
``reading.py``         reads: records as frames, one process in detail, graph, ratings, audit
``editing.py``         units, processes, dependencies, KPIs and assessments, one by one
``imports.py``         whole inventories: :meth:`~Catalogue.load`, spreadsheets
                       (:meth:`~Catalogue.import_file`, :class:`ImportResult`)
``scenarios.py``       saved scenarios and decision snapshots (:class:`ScenarioBook`)
``accounts.py``        user accounts, sign-in and sign-in sessions (:class:`AccountBook`)
``initiatives.py``     the roadmap's records: initiatives, deliverables, progress notes
``rationalisation.py`` combining, splitting and proposing initiatives, lineage, the count over
                       time and the dashboard (:class:`InitiativeBook`)
``cases.py``           cases for change from staff: endorsements, comments, triage, merging
                       (:class:`CaseBook`)
``reviews.py``         review rounds: owners confirm their processes (:class:`ReviewBook`)
``sample.py``          the sample inventory shipped in ``data/sample``
=====================  ==========================================================================

Why one class built in layers: every caller holds one :class:`Catalogue` and calls
``catalogue.add_process(...)``, ``catalogue.graph()``, ``catalogue.import_file(...)`` on it, and
a use case often needs another (an edit reads its record back, an import inserts records the way
an edit does). So each use case is a class in its own module holding its methods, built on the
one it needs: ``CatalogueCore`` <- ``CatalogueReads`` <- ``CatalogueEdits`` <-
``CatalogueImports`` <- ``Catalogue``. A method is found by what it does (a read in
``reading.py``, a write in ``editing.py``), and there is no layer of methods that only pass a
call on. Scenarios, accounts, the roadmap, the cases for change and the review rounds are books
of their own on the same database, reached as ``catalogue.scenarios``, ``catalogue.accounts``,
``catalogue.initiatives``, ``catalogue.cases`` and ``catalogue.reviews`` (which edits processes
through the catalogue's own process edit).

The transactions themselves are storage: :func:`.storage.db.write_transaction` (a clash with a
concurrent save becomes a :class:`~inventory.errors.Conflict`) and :func:`catalogue_transaction`
(that, and the catalogue's revision moves on).
"""

from inventory.errors import CatalogueError
from inventory.services.catalogue import Catalogue
from inventory.services.core import catalogue_transaction
from inventory.services.imports import ImportResult
from inventory.services.reading import FRAME_READERS, ProcessDetail, filter_processes
from inventory.storage.db import write_transaction

__all__ = ["FRAME_READERS", "Catalogue", "CatalogueError", "ImportResult", "ProcessDetail",
           "catalogue_transaction", "filter_processes", "write_transaction"]
