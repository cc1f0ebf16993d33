"""casetrail.domain: the pure model, and everything that is pure over it.

Dates, money, text rules, the events (each type declaring all that is particular to it) and
the state they step, the Person and Source aggregates, the one fold
every reader shares, facets, list rules, the timeline of changes and the explanations
built on it (why, corrections).

May import: the standard library, pydantic, and eventsourcing's ``domain`` and
``utils`` modules. Never storage, SQL, YAML, files of records, rendering or the CLI
(tests/unit/test_layers.py enforces it). Stored topics name classes here
(``casetrail.domain.events:Detained``, ``casetrail.domain.person:Person``): never move
or rename them.
"""
