"""The pages that read: lists, people, a case, a list, changes, sources; and logging in and out.

Each page is chosen at a valid date and a record time (``?as_of=&known_at=``, spelt as the
CLI's ``--as-of`` and ``--known-at``) and shows the JSON shapes the CLI prints with ``--json``
(``rendering/shapes.py``), so a new fact type, field or facet appears without a new template.
"""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from casetrail.domain.corrections import corrections, with_fact_times
from casetrail.domain.dates import parse_day, parse_instant, time_text, today_utc
from casetrail.domain.errors import BadInput, CasetrailError
from casetrail.domain.events import CLAIMANTS, Corroborated, Fact
from casetrail.domain.explain import explain
from casetrail.domain.facets import LISTED, search_filters
from casetrail.projections.times import At
from casetrail.rendering.picture import CSS as PICTURE_CSS, timeline_page
from casetrail.rendering.shapes import (
    MEMBER_KEYS, audit_shape, case_shape, cases_shape, list_shape, lists_shape, proceeding_shape,
)
from casetrail.rendering.story import Story
from casetrail.store.formats import csv_cell
from casetrail.web.accounts import LoginRefused, same
from casetrail.web.fields import CLAIMS
from casetrail.web.i18n import LANGUAGES
from casetrail.web.security import COOKIE, LOGIN_COOKIE, Asked, guarded, safe_next, set_session_cookie


def when(request: Request) -> At:
    """The valid date and record time a page is read at: today and now unless the URL says."""
    as_of, known_at = request.query_params.get("as_of"), request.query_params.get("known_at")
    day = parse_day(as_of, "as_of") if as_of else today_utc()
    if day > today_utc():
        raise BadInput(f"as_of {day} is in the future; casetrail answers only up to today ({today_utc()})")
    return At(day, parse_instant(known_at, "known_at") if known_at else None)


def page(request: Request, asked: Asked, template: str, status: int = 200, **values: Any) -> Response:
    """A page with what every page shows: the time bar, the user, links that keep the time."""
    kept = {k: request.query_params[k] for k in ("as_of", "known_at") if request.query_params.get(k)}

    def href(path: str, **more: Any) -> str:
        query = urlencode({**kept, **{k: v for k, v in more.items() if v not in (None, "")}})
        return f"{path}?{query}" if query else path

    site = request.app.state.site
    return site.render(request, template, {"asked": asked, "kept": kept, "href": href, "today": today_utc(),
                                           **values}, status, asked.user.language if asked else None)


def timed(template: str):
    """A reading page: ``build(request, asked, at)`` gives its values; a bad date or key gets one line."""

    def wrap(build):
        def handler(request: Request, asked: Asked) -> Response:
            try:
                at = when(request)
                values = build(request, asked, at)
            except CasetrailError as error:
                status = 404 if isinstance(error, LookupError) else 400
                return page(request, asked, "error.html", status, status_code=status, message=str(error))
            if isinstance(values, Response):
                return values
            return page(request, asked, template, at=at, **values)

        handler.__name__ = build.__name__
        return handler

    return wrap


# -- the pages -------------------------------------------------------------------------------------

