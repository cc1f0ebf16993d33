"""What every command shares: the store, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from casetrail.domain.application import Casetrail


@dataclass
class Context:
    db: str | None
    _app: Casetrail | None = field(default=None, repr=False)

    @property
    def app(self) -> Casetrail:
        if self._app is None:
            self._app = Casetrail(self.db)
        return self._app


    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


def store(ctx: typer.Context) -> Casetrail:
    """The application for this invocation (the root callback put the context there)."""
    return ctx.find_root().obj.app
