"""The edge: the one place where errors become ``Error: ...`` on stderr and exit code 1.

Click's own usage errors (a missing option, a misspelt flag) get the same single
line instead of a box, so scripts and people see one format. Set
CASETRAIL_DEBUG=1 to see the traceback of an unexpected failure.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import typer
from typer._click import exceptions as click  # typer 0.29 vendors click; pinned in pyproject
from typer.core import TyperGroup, TyperOption

from casetrail.cli.render import visible
from casetrail.domain.errors import CasetrailError


def fail(message: str) -> NoReturn:
    typer.echo(f"Error: {visible(message)}", err=True)  # it may quote stored or typed text
    sys.exit(1)


def _usage(error: click.UsageError) -> str:
    message = " ".join(error.format_message().split())
    ctx = error.ctx
    if ctx is not None:
        message += f" (see '{ctx.command_path.replace('{KEY}', 'KEY')} --help')"
    return message


_display_type = TyperOption.display_type_rich


def _display_type_unless_flag(option: TyperOption, ctx: Any) -> str | None:
    # A flag takes no value, so its help shows none: typer 0.29 shows '--json <bool>', which
    # invites '--json true', an error.
    return None if option.is_flag else _display_type(option, ctx)


TyperOption.display_type_rich = _display_type_unless_flag  # type: ignore[method-assign]


class EdgeGroup(TyperGroup):
    """A Typer group whose ``main`` turns every failure into one line."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.NoArgsIsHelpError:
            code = 0  # typer has printed the help already
        except click.UsageError as error:
            fail(_usage(error))
        except click.ClickException as error:
            fail(" ".join(error.format_message().split()))
        except typer.Abort:
            fail("aborted")
        except CasetrailError as error:
            fail(" ".join(str(error).split()))
        except Exception as error:  # a bug: still one line, unless debugging
            if os.environ.get("CASETRAIL_DEBUG"):
                raise
            fail(f"unexpected {type(error).__name__}: {' '.join(str(error).split())[:300]} "
                 "(set CASETRAIL_DEBUG=1 for the traceback and please report it)")
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code
