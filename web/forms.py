"""The forms that write: add a person, add a source, record a fact, retract one (editors); import (admins).

Every write goes through the application the CLI uses (``Casetrail.add_person``, ``record``,
``retract``, the ``Importer``), so a value is refused with the CLI's one line, shown beside
the field it names, and nothing is half-saved. A fact's fields are read off its type's model
(``domain/facts.own_fields``): a new type or field needs no new form.
"""

from __future__ import annotations

import io
import re
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from casetrail.domain.errors import BadInput, CasetrailError, LikelyDuplicate
from casetrail.domain.events import CLAIMANTS, FACT_TYPES
from casetrail.domain.facts import FieldSpec, fact_class, own_fields
from casetrail.store.formats import FORMATS, format_of, read_records
from casetrail.store.importer import Importer
from casetrail.web.fields import CLAIMANT, CLAIMS
from casetrail.web.pages import case_page, page
from casetrail.web.security import Asked, guarded

COMMON = (FieldSpec("on", "When it happened: 2022-01-09, 2022-01, 2022, with ~ or ?.", None, True, False),
          FieldSpec("source", "A source key, or a URL (registered on first use).", None, True, False))
TRAILING = (FieldSpec("note", "A remark, e.g. 'sentenced with 15 others'.", None, False, False),
            FieldSpec("group", "An id shared by one fact about several people.", None, False, False))
CLAIMING = (CLAIMANT, FieldSpec("disputes", "The id of a recorded fact this is another account of.", None, False, False))
CHOICES = ("disputes", "corroborates", "distinct")  # how a likely duplicate stands to the fact it is like
PENDING_LIFE = 30 * 60  # seconds an uploaded file waits for its confirmation


def fact_fields(type_name: str) -> list[FieldSpec]:
    return [*COMMON, *own_fields(fact_class(type_name)), *TRAILING, *CLAIMING]


def given(specs: list[FieldSpec], form: dict[str, Any]) -> dict[str, Any]:
    """The values typed: a list field one value a line, empty fields left out (the model's default)."""
    values: dict[str, Any] = {}
    for spec in specs:
        text = form.get(spec.name)
        if isinstance(text, list):
            text = text[0]
        text = (text or "").strip()
        if text:
            values[spec.name] = [line.strip() for line in text.splitlines() if line.strip()] if spec.many else text
    return values


def beside(message: str, names: list[str], typed: dict[str, Any]) -> str | None:
    """The field an error names (``--term-months``), or whose value it quotes (a date's own message
    names no option), to show the line beside it; None: above the form."""
    for name in sorted(names, key=len, reverse=True):
        if f"--{name.replace('_', '-')}" in message:
            return name
    for name in names:
        value = typed.get(name)
        if isinstance(value, str) and value.strip() and f"'{value.strip()}'" in message:
            return name
    return None


# -- a fact --------------------------------------------------------------------------------------

def _record_values(request: Request, asked: Asked, type_name: str, form: dict[str, Any],
                   error: CasetrailError | None = None) -> dict[str, Any]:
    """The record form's values; a likely duplicate's refusal comes with its three choices (``like``:
    the recorded fact it may be), offered beside it."""
    site = request.app.state.site
    key = request.path_params["key"]
    specs = fact_fields(type_name)
    like = error.event_id if isinstance(error, LikelyDuplicate) else None
    return {"key": key, "name": site.store.person(key).name, "type": type_name, "types": FACT_TYPES,
            "summary": FACT_TYPES[type_name].summary, "example": FACT_TYPES[type_name].example,
            "fields": specs, "values": form, "error": error and str(error), "like": like, "choices": CHOICES,
            "error_field": None if like else beside(str(error or ""), [s.name for s in specs], form),
            "sources": site.views.registered_sources(), "claimants": CLAIMANTS}


def record_form(request: Request, asked: Asked) -> Response:
    """The form for a fact of ``?type=``; ``?disputes=ID`` fills it in as another account of that fact."""
    type_name = request.query_params.get("type") or next(iter(FACT_TYPES))
    filled = {"disputes": request.query_params["disputes"]} if request.query_params.get("disputes") else {}
    try:
        return page(request, asked, "record.html", **_record_values(request, asked, type_name, filled))
    except CasetrailError as error:
        return page(request, asked, "error.html", 404 if isinstance(error, LookupError) else 400,
                    message=str(error))


def record_post(request: Request, asked: Asked) -> Response:
    site = request.app.state.site
    key = request.path_params["key"]
    type_name = str(asked.form.get("type") or "")
    try:
        specs = fact_fields(type_name)
        site.writer(asked.user).record(key, type_name, **given(specs, asked.form), **_chosen(asked.form))
    except CasetrailError as error:
        if type_name not in FACT_TYPES:
            return page(request, asked, "error.html", 400, message=str(error))
        return page(request, asked, "record.html", 400,
                    **_record_values(request, asked, type_name, asked.form, error))
    site.caught_up()
    return RedirectResponse(f"/people/{key}", 303)


