"""The use cases of the catalogue (see :mod:`inventory.services.catalogue`)."""

from inventory.db import write_transaction
from inventory.errors import CatalogueError
from inventory.services.catalogue import (
    FRAME_READERS,
    Catalogue,
    ImportResult,
    ProcessDetail,
    catalogue_transaction,
    filter_processes,
)

__all__ = ["FRAME_READERS", "Catalogue", "CatalogueError", "ImportResult", "ProcessDetail",
           "catalogue_transaction", "filter_processes", "write_transaction"]
