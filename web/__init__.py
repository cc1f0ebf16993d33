"""casetrail.web: the web app behind ``casetrail serve``, an edge like the CLI.

Accounts and sessions (``accounts.py``), the Starlette application with its security
(``app.py``, ``security.py``), the pages and forms (``pages.py``), the JSON API
(``api.py``), Jinja2 templates (autoescaped) and the gettext catalogs (``locale/``).
Pages show the JSON shapes of ``rendering/shapes.py`` and the event-type registry, so
a new fact type or facet appears without a new template.

May import: everything below it (domain, store, projections, rendering).
"""
