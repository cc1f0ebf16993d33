"""``casetrail user``: the web app's accounts from the command line, and ``serve`` on a missing store."""

from __future__ import annotations

from casetrail.web.accounts import Accounts
from casetrail.projections.engines import engines
from casetrail.store.application import Casetrail


def test_a_user_is_added_from_stdin_listed_given_a_token_and_disabled(cli):
    cli("person add omarov-aslanbek --name 'Aslanbek Omarov'")

    added = cli("user add aigerim --role editor --password-stdin", input="a long enough password\n")
    token = cli("user token aigerim").stdout.strip()
    listed = cli.json("user list")["users"]
    disabled = cli("user disable aigerim")

    assert "added aigerim (editor)" in added.stdout
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("aigerim", "editor", False)]
    assert len(token) >= 40 and "ended" in disabled.stdout
    accounts = _accounts(cli.url)
    assert accounts.token_user(token) is None
    assert cli.json("user list")["users"][0]["disabled"] is True


def test_the_password_is_asked_for_twice_when_not_on_stdin(cli):
    cli("person add omarov-aslanbek --name 'Aslanbek Omarov'")

    cli("user add aigerim", input="a long enough password\na long enough password\n")

    assert _accounts(cli.url).login("aigerim", "a long enough password", "127.0.0.1").role == "viewer"


def test_bad_user_input_gets_one_line(cli):
    cli("person add omarov-aslanbek --name 'Aslanbek Omarov'")

    assert "--role 'boss' is not one of: viewer, editor, admin" in cli.error("user add aigerim --role boss "
                                                                             "--password-stdin")
    assert "give at least 10" in _error(cli, "user add aigerim --password-stdin", "short\n")
    assert "is not a plain name" in cli.error("user add 'Aigerim K' --password-stdin")
    cli("user add aigerim --password-stdin", input="a long enough password\n")
    assert "user aigerim exists already" in _error(cli, "user add aigerim --password-stdin",
                                                        "a long enough password\n")
    assert "no user nobody" in cli.error("user disable nobody")


def test_serve_on_a_missing_store_fails_in_one_line_and_creates_nothing(cli, tmp_path):
    from tests.cli.conftest import Cli

    missing = Cli(str(tmp_path / "nothing.db"))

    assert "no casetrail store" in missing.error("serve")
    assert not (tmp_path / "nothing.db").exists()


def _accounts(url: str) -> Accounts:
    app = Casetrail(url, recorded_by=None, create=False)
    reader, writer = engines(app.store)
    app.close()
    return Accounts(reader, writer)


def _error(cli, line: str, typed: str) -> str:
    result = cli(line, ok=False, input=typed)
    assert result.exit_code == 1 and result.stderr.startswith("Error: "), result.stderr
    return result.stderr


def test_serve_answers_on_localhost_and_stops_on_ctrl_c(cli, tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx2 as httpx

    cli("person add omarov-aslanbek --name 'Aslanbek Omarov'")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "casetrail.cli.main", "--db", cli.url, "serve", "--port",
                               str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        answer = None
        for _ in range(300):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        login = httpx.get(f"http://127.0.0.1:{port}/login")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise

    assert answer is not None and answer.status_code == 303 and answer.headers["location"] == "/login?next=%2F"
    assert login.status_code == 200 and "content-security-policy" in login.headers
    assert code == 0, server.stderr.read()
