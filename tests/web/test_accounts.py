"""Accounts keep Argon2id hashes and only hashes of session ids and tokens."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from casetrail.web.accounts import sessions, tokens, users


def test_the_server_hashes_passwords_with_argon2id_at_rfc_9106_cost(web_url):
    from casetrail.web.app import Site

    site = Site(web_url)
    try:
        site.accounts.add("aigerim", "editor", "a long enough password")
        with site.views.engine.connect() as conn:
            stored = conn.execute(select(users.c.password)).scalar_one()
    finally:
        site.close()

    assert stored.startswith("$argon2id$") and "m=65536,t=3,p=4" in stored


def test_neither_a_session_id_nor_a_token_is_stored_as_given(site):
    accounts = site.state.site.accounts
    user = accounts.login("editor", "correct horse battery staple", "127.0.0.1")

    sid, token = accounts.open_session(user), accounts.new_token("editor")

    with accounts.engine.connect() as conn:
        held = {*conn.execute(select(sessions.c.id_hash)).scalars(), *conn.execute(select(tokens.c.hash)).scalars()}
    assert sid not in held and token not in held
    assert hashlib.sha256(sid.encode()).hexdigest() in held and hashlib.sha256(token.encode()).hexdigest() in held
