"""casetrail.projections: the read models in SQL, kept bitemporal, and their queries.

Public surface: ``views.Views`` (catch up, rebuild, follow, and the questions: lists,
members, people, audit rows), ``times.At`` (a valid date and a record time) and
``tuning`` (how a catch-up runs: batch size, helper processes, memory, and their defaults).
The rest (tables, projector, working, engines, sealing, queries) is its engine.

May import: the model and the store. Never rendering or the CLI.
"""
