"""What every command shares: the store and its read models, opened on first use."""

from __future__ import annotations

import contextlib
import getpass
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import typer

from casetrail.cli.render import progress
from casetrail.store.application import Casetrail
from casetrail.store.storage import NoStore
from casetrail.domain.errors import NotFound
from casetrail.domain.rules import Rules, load_rules

if TYPE_CHECKING:
    from casetrail.projections.views import Views


ENV_USER = "CASETRAIL_USER"


def recorder(given: str | None) -> str | None:
    """Who records: --as or CASETRAIL_USER, else the login name (None when the system has none:
    a write then asks for --as)."""
    if given is not None:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no LOGNAME, USER or password-file entry (a bare container)
        return None


@dataclass
class Context:
    db: str | None
    lists: str | None = None
    recorded_by: str | None = None
    _app: Casetrail | None = field(default=None, repr=False)
    _views: Views | None = field(default=None, repr=False)
    _rules: Rules | None = field(default=None, repr=False)
    _scratch: str | None = field(default=None, repr=False)  # the folder of a stand-in store

    @property
    def app(self) -> Casetrail:
        """The store, which must exist: reading a mistyped --db must not create an empty one."""
        return self.open()

    def open(self, create: bool = False, stand_in: bool = False) -> Casetrail:
        """The store; with ``stand_in``, when it does not exist, an empty one in a temporary folder
        (what a first import would start from), so that a dry run can check and create nothing."""
        if self._app is None:
            try:
                self._app = Casetrail(self.db, recorded_by=self.recorded_by, create=create)
                self._app.on_redirect = _say_redirected
            except NoStore:
                if not stand_in:
                    raise
                self._scratch = tempfile.mkdtemp(prefix="casetrail-check-")
                self._app = Casetrail(str(Path(self._scratch) / "empty.db"), recorded_by=self.recorded_by)
        return self._app

    @property
    def rules(self) -> Rules:
        """The list rules (--lists, or the default): what a person's lists are computed from."""
        if self._rules is None:
            self._rules = load_rules(self.lists)
        return self._rules

    @property
    def views(self) -> Views:
        if self._views is None:
            # Imported here: SQLAlchemy adds a fifth to start-up, and show, replay and record do without it.
            from casetrail.projections.views import Views

            rules = self.rules  # a bad rules file fails before the store is touched
            self._views = Views(self.app, rules)
            if self._views.notice:
                typer.echo(f"Note: {self._views.notice}", err=True)
        return self._views

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
            self._views = None
        if self._app is not None:
            self._app.close()
            self._app = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _say_redirected(key: str, into: str) -> None:
    typer.echo(f"Note: {key} was merged into {into}: acting on {into}", err=True)


def store(ctx: typer.Context, create: bool = False, stand_in: bool = False) -> Casetrail:
    """The application for this invocation (the root callback put the context there). Only the
    commands that can start a store from nothing (person add, source add, import) create it."""
    return ctx.find_root().obj.open(create, stand_in)


def views(ctx: typer.Context, catch_up: bool = True) -> Views:
    """The read models, caught up with every event recorded so far (unless told not to)."""
    current = ctx.find_root().obj.views
    if catch_up:
        with progress("catching up the views", current.position(), current.head(), quiet_below=20_000) as report:
            current.catch_up(progress=report)
    return current


def list_rules(ctx: typer.Context) -> Rules:
    return ctx.find_root().obj.rules


def cited_sources(ctx: typer.Context, keys: Iterable[str]) -> dict[str, Any]:
    """Each cited source, read once from the store (not every source: on an encrypted store each
    one read is decrypted); one missing from the store is left out, for a reader to show by its key."""
    found: dict[str, Any] = {}
    app = store(ctx)
    for key in sorted(set(keys)):
        with contextlib.suppress(NotFound):
            found[key] = app.source(key)
    return found
