"""The JSON API under /api/: the keys of the CLI's ``--json`` (``rendering/shapes.py``), by session or token.

``POST /api/people/{key}/facts`` takes ``{"type", "on", "source", ...the type's fields}`` and
answers 201 with the event, 400 with the CLI's one-line error, 403 for a viewer. A session's
post must carry its CSRF token in ``X-CSRF-Token``; a bearer token's need not (a browser
never sends one by itself).
"""

from __future__ import annotations

from datetime import date

from typing import Any, Callable

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from casetrail.domain.dates import parse_instant, time_text
from casetrail.domain.errors import BadInput, CasetrailError
from casetrail.domain.events import FACT_TYPES
from casetrail.domain.facts import own_fields
from casetrail.domain.corrections import corrections, with_fact_times
from casetrail.rendering.shapes import (
    audit_shape, case_shape, cases_shape, event_shape, list_shape, lists_shape, proceeding_shape,
)
from casetrail.web.fields import CLAIMANT, CLAIMS
from casetrail.web.forms import claimed
from casetrail.web.pages import changes_since, when
from casetrail.web.security import Asked, guarded


def answered(build: Callable[[Request, Asked], Any]) -> Callable[[Request, Asked], Response]:
    """A JSON answer; a domain error becomes ``{"error": one line}`` with 400 (404 for a missing key)."""

    def handler(request: Request, asked: Asked) -> Response:
        try:
            result = build(request, asked)
        except CasetrailError as error:
            return JSONResponse({"error": " ".join(str(error).split())}, 404 if isinstance(error, LookupError) else 400)
        return result if isinstance(result, Response) else Response(orjson.dumps(result),
                                                                    media_type="application/json")

    handler.__name__ = build.__name__
    handler.__doc__ = build.__doc__
    return handler


@answered
def person(request: Request, asked: Asked) -> Any:
    """A case at (as_of, known_at), as ``casetrail show KEY --json``."""
    at = when(request)
    site = request.app.state.site
    who = site.store.person(request.path_params["key"])
    folded = who.fold(at.as_of, at.known_at)
    return case_shape(who.key, who.name, who.aliases, folded, who.last_reported(site.rules, folded))


@answered
def audit(request: Request, asked: Asked) -> Any:
    """A person's changes and retracted facts, as ``casetrail audit KEY --json``."""
    site = request.app.state.site
    text = request.query_params.get("known_at")
    known_at = parse_instant(text, "known_at") if text else None
    who = site.store.person(request.path_params["key"])
    changes = with_fact_times(site.views.person_changes(str(who.id), known_at), who.story)
    fixes = [fix.json() for fix in corrections(who.story, site.rules, known_at)]
    return audit_shape(who.key, who.name, known_at, changes, fixes, who.fold(date.max, known_at).claims,
                       history=who.history)


@answered
def lists(request: Request, asked: Asked) -> Any:
    """Every list with its count, as ``casetrail lists --json``."""
    at = when(request)
    site = request.app.state.site
    return lists_shape(site.rules, site.views.counts(at), at.as_of, at.known_at, site.views.possible(at))


@answered
def one_list(request: Request, asked: Asked) -> Any:
    """A list's members, as ``casetrail list NAME --json``."""
    at = when(request)
    site = request.app.state.site
    name = request.path_params["name"]
    return list_shape(name, site.rules.get(name).title, site.views.members(name, at), at.as_of, at.known_at)


@answered
def cases(request: Request, asked: Asked) -> Any:
    """Every registered case, as ``casetrail case list --json``."""
    return cases_shape(request.app.state.site.store.cases())


@answered
def proceeding(request: Request, asked: Asked) -> Any:
    """A case at (as_of, known_at): parties, each accused's outcome, facts and status, as ``casetrail case show
    CASE --json``."""
    at = when(request)
    site = request.app.state.site
    return proceeding_shape(*site.store.case_answer(request.path_params["case"], at.as_of, at.known_at))


@answered
def changes(request: Request, asked: Asked) -> Any:
    """Entries to and exits from every list, or those recorded or withdrawn after ``since``."""
    text = request.query_params.get("since")
    since = parse_instant(text, "since") if text else None
    return {"since": since and time_text(since), "changes": changes_since(request.app.state.site, since)}


@answered
def record(request: Request, asked: Asked) -> Any:
    """Record a fact: a JSON object with type, on, source and the type's fields."""
    site = request.app.state.site
    key = request.path_params["key"]
    body = asked.form.get("json")
    if not isinstance(body, dict):
        raise BadInput('send a JSON object: {"type": "detained", "on": "2022-01-09", "source": "...", ...}')
    fields = dict(body)
    type_name = str(fields.pop("type", "") or "")
    event = site.writer(asked.user).record(key, type_name, **fields)
    site.caught_up()
    return JSONResponse({"person": key, **event_shape(event)}, 201)


def about_fact(kind: str, doc: str):
    """``POST .../facts/{event_id}/corroborations|preferences|retractions``: what ``casetrail
    corroborate | prefer | retract`` say about a recorded fact, from a JSON object of their options."""

    @answered
    def handler(request: Request, asked: Asked) -> Any:
        site = request.app.state.site
        key, event_id = request.path_params["key"], request.path_params["event_id"]
        body = asked.form.get("json")
        if not isinstance(body, dict):
            raise BadInput(f"send a JSON object of {', '.join(s.name for s in CLAIMS[kind])}")
        typed = {spec.name: str(body[spec.name]).strip() for spec in CLAIMS[kind] if body.get(spec.name)}
        event = claimed(site.writer(asked.user), kind, key, event_id, typed)
        site.caught_up()
        return JSONResponse({"person": key, **event_shape(event)}, 201)

    handler.__name__, handler.__doc__ = f"{kind}_api", doc
    return handler


