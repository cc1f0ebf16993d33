"""casetrail.cli: the Typer command-line interface, one module per noun."""