@timed("home.html")
def home(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    site = request.app.state.site
    shape = lists_shape(site.rules, site.views.counts(at), at.as_of, at.known_at)
    return {"shape": shape, "chart": site.charts.chart(site, at)}


@timed("people.html")
def people(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    site = request.app.state.site
    query = request.query_params
    wanted = search_filters({facet.name: query.get(facet.name) for facet in LISTED})
    name = query.get("name") or None
    found = site.views.people(at, wanted, name, 200)
    return {"found": found, "facets": LISTED, "query": query, "columns": ["headline", "custody", "legal",
                                                                          "designation"]}


def case_values(request: Request, at: At) -> dict[str, Any]:
    """What the case page shows of the person in the URL at ``at``."""
    site = request.app.state.site
    key = request.path_params["key"]
    who = site.store.person(key)
    folded = who.fold(at.as_of, at.known_at)
    cited = {e.source for e in who.story if isinstance(e, (Fact, Corroborated)) and e.source}
    sources = {k: site.store.source(k) for k in sorted(cited) if _has_source(site, k)}
    cases = tuple(site.store.case(c) for c in who.cases_named())
    picture = timeline_page([Story(key, who.name, tuple(who.story), cases)], sources, site.rules, at.as_of,
                            at.known_at, f"{who.name} ({key})")
    changes = with_fact_times(site.views.person_changes(str(who.id), at.known_at), who.story)
    fixes = [fix.json() for fix in corrections(who.story, site.rules, at.known_at)]
    memberships = [explain(who.story, site.rules, rule.name, at.as_of, at.known_at) for rule in site.rules.lists]
    case = case_shape(key, who.name, who.aliases, folded)
    return {"case": case, "person": who, "picture": picture.body,
            "late": [e for e in folded.events if e.on.latest > folded.as_of], "conflicts": folded.conflicts,
            "audit": audit_shape(key, who.name, at.known_at, changes, fixes, who.fold(date.max, at.known_at).claims),
            "memberships": memberships, "titles": {c.key: c.title for c in cases},
            "sources": sources, "accounts": _accounts(case), "claim": None,
            "claimants": CLAIMANTS, "claim_forms": CLAIMS, "known_sources": site.views.registered_sources()}


def _accounts(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each disputed account's id -> its dispute (the facet, the accounts, which one counts)."""
    return {account: dispute for dispute in case["disputes"] for account in dispute["event_ids"]}


person = timed("person.html")(lambda request, asked, at: case_values(request, at))
person.__name__ = "person"


def case_page(request: Request, asked: Asked, status: int, claim: dict[str, Any]) -> Response:
    """The case page again, with a claim form's error beside its field (a refused corroboration,
    preference or retraction)."""
    try:
        at = when(request)
        values = case_values(request, at)
    except CasetrailError as error:
        return page(request, asked, "error.html", 404 if isinstance(error, LookupError) else 400, message=str(error))
    ids = values["accounts"] if claim["kind"] == "prefer" else {e["id"] for e in values["case"]["events"]}
    claim = {**claim, "above": claim["event_id"] not in ids}  # no form of it on the page: the error goes on top
    return page(request, asked, "person.html", status, at=at, **{**values, "claim": claim})


def _has_source(site: Any, key: str) -> bool:
    try:
        site.store.source(key)
    except LookupError:
        return False
    return True


PAGE_SIZE = 200  # members on one list page; the CSV and the API give them all


@timed("list.html")
def list_page(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    site = request.app.state.site
    name = request.path_params["name"]
    rule = site.rules.get(name)
    number, size = page_number(request), site.views.size(name, at)
    last = max(1, -(-size // PAGE_SIZE))
    if number > last:
        raise BadInput(f"page {number} is past the last page of {name} at {at.v} ({last}); give page=1 to {last}")
    members = site.views.members(name, at, PAGE_SIZE, (number - 1) * PAGE_SIZE, size)
    return {"shape": list_shape(name, rule.title, members, at.as_of, at.known_at), "columns": MEMBER_KEYS,
            "size": size, "page": number, "last": last, "first_shown": (number - 1) * PAGE_SIZE + 1}


def page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    if not text.isdigit() or int(text) < 1:
        raise BadInput(f"page must be a whole number from 1 (got '{text[:20]}'); leave it out for the first page")
    return int(text)


@timed("error.html")
def list_csv(request: Request, asked: Asked, at: At) -> Response:
    site = request.app.state.site
    name = request.path_params["name"]
    site.rules.get(name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MEMBER_KEYS)
    for m in site.views.members(name, at):
        writer.writerow(csv_cell(m[k] if k != "uncertain" else ("yes" if m[k] else "no")) for k in MEMBER_KEYS)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{name}-{at.v}.csv"'})


def changes_since(site: Any, since: datetime | None) -> list[dict[str, Any]]:
    """Every entry to and exit from every list, or only what the record gained or withdrew after ``since``."""
    return [{"list": rule.name, **change} for rule in site.rules.lists
            for change in site.views.list_changes(rule.name, since)]


@timed("changes.html")
def changes(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    since_text = request.query_params.get("since")
    since = parse_instant(since_text, "since") if since_text else None
    return {"since": since and time_text(since), "changes": changes_since(request.app.state.site, since)}


@timed("cases.html")
def cases(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    return {"shape": cases_shape(request.app.state.site.store.cases())}


@timed("case.html")
def case(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    """A case at (V, K), in the shape of ``case show --json``."""
    return {"shape": proceeding_shape(*request.app.state.site.store.case_answer(request.path_params["key"], at.as_of,
                                                                                at.known_at))}


@timed("sources.html")
def sources(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    return {"sources": request.app.state.site.views.registered_sources()}


@timed("source.html")
def source(request: Request, asked: Asked, at: At) -> dict[str, Any]:
    key = request.path_params["key"]
    found = request.app.state.site.store.source(key)
    return {"key": key, "source": found}


def picture_css(request: Request) -> Response:
    return Response(PICTURE_CSS, media_type="text/css")


# -- logging in and out ----------------------------------------------------------------------------

async def login(request: Request) -> Response:
    """The login form, and logging in: a new session id every time (no fixation), then back to the
    page asked for, on this site only."""
    site = request.app.state.site
    target = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return _login_form(request, target)
    form = await request.form()
    if not same(str(form.get("csrf") or ""), request.cookies.get(LOGIN_COOKIE, "")):
        return _login_form(request, target, "the form's security token is missing or stale: try again", 403)
    address = request.client.host if request.client else "unknown"
    try:
        user = await run_in_threadpool(site.accounts.login, str(form.get("name") or ""),
                                       str(form.get("password") or ""), address)
    except LoginRefused as refused:
        return _login_form(request, target, str(refused), 401)
    old = request.cookies.get(COOKIE)
    await run_in_threadpool(site.accounts.end_session, old)  # a session id set before login is never kept
    sid = await run_in_threadpool(site.accounts.open_session, user)
    response = RedirectResponse(safe_next(str(form.get("next") or target)), 303)
    set_session_cookie(response, request, COOKIE, sid, None)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _login_form(request: Request, target: str, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = request.app.state.site.render(request, "login.html", {"asked": None, "next": target, "csrf": token,
                                                                     "error": error, "kept": {}}, status)
    set_session_cookie(response, request, LOGIN_COOKIE, token, 600)
    return response


@guarded("viewer")
def logout(request: Request, asked: Asked) -> Response:
    request.app.state.site.accounts.end_session(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response


@guarded("viewer")
def language(request: Request, asked: Asked) -> Response:
    chosen = asked.form.get("language")
    request.app.state.site.accounts.set_language(asked.user.name, chosen if chosen in LANGUAGES else None)
    return RedirectResponse(safe_next(asked.form.get("back")), 303)


def routes() -> list[Route]:
    viewer = guarded("viewer")
    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/language", language, methods=["POST"]),
        Route("/", viewer(home)),
        Route("/people", viewer(people)),
        Route("/people/{key}", viewer(person)),
        Route("/lists/{name}.csv", viewer(list_csv)),
        Route("/lists/{name}", viewer(list_page)),
        Route("/changes", viewer(changes)),
        Route("/cases", viewer(cases)),
        Route("/cases/{key}", viewer(case)),
        Route("/sources", viewer(sources)),
        Route("/sources/{key}", viewer(source)),
        Route("/static/picture.css", picture_css),
    ]
