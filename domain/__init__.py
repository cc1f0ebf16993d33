"""casetrail.domain: events, fuzzy dates, the Person aggregate and the one fold every reader shares."""