ABOUT = {  # the path under a fact -> (what is said, its handler)
    "corroborations": ("corroborate", about_fact("corroborate", "Add a source to a recorded fact, as casetrail "
                                                                "corroborate: {source, claimant, note}.")),
    "preferences": ("prefer", about_fact("prefer", "Choose the account of a disputed happening that counts, as "
                                                   "casetrail prefer: {reason, source}.")),
    "retractions": ("retract", about_fact("retract", "Take back a fact (or a corroboration or preference), as "
                                                     "casetrail retract: {reason, source}.")),
}


def openapi(request: Request, asked: Asked) -> Response:
    """The OpenAPI 3.1 description of this API."""
    return JSONResponse(description())


def description() -> dict[str, Any]:
    at = [{"name": "as_of", "in": "query", "schema": {"type": "string"}, "description": "valid date, YYYY-MM-DD"},
          {"name": "known_at", "in": "query", "schema": {"type": "string"}, "description": "record time"}]
    key = [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}]
    case = [{"name": "case", "in": "path", "required": True, "schema": {"type": "string"}}]
    name = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
    since = [{"name": "since", "in": "query", "schema": {"type": "string"}, "description": "record time"}]
    event = [{"name": "event_id", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "the fact's id, or a unique prefix of at least 4 hex digits"}]
    written = {"201": {"description": "the stored event"}, "400": {"description": "one-line error"},
               "403": {"description": "a viewer, or a session's post without X-CSRF-Token"},
               "404": {"description": "no such person or fact"}}
    fact = {"type": "object", "required": ["type", "on", "source"], "properties": {
        "type": {"enum": list(FACT_TYPES)}, "on": {"type": "string"}, "source": {"type": "string"},
        "note": {"type": "string"}, "group": {"type": "string"},
        "claimant": {"type": "string", "description": CLAIMANT.help},
        "disputes": {"type": "string", "description": "the id of a recorded fact this is another account of"},
        "corroborates": {"type": "string", "description": "the id of a recorded fact this confirms"},
        "distinct": {"type": "boolean", "description": "a different happening from a like fact on the same dates"},
        **{spec.name: {"type": "array" if spec.many else "string", "description": spec.help}
           for cls in FACT_TYPES.values() for spec in own_fields(cls)}}}
    ok = {"200": {"description": "the answer, with the keys of the CLI's --json"}}
    paths = {
        "/api/people/{key}": {"get": {"summary": person.__doc__, "parameters": key + at, "responses": ok}},
        "/api/people/{key}/audit": {"get": {"summary": audit.__doc__, "parameters": key + at[1:], "responses": ok}},
        "/api/people/{key}/facts": {"post": {
            "summary": record.__doc__, "parameters": key,
            "requestBody": {"required": True, "content": {"application/json": {"schema": fact}}},
            "responses": written}},
        **{f"/api/people/{{key}}/facts/{{event_id}}/{noun}": {"post": {
            "summary": handler.__doc__, "parameters": key + event,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _claim_schema(kind)}}},
            "responses": written}} for noun, (kind, handler) in ABOUT.items()},
        "/api/lists": {"get": {"summary": lists.__doc__, "parameters": at, "responses": ok}},
        "/api/lists/{name}": {"get": {"summary": one_list.__doc__, "parameters": name + at, "responses": ok}},
        "/api/cases": {"get": {"summary": cases.__doc__, "responses": ok}},
        "/api/cases/{case}": {"get": {"summary": proceeding.__doc__, "parameters": case + at,
                                      "responses": {**ok, "404": {"description": "no such case"}}}},
        "/api/changes": {"get": {"summary": changes.__doc__, "parameters": since, "responses": ok}},
    }
    return {"openapi": "3.1.0", "info": {"title": "casetrail", "version": "1"}, "paths": paths,
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"},
                                               "session": {"type": "apiKey", "in": "cookie",
                                                           "name": "casetrail_session"}}},
            "security": [{"token": []}, {"session": []}]}


def _claim_schema(kind: str) -> dict[str, Any]:
    specs = CLAIMS[kind]
    return {"type": "object", "required": [s.name for s in specs if s.required],
            "properties": {s.name: {"type": "string", "description": s.help} for s in specs}}


def routes() -> list[Route]:
    viewer, editor = guarded("viewer", api=True), guarded("editor", api=True)
    return [
        Route("/openapi.json", viewer(openapi)),
        Route("/people/{key}", viewer(person)),
        Route("/people/{key}/audit", viewer(audit)),
        Route("/people/{key}/facts", editor(record), methods=["POST"]),
        *(Route(f"/people/{{key}}/facts/{{event_id}}/{noun}", editor(handler), methods=["POST"])
          for noun, (_, handler) in ABOUT.items()),
        Route("/lists", viewer(lists)),
        Route("/lists/{name}", viewer(one_list)),
        Route("/cases", viewer(cases)),
        Route("/cases/{case}", viewer(proceeding)),
        Route("/changes", viewer(changes)),
    ]
