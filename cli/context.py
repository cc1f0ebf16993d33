"""What every command shares: the store and its read models, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from casetrail.cli.render import progress
from casetrail.domain.application import Casetrail
from casetrail.projections.rules import load_rules

if TYPE_CHECKING:
    from casetrail.projections.views import Views


@dataclass
class Context:
    db: str | None
    lists: str | None = None
    _app: Casetrail | None = field(default=None, repr=False)
    _views: Views | None = field(default=None, repr=False)

    @property
    def app(self) -> Casetrail:
        if self._app is None:
            self._app = Casetrail(self.db)
        return self._app

    @property
    def views(self) -> Views:
        if self._views is None:
            # Imported here: SQLAlchemy adds a fifth to start-up, and show, replay and record do without it.
            from casetrail.projections.views import Views

            rules = load_rules(self.lists)  # a bad rules file fails before the store is touched
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


def store(ctx: typer.Context) -> Casetrail:
    """The application for this invocation (the root callback put the context there)."""
    return ctx.find_root().obj.app


def views(ctx: typer.Context, catch_up: bool = True) -> Views:
    """The read models, caught up with every event recorded so far (unless told not to)."""
    current = ctx.find_root().obj.views
    if catch_up:
        with progress("catching up the views", current.position(), current.head(), quiet_below=20_000) as report:
            current.catch_up(progress=report)
    return current
