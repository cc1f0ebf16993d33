"""``projections follow`` outlives its PostgreSQL connections: when they are terminated it says
so on stderr, reconnects and goes on applying what others record."""

from __future__ import annotations

import signal
import subprocess
import uuid

import pytest

from casetrail.store.application import Casetrail
from casetrail.domain.rules import load_rules
from casetrail.projections.views import Views
from tests.conftest import _pg_connect
from tests.integration.test_follow import Lines, until
from tests.integration.views_support import _env, casetrail, populate, run


def follower(url: str, name: str) -> subprocess.Popen:
    """``projections follow`` whose connections carry ``name``, so that only they are terminated
    (other tests share the server)."""
    env = {**_env(), "PGAPPNAME": name}
    return subprocess.Popen(casetrail(url, "projections", "follow"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def terminate_backends(name: str) -> int:
    with _pg_connect() as conn:
        return conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = %s", [name]).fetchone()[0]


@pytest.mark.postgres
def test_follow_reconnects_after_its_connections_are_terminated_and_applies_what_comes_next(postgres_url):
    app = Casetrail(postgres_url, recorded_by="tests")
    populate(app, 3)
    views = Views(app, load_rules())
    name = f"casetrail-follow-{uuid.uuid4().hex[:8]}"
    process = follower(postgres_url, name)
    output = Lines(process)
    try:
        until(process, lambda: views.position() == views.head(), "the follower's first catch-up")

        for round_ in range(2):  # a second drop, after the first reconnection, is mended too
            assert terminate_backends(name) >= 1
            run(postgres_url, "record", "person-0001", "noted", "--on", "2024-03", "--text", f"still waiting {round_}",
                "--source", "src")
            head = views.head()
            until(process, lambda: output.reported(head), f"the follower to apply up to {head} after the drop",
                  timeout=60)

        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        err = process.stderr.read()
    finally:
        process.kill()
        process.wait()
        views.close()
        app.close()

    assert process.returncode == 0, err
    assert err.count(f"lost the connection to postgresql://") == 2, err
    assert err.count("reconnected to postgresql://") == 2, err
    assert err.rstrip().endswith(f"stopped at position {head}"), err
    assert "Traceback" not in err and "Error:" not in err
