"""casetrail.cli: the Typer edge, one module per noun.

Argument parsing, messages and tables; errors become one line in ``edge.py``. No
domain logic here: a command loads, asks the application or the views, and prints.

May import: everything above it (domain, store, projections, rendering).
"""
