"""Who is asking, and may they: the session cookie or a bearer token, the role, the CSRF token, the headers.

Every route but the login page and the style sheets goes through ``guarded``: an anonymous
page request is sent to the login page, an anonymous API request gets 401, a role too low
403, a form or a cookie-authenticated API post without its session's CSRF token 403, all
before the handler runs, so nothing is read or stored for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import orjson

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casetrail.web.accounts import Session, User, same

COOKIE = "casetrail_session"
LOGIN_COOKIE = "casetrail_login"  # the login form's CSRF token, before there is a session
CSRF_HEADER = "x-csrf-token"
LARGEST_UPLOAD = 64 * 1024 * 1024

# No inline script anywhere, and no script at all for now: pages work without one. Style
# attributes are let through for the timeline picture's legend swatches (no style element is).
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
          "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [(b"content-security-policy", POLICY.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
           (b"cache-control", b"no-store")]  # pages name detainees: no shared or disk cache keeps them


class SecurityHeaders:
    """Adds the policy and the no-store headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                # The server's own time, for the load script (benchmarks/load_web.py) and a browser's tools.
                timing = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in names),
                                      (b"server-timing", timing)]
            await send(message)

        await self.app(scope, receive, sending)


@dataclass
class Asked:
    """What a handler is given: the user, their session (None with a token), the form posted."""

    user: User
    session: Session | None
    form: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (file name, content)

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""


Handler = Callable[[Request, Asked], Response]


def guarded(role: str, api: bool = False) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """The route for ``handler``, open to users of ``role`` or above; the handler runs in a thread."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            site = request.app.state.site
            session, user = await run_in_threadpool(_who, site, request)
            if user is None:
                return _anonymous(request, api)
            if not user.may(role):
                return _refused(request, api, 403, f"a {user.role} may not do this; it needs a {role}")
            asked = Asked(user, session)
            if request.method == "POST":
                refusal = await _read_post(request, asked, api)
                if refusal is not None:
                    return refusal
            return await run_in_threadpool(handler, request, asked)

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        endpoint.role = role  # type: ignore[attr-defined]  # the security tests read it
        return endpoint

    return wrap


def _who(site: Any, request: Request) -> tuple[Session | None, User | None]:
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        return None, site.accounts.token_user(bearer[7:].strip())
    session = site.accounts.session(request.cookies.get(COOKIE))
    return session, session.user if session else None


async def _read_post(request: Request, asked: Asked, api: bool) -> Response | None:
    """Read the form (or the API's JSON body) and check the CSRF token of a session."""
    if api:
        given = request.headers.get(CSRF_HEADER)
        try:
            asked.form = {"json": orjson.loads(await request.body())}
        except orjson.JSONDecodeError:
            asked.form = {"json": None}
    else:
        form = await request.form(max_part_size=LARGEST_UPLOAD)
        asked.form, asked.uploads = await _fields(form)
        given = asked.form.get("csrf")
    if asked.session is not None and not same(given, asked.session.csrf):
        return _refused(request, api, 403, "the form's security token is missing or stale: "
                                           "reload the page and send it again")
    return None


async def _fields(form: FormData) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    fields: dict[str, Any] = {}
    uploads: dict[str, tuple[str, bytes]] = {}
    for name in form.keys():
        values = form.getlist(name)
        if isinstance(values[0], UploadFile):
            uploads[name] = (values[0].filename or "upload", await values[0].read())
        else:
            fields[name] = values if len(values) > 1 else values[0]
    return fields, uploads


def _anonymous(request: Request, api: bool) -> Response:
    if api:
        return JSONResponse({"error": "log in first: a session, or Authorization: Bearer TOKEN"}, 401,
                            headers={"www-authenticate": "Bearer"})
    if request.method != "GET":
        return Response("log in first", 401, media_type="text/plain")
    return RedirectResponse(f"/login?next={quote(local_path(request), safe='')}", 303)


def _refused(request: Request, api: bool, status: int, message: str) -> Response:
    if api:
        return JSONResponse({"error": message}, status)
    return request.app.state.site.error_page(request, status, message)


def local_path(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (never //host, \\\\host or a URL)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    if any(ord(c) < 0x20 for c in target):
        return "/"
    return target


def set_session_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
