"""casetrail.store: events kept on disk, and files of records in and out.

The store URL, the mapper and its encryption, the append-only triggers, verify, the
application (``Casetrail``: load, call, save), and import and export (record files,
formats, the importer, the exporter, redaction).

May import: the model (``casetrail.domain``), eventsourcing, the database drivers,
YAML and the standard library. Never the read models, rendering or the CLI.
"""
