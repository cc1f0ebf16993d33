"""Words the templates translate that come from data, not from a template: marked here so that
``pybabel extract`` finds them. A word not here (a facet added later) is shown as it is."""

from __future__ import annotations


def N_(text: str) -> str:
    return text


WORDS = (
    # the keys of a status (rendering/shapes.py) and the facets of the search (domain/facets.py)
    N_("custody"), N_("legal"), N_("appeal_pending"), N_("appeal"), N_("vital"), N_("designation"),
    N_("headline"), N_("days_in_custody"), N_("compensation"),
    # roles
    N_("viewer"), N_("editor"), N_("admin"),
    # a case's parties and status (domain/case.py), a person's roles in cases (facet case_role)
    N_("case_role"), N_("accused"), N_("victim"), N_("claimant"), N_("witness"), N_("relative"),
    N_("registered"), N_("investigation"), N_("investigation_closed"), N_("trial"), N_("closed"),
    # an import's report (store/importer.py Summary.as_dict)
    N_("records"), N_("people_added"), N_("sources_added"), N_("events_added"), N_("events_skipped"),
    N_("records_left_out"),
    # a fuzzy date in words (web/i18n.py date_reading)
    N_("about %(date)s"), N_("%(date)s, uncertain"),
    # why a login was refused (web/accounts.py, web/pages.py)
    N_("wrong name or password"), N_("too many failed logins: try again in 15 minutes"),
    N_("the form's security token is missing or stale: try again"),
)
