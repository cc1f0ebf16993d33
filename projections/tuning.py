"""How a catch-up runs, and its automatic defaults: what ``projections catch-up`` and
``rebuild`` let a user change (``--batch-size``, ``--helpers``, ``--memory``).

None of them changes what the views hold, only how fast and in how much memory they are
made (docs/BENCHMARKS.md has the measurements behind each default). No SQLAlchemy here:
the CLI imports this at start-up, for its options' defaults.
"""

from __future__ import annotations

BATCH = 4000  # notifications per batch, written in one transaction; larger batches were faster
MOST_BATCH = 100_000  # a batch's rows are held in memory until it is written
HELP_FROM = 40_000  # notifications waiting, above which helper processes start by default
MOST_HELPERS = 4  # helper processes started by default, one per core
REMEMBERED = 100_000  # events of recent streams a process keeps in memory, by default