def _chosen(form: dict[str, Any]) -> dict[str, Any]:
    """The choice made for a likely duplicate: --disputes or --corroborates the fact it is like, or --distinct."""
    choice, like = form.get("choice"), str(form.get("like") or "").strip()
    if choice == "distinct":
        return {"distinct": True}
    return {choice: like} if choice in CHOICES and like else {}


# -- what an editor says about a recorded fact: another source, the account that counts, a retraction ---



def claimed(writer: Any, kind: str, key: str, event_id: str, typed: dict[str, Any]) -> Any:
    """Ask the application, as ``casetrail corroborate | prefer | retract`` do; a required field left
    empty is refused first, in the words of the CLI's option."""
    for spec in CLAIMS[kind]:
        if spec.required and not typed.get(spec.name):
            raise BadInput(f"--{spec.name} is required: {spec.help[0].lower()}{spec.help[1:]}")
    if kind == "corroborate":
        return writer.corroborate(key, event_id, typed["source"], typed.get("claimant"), typed.get("note"))
    if kind == "prefer":
        return writer.prefer(key, event_id, typed["reason"], typed.get("source"))
    return writer.retract(key, event_id, typed["reason"], typed.get("source"))


def claim_post(kind: str):
    """The case page's form to corroborate, prefer or retract a fact: back to the case, or the case
    page again with the error beside the field it names."""

    def handler(request: Request, asked: Asked) -> Response:
        site = request.app.state.site
        key = request.path_params["key"]
        event_id = str(asked.form.get("event_id") or "").strip()
        typed = given(CLAIMS[kind], asked.form)
        try:
            claimed(site.writer(asked.user), kind, key, event_id, typed)
        except CasetrailError as error:
            message = str(error)
            return case_page(request, asked, 404 if isinstance(error, LookupError) and "source" not in message
                             else 400, {"kind": kind, "event_id": event_id, "values": asked.form, "error": message,
                                        "field": named_in(message, CLAIMS[kind], typed)})
        site.caught_up()
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/people/{key}{query}#event-{event_id}", 303)

    handler.__name__ = f"{kind}_post"
    return handler


def named_in(message: str, specs: list[FieldSpec], typed: dict[str, Any]) -> str | None:
    """The field a claim's error is about: the one it names or quotes, or whose value it mentions
    ("already cites src-a"); None: the fact itself (retracted, not disputed), shown above the form."""
    names = [s.name for s in specs]
    found = beside(message, names, typed)
    if found:
        return found
    return next((name for name in names if typed.get(name) and re.search(
        rf"(?<![\w-]){re.escape(str(typed[name]))}(?![\w-])", message)), None)


# -- a person, a source --------------------------------------------------------------------------

PERSON = [FieldSpec("key", "A slug such as omarov-aslanbek.", None, True, False),
          FieldSpec("name", "The name as reported.", None, True, False),
          FieldSpec("aliases", "Other spellings, one a line (e.g. in Cyrillic).", None, False, True),
          FieldSpec("born", "Year of birth.", None, False, False),
          FieldSpec("place", "Where they live or were detained.", None, False, False),
          FieldSpec("note", "A remark.", None, False, False)]
SOURCE = [FieldSpec("key", "A slug such as rferl-omarov.", None, True, False),
          FieldSpec("url", "The address of the report.", None, False, False),
          FieldSpec("outlet", "Who published it.", None, False, False),
          FieldSpec("title", "The report's title.", None, False, False),
          FieldSpec("published", "Its publication day, YYYY-MM-DD.", None, False, False)]


def _registration(what: str, specs: list[FieldSpec]):
    def handler(request: Request, asked: Asked) -> Response:
        values = {"what": what, "fields": specs, "values": asked.form, "error": None, "error_field": None}
        if request.method == "GET":
            return page(request, asked, "register.html", **values)
        site = request.app.state.site
        typed = given(specs, asked.form)
        try:
            target = _register(site, what, typed, asked)
        except CasetrailError as error:
            values.update(error=str(error), error_field=beside(str(error), [s.name for s in specs], asked.form))
            return page(request, asked, "register.html", 400, **values)
        site.caught_up()
        return RedirectResponse(target, 303)

    handler.__name__ = f"add_{what}"
    return handler


