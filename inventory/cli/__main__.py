"""``python -m inventory.cli``: the same as the ``dti`` command."""

from inventory.cli import main

main()
