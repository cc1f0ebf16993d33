"""The Starlette application of ``casetrail serve``: the store, its read models kept current, the routes.

One ``Site`` per server: the application (``Casetrail``) and the read models (``Views``)
that requests read, the accounts, the templates in each language, and a thread that follows
the store (``Views.follow``, with its own connections) so the read models stay current while
nobody waits on a catch-up. A write through the web catches the request's own views up
before it answers, so the next page shows it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from casetrail.domain.rules import Rules, load_rules
from casetrail.projections.views import Stop, Views
from casetrail.store.application import Casetrail
from casetrail.web import api, forms, pages
from casetrail.web.accounts import Accounts, User
from casetrail.web.chart import Charts
from casetrail.web.i18n import LANGUAGES, chosen, date_reading, translations
from casetrail.web.security import SecurityHeaders

HERE = Path(__file__).parent
log = logging.getLogger("casetrail.web")


class Site:
    """What every request shares."""

    def __init__(self, url: str | None, lists_file: str | None = None) -> None:
        self.url = url
        self.rules: Rules = load_rules(lists_file)
        self.store = Casetrail(url, recorded_by=None, create=False)  # reads; writes go through writer()
        self.views = Views(self.store, self.rules)
        self._writers: dict[str, Casetrail] = {}
        self.accounts = Accounts(self.views.engine, self.views.writer)
        self.templates = {language: _environment(language) for language in LANGUAGES}
        self._catching = threading.Lock()
        self.charts = Charts()
        self.pending: dict[str, tuple] = {}  # uploads checked by a dry run, waiting for their confirmation
        self._stop = Stop()
        self._follower: threading.Thread | None = None

    # -- keeping the read models current ---------------------------------------------------------

    def start(self) -> None:
        self._follower = threading.Thread(target=self._follow, name="casetrail-follow", daemon=True)
        self._follower.start()

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                store = Casetrail(self.url, recorded_by=None, create=False)
                views = Views(store, self.rules)
                try:
                    views.follow(stop=self._stop)
                finally:
                    views.close()
                    store.close()
            except Exception:  # a lost database: say so, wait, follow again
                log.exception("following the store failed; trying again in 5 seconds")
            self._stop.sleep(5.0)

    def writer(self, user: User) -> Casetrail:
        """The application that writes for ``user``: the one place a write through the web is given
        its author, the logged-in user as ``recorded_by`` (an application per user, opened once)."""
        with self._catching:
            writer = self._writers.get(user.name)
            if writer is None:
                writer = self._writers[user.name] = Casetrail(self.url, recorded_by=user.name, create=False)
        return writer

    def caught_up(self) -> None:
        """Bring the request's views up to date (after a write: the follower may not have woken yet)."""
        with self._catching:
            self.views.catch_up()

    def close(self) -> None:
        self._stop.set()
        if self._follower is not None:
            self._follower.join(timeout=30)
        self.views.close()
        for writer in self._writers.values():
            writer.close()
        self.store.close()

    # -- answering --------------------------------------------------------------------------------

    def language(self, request: Request, own: str | None) -> str:
        return chosen(own, request.headers.get("accept-language"))

    def render(self, request: Request, template: str, values: dict[str, Any], status: int = 200,
               own_language: str | None = None) -> HTMLResponse:
        language = self.language(request, own_language)
        page = self.templates[language].get_template(template)
        return HTMLResponse(page.render(request=request, language=language, languages=LANGUAGES, **values), status)

    def error_page(self, request: Request, status: int, message: str) -> Response:
        return self.render(request, "error.html", {"status": status, "message": message, "asked": None}, status)


def _environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["web_link"] = web_link
    env.filters["word"] = lambda value: _word(value, translations(language).gettext)
    env.filters["reading"] = lambda text: date_reading(text, language)
    return env


def _word(value: Any, gettext: Callable[[str], str]) -> str:
    """A status value as the CLI prints it: yes or no for a flag, none for nothing."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return "none" if value is None else str(value)


def web_link(url: str | None) -> bool:
    """Whether a stored address may be a link: only http and https (never javascript: or data:)."""
    return bool(url) and url.lower().startswith(("http://", "https://"))


def create_app(url: str | None, lists_file: str | None = None, follow: bool = True) -> Starlette:
    """The web app over the store at ``url`` (which must exist); ``follow`` starts the follower thread."""
    site = Site(url, lists_file)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if follow:
            site.start()
        try:
            yield
        finally:
            site.close()

    routes = [*forms.routes(), *pages.routes(), Mount("/api", routes=api.routes()),
              Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static")]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.site = site
    app.add_middleware(SecurityHeaders)
    return app


PUBLIC = ("/login", "/static")  # the only routes open to anyone: the login form and the style sheet
