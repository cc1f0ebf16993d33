"""casetrail.projections: read models and queries (see DESIGN.md section 7)."""