def _register(site: Any, what: str, typed: dict[str, Any], asked: Asked) -> str:
    key = typed.pop("key", "")
    if what == "person":
        born = typed.pop("born", None)
        if born is not None and not born.isdigit():
            raise BadInput(f"--born '{born}' is not a year: give four digits, e.g. 1985")
        site.writer(asked.user).add_person(key, typed.pop("name", ""), typed.pop("aliases", []),
                                           int(born) if born else None, **typed)
        return f"/people/{key}"
    published = typed.pop("published", None)
    if published:
        from casetrail.domain.dates import parse_day

        typed["published"] = parse_day(published, "--published")
    site.writer(asked.user).add_source(key, **typed)
    return f"/sources/{key}"


# -- import ----------------------------------------------------------------------------------------

def import_page(request: Request, asked: Asked) -> Response:
    if request.method == "GET":
        return page(request, asked, "import.html", formats=FORMATS, report=None, pending=None, error=None)
    site = request.app.state.site
    if asked.form.get("pending"):
        return _confirm(request, asked)
    filename, content = asked.uploads.get("file", ("", b""))
    try:
        if not content:
            raise BadInput("choose a file to import (.yaml, .json, .jsonl or .csv)")
        kind = format_of(filename, str(asked.form.get("format") or "") or None)
        summary = _import(site, filename, content, kind, dry_run=True, user=asked.user)
    except CasetrailError as error:
        return page(request, asked, "import.html", 400, formats=FORMATS, report=None, pending=None, error=str(error))
    pending = None
    if not summary.problems:
        pending = secrets.token_urlsafe(16)
        for stale in [k for k, v in site.pending.items() if v[0] < time.time() - PENDING_LIFE]:
            site.pending.pop(stale, None)
        site.pending[pending] = (time.time(), asked.user.name, filename, content, kind)
    return page(request, asked, "import.html", formats=FORMATS, report=summary.as_dict(), pending=pending,
                filename=filename, error=None)


def _confirm(request: Request, asked: Asked) -> Response:
    site = request.app.state.site
    held = site.pending.pop(str(asked.form.get("pending")), None)
    if held is None or held[1] != asked.user.name:
        return page(request, asked, "error.html", 400, message="this upload is no longer waiting: upload it again")
    _, _, filename, content, kind = held
    try:
        summary = _import(site, filename, content, kind, dry_run=False, user=asked.user)
    except CasetrailError as error:
        return page(request, asked, "import.html", 400, formats=FORMATS, report=None, pending=None, error=str(error))
    site.caught_up()
    return page(request, asked, "import.html", formats=FORMATS, report=summary.as_dict(), pending=None,
                filename=filename, error=None, done=True)


def _import(site: Any, filename: str, content: bytes, kind: str, dry_run: bool, user: Any) -> Any:
    return Importer(site.writer(user), dry_run=dry_run).run(read_records(io.BytesIO(content), kind, filename))


# -- users (admin) ---------------------------------------------------------------------------------

USER = [FieldSpec("name", "Lower-case letters, digits, '.', '_' or '-' (e.g. aigerim).", None, True, False),
        FieldSpec("role", "viewer reads; editor records; admin also imports and manages users.",
                  ["viewer", "editor", "admin"], True, False)]


def users_page(request: Request, asked: Asked) -> Response:
    """Every user; an admin adds one (with a first password) or disables one, as ``casetrail user`` does."""
    site = request.app.state.site
    values = {"fields": USER, "values": asked.form, "error": None, "error_field": None}
    if request.method == "POST":
        try:
            _change_users(site, asked)
        except CasetrailError as error:
            values.update(error=str(error), error_field=beside(str(error), ["name", "role", "password"], asked.form))
            return page(request, asked, "users.html", 400, users=site.accounts.listed(), **values)
        return RedirectResponse("/users", 303)
    return page(request, asked, "users.html", users=site.accounts.listed(), **values)


def _change_users(site: Any, asked: Asked) -> None:
    form = asked.form
    if form.get("disable"):
        site.accounts.disable(str(form["disable"]))
        return
    site.accounts.add(str(form.get("name") or "").strip(), str(form.get("role") or ""), str(form.get("password") or ""))


def routes() -> list[Route]:
    editor, admin = guarded("editor"), guarded("admin")
    return [
        Route("/people/new", editor(_registration("person", PERSON)), methods=["GET", "POST"]),
        Route("/sources/new", editor(_registration("source", SOURCE)), methods=["GET", "POST"]),
        Route("/people/{key}/record", editor(record_form), methods=["GET"]),
        Route("/people/{key}/record", editor(record_post), methods=["POST"]),
        *(Route(f"/people/{{key}}/{kind}", editor(claim_post(kind)), methods=["POST"]) for kind in CLAIMS),
        Route("/import", admin(import_page), methods=["GET", "POST"]),
        Route("/users", admin(users_page), methods=["GET", "POST"]),
    ]
