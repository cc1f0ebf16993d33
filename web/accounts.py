"""The web app's accounts, sessions, API tokens and failed logins: four tables beside the events.

Passwords are Argon2id hashes (argon2-cffi's defaults, RFC 9106's second choice). A session
id, an API token and a CSRF token are 256 random bits; only the SHA-256 of a session id or a
token is stored (they are not passwords: a hash of 256 random bits cannot be guessed back), so
a copy of the database opens no session. A session is a row, so logout and ``user disable``
end it at once. Failed logins are counted per account and per address over a window; past the
limit the account (or the address) is locked until the window has passed, whatever the password.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean, Column, DateTime, Engine, Index, Integer, MetaData, String, Table, delete, func, insert, select, update,
)
from sqlalchemy.exc import IntegrityError

from casetrail.domain.errors import AlreadyExists, BadInput, NotFound

ROLES = ("viewer", "editor", "admin")  # each may do what the ones before it may
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
SHORTEST_PASSWORD = 10
SESSION_LIFE = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5  # wrong passwords for one account within the window before it is locked
ADDRESS_FAILURES = 20  # failed logins from one address within the window (any accounts)

metadata = MetaData()
users = Table(
    "casetrail_web_users", metadata,
    Column("name", String(63), primary_key=True),
    Column("password", String(200), nullable=False),
    Column("role", String(10), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("language", String(8)),
    Column("created", DateTime(timezone=True), nullable=False),
)
sessions = Table(
    "casetrail_web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user", String(63), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False),
    Index("casetrail_web_sessions_user", "user"),
)
tokens = Table(
    "casetrail_web_tokens", metadata,
    Column("hash", String(64), primary_key=True),
    Column("user", String(63), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
)
failures = Table(
    "casetrail_web_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("who", String(200), nullable=False),  # "user:NAME" or "address:IP"
    Column("at", DateTime(timezone=True), nullable=False),
    Index("casetrail_web_failures_who", "who", "at"),
)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    language: str | None = None

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


class LoginRefused(Exception):
    """A login that did not succeed; the message never says whether the account exists."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive times: they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Accounts:
    """Users, sessions and tokens in the store's own database (the read models' writing engine)."""

    def __init__(self, engine: Engine, writer: Engine | None = None) -> None:
        self.engine = engine  # reads
        self.writer = writer or engine  # on SQLite the views' writer takes the write lock first
        self.hasher = PasswordHasher()  # Argon2id, RFC 9106's second recommended parameters
        metadata.create_all(self.writer, checkfirst=True)
        self._dummy: str | None = None  # a hash to check an unknown name against: as slow as a known one

    # -- users ---------------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str) -> User:
        check_name(name)
        if role not in ROLES:
            raise BadInput(f"role '{role}' is not one of: {', '.join(ROLES)}")
        check_password(password)
        try:
            with self.writer.begin() as conn:
                conn.execute(insert(users).values(name=name, password=self.hasher.hash(password), role=role,
                                                  disabled=False, created=_now()))
        except IntegrityError:
            raise AlreadyExists(f"user {name} exists already; choose another name, or "
                                f"'casetrail user disable {name}' first") from None
        return User(name, role)

    def listed(self) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users.c.name, users.c.role, users.c.disabled, users.c.created)
                                .order_by(users.c.name)).all()
        return [{"name": r.name, "role": r.role, "disabled": r.disabled,
                 "created": _aware(r.created).isoformat(timespec="seconds")} for r in rows]

    def disable(self, name: str) -> None:
        """Refuse the user's password and tokens from now on, and end their sessions at once."""
        with self.writer.begin() as conn:
            if not conn.execute(update(users).where(users.c.name == name).values(disabled=True)).rowcount:
                raise NotFound(f"no user {name}; see 'casetrail user list'")
            conn.execute(delete(sessions).where(sessions.c.user == name))
            conn.execute(delete(tokens).where(tokens.c.user == name))

    def new_token(self, name: str) -> str:
        """A new API token for the user: returned once, only its hash kept."""
        self._active(name)
        token = secrets.token_urlsafe(32)
        with self.writer.begin() as conn:
            conn.execute(insert(tokens).values(hash=_digest(token), user=name, created=_now()))
        return token

    def set_language(self, name: str, language: str | None) -> None:
        with self.writer.begin() as conn:
            conn.execute(update(users).where(users.c.name == name).values(language=language))

    def _active(self, name: str) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            raise NotFound(f"no user {name}; see 'casetrail user list'")
        if row.disabled:
            raise BadInput(f"user {name} is disabled")
        return User(row.name, row.role, row.language)

    # -- logging in ----------------------------------------------------------------------------

    def login(self, name: str, password: str, address: str) -> User:
        """The user, if the password is theirs and neither they nor the address is locked out."""
        now = _now()
        if self._locked(f"user:{name}", ACCOUNT_FAILURES, now) or self._locked(f"address:{address}",
                                                                                ADDRESS_FAILURES, now):
            raise LoginRefused("too many failed logins: try again in 15 minutes")
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if not self._verified(row.password if row else None, password) or row.disabled:
            with self.writer.begin() as conn:
                conn.execute(delete(failures).where(failures.c.at < now - FAILURE_WINDOW))  # kept no longer than needed
                conn.execute(insert(failures), [{"who": f"user:{name}", "at": now},
                                                {"who": f"address:{address}", "at": now}])
            raise LoginRefused("wrong name or password")
        with self.writer.begin() as conn:
            conn.execute(delete(failures).where(failures.c.who == f"user:{name}"))
        return User(row.name, row.role, row.language)

    def _verified(self, stored: str | None, password: str) -> bool:
        try:
            if stored is None:
                self._dummy = self._dummy or self.hasher.hash(secrets.token_hex(16))
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def _locked(self, who: str, most: int, now: datetime) -> bool:
        with self.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(failures)
                                 .where(failures.c.who == who, failures.c.at > now - FAILURE_WINDOW)).scalar_one()
        return count >= most

    # -- sessions and tokens -------------------------------------------------------------------

    def open_session(self, user: User) -> str:
        """A new session id (a new one at every login: no fixation)."""
        sid = secrets.token_urlsafe(32)
        with self.writer.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires < _now()))
            conn.execute(insert(sessions).values(id_hash=_digest(sid), user=user.name,
                                                 csrf=secrets.token_urlsafe(32), expires=_now() + SESSION_LIFE))
        return sid

    def session(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        query = (select(sessions.c.csrf, sessions.c.expires, users.c.name, users.c.role, users.c.language,
                        users.c.disabled)
                 .join(users, users.c.name == sessions.c.user).where(sessions.c.id_hash == _digest(sid)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.disabled or _aware(row.expires) < _now():
            return None
        return Session(User(row.name, row.role, row.language), row.csrf)

    def end_session(self, sid: str | None) -> None:
        if sid:
            with self.writer.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.id_hash == _digest(sid)))

    def token_user(self, token: str) -> User | None:
        query = (select(users).join(tokens, tokens.c.user == users.c.name)
                 .where(tokens.c.hash == _digest(token), users.c.disabled.is_(False)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else User(row.name, row.role, row.language)


def same(given: str | None, expected: str) -> bool:
    """A CSRF token compared in constant time."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise BadInput(f"user name '{name}' is not a plain name: lower-case letters, digits, '.', '_' or '-', "
                       "starting with a letter or digit, at most 63 characters (e.g. aigerim)")


def check_password(password: str) -> None:
    if len(password) < SHORTEST_PASSWORD:
        raise BadInput(f"the password has {len(password)} characters; give at least {SHORTEST_PASSWORD}")
