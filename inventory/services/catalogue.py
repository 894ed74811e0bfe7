"""The facade: :class:`Catalogue`, the one object the command line and the app talk to.

It is the use cases of :mod:`inventory.services` put together (see there for why and how),
with the other books kept on the same database: saved scenarios and snapshots, user accounts,
and the results derived from the catalogue and shared by every session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inventory.services.accounts import AccountBook
from inventory.services.case_follow_up import CaseFollowUp
from inventory.services.cases import CaseBook
from inventory.services.imports import CatalogueImports
from inventory.services.rationalisation import InitiativeBook
from inventory.services.reviews import ReviewBook
from inventory.services.rounds import RoundBook
from inventory.services.scenarios import ScenarioBook

if TYPE_CHECKING:
    from inventory.results import Results


class Catalogue(CaseFollowUp, CatalogueImports):
    """The process catalogue on one database. Both the CLI and the app talk only to this.

    Its methods come from the use cases it is built from, each a class in its own module
    that builds on the one before (see :mod:`inventory.services`):

    * :class:`~inventory.services.core.CatalogueCore`: opening, the criteria set, revisions;
    * :class:`~inventory.services.reading.CatalogueReads`: records, graph, ratings, audit trail;
    * :class:`~inventory.services.editing.CatalogueEdits`: units, processes, dependencies,
      KPIs and assessments, one by one;
    * :class:`~inventory.services.imports.CatalogueImports`: whole inventories and
      spreadsheets;
    * :class:`~inventory.services.case_follow_up.CaseFollowUp`: a draft process or
      assessments from an accepted case for change."""

    @property
    def results(self) -> Results:
        """Derived results shared by every session of this process, computed once per
        revision (see :mod:`inventory.results`)."""
        from inventory.results import Results

        return Results(self)

    @property
    def scenarios(self) -> ScenarioBook:
        """Saved scenarios and decision snapshots (see :mod:`inventory.services.scenarios`)."""
        return ScenarioBook(self.engine)

    @property
    def initiatives(self) -> InitiativeBook:
        """The transformation roadmap: initiatives, deliverables, progress notes, their
        rationalisation and dashboard (see :mod:`inventory.services.initiatives`)."""
        return InitiativeBook(self.engine)

    @property
    def cases(self) -> CaseBook:
        """Cases for change from staff, endorsed and triaged (see
        :mod:`inventory.services.cases`)."""
        return CaseBook(self.engine)

    @property
    def reviews(self) -> ReviewBook:
        """Review rounds: owners confirm their processes (see
        :mod:`inventory.services.reviews`)."""
        return ReviewBook(self)

    @property
    def rounds(self) -> RoundBook:
        """Weighting rounds: members weigh a scenario's criteria, the answers are combined
        into its weights (see :mod:`inventory.services.rounds`)."""
        return RoundBook(self.engine, self.criteria)

    @property
    def accounts(self) -> AccountBook:
        """User accounts and sign-in (see :mod:`inventory.services.accounts`)."""
        return AccountBook(self.engine)
