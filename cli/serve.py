"""``serve``: the web app for a team, over the same store as every command."""

from __future__ import annotations

from typing import Annotated

import typer

from casetrail.cli.context import store


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="The address to listen on; keep 127.0.0.1 behind a "
                                                      "TLS reverse proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8000,
) -> None:
    """Serve the web app (log in with an account from 'casetrail user add'); the read models are kept current.

    Example: casetrail --db cases.db serve --port 8000
    """
    import uvicorn

    from casetrail.web.app import create_app

    root = ctx.find_root().obj
    store(ctx)  # a missing store fails here, in one line, before the server starts
    web = create_app(root.db, root.lists)
    # Behind a reverse proxy on this machine, its X-Forwarded-Proto says https (cookies get Secure)
    # and X-Forwarded-For gives the client's address (login limits count per address).
    uvicorn.run(web, host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                log_level="info", server_header=False)
