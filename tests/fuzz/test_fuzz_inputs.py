"""Fuzzing what users type and what files hold: the import parser and the CLI.

Hypothesis mixes valid-looking and broken values (dates such as ``2022-13-01`` or
``２０２２``, amounts such as ``1e9``, ``NaN`` or ``0x10``, currencies such as ``kzt`` or
``€``, keys that are unicode, 500 characters long, path-like or SQL-like, event ids that
are not ids) into (a) import files in every format, some records valid and at least one
surely broken, sometimes with the bytes themselves damaged, and (b) the commands
``record``, ``person add``, ``retract`` and ``show``. Each test runs in-process against one
SQLite store prepared once (a source, three people, a few facts), which grows whenever a
generated input happens to be valid.

Every input must end in one of two ways:

- exit code 0, or
- exit code 1 with exactly one stderr line starting ``Error: ``, nothing on stdout, and the
  store unchanged (the same ``verify`` stamp as before).

Exit code 2 is never right: casetrail's edge turns click's usage errors (an unknown
option, a missing argument, an option without its value) into the same one-line error
with exit code 1, so a usage error is held to the same rule. No input may reach the
edge as an unexpected exception (its "set CASETRAIL_DEBUG=1" line) or leave a traceback.
An import file holding a surely broken record must fail (all or nothing). The number of
inputs tried is printed at the end of the module.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.store.application import Casetrail
from casetrail.domain.events import FACT_TYPES, Outcome, SentenceKind
from casetrail.store.formats import csv_columns
from casetrail.domain.money import CURRENCIES as CURRENCY_CODES
from tests.cli.conftest import Cli

TRIED: Counter = Counter()  # inputs tried, by command (and format)
PASSED: Counter = Counter()  # of those, the ones that succeeded (exit code 0)
UNEXPECTED = "set CASETRAIL_DEBUG=1"
SETTINGS = settings(max_examples=500, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def report_inputs(request):
    yield
    line = (f"fuzz: {sum(TRIED.values())} inputs tried, {sum(PASSED.values())} of them accepted ("
            + ", ".join(f"{k} {n}/{PASSED[k]}" for k, n in sorted(TRIED.items())) + ")")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover - without pytest's terminal
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(line)


@dataclass
class Store:
    url: str
    cli: Cli
    app: Casetrail
    ids: list[str]

    def stamp(self) -> str:
        return self.app.verify().stamp


@pytest.fixture
def store(tmp_path):
    url = str(tmp_path / "fuzz.db")
    cli = Cli(url)
    cli("source add fuzz-src --url https://example.org/fuzz --title 'A report'")
    cli("person add omarov-aslanbek --name 'Aslanbek Omarov' --alias 'Асланбек Омаров'")
    cli("person add nurgeldin-faizulla --name 'Faizulla Nurgeldin'")
    cli("person add quiet-person --name 'Quiet Person'")
    ids = [cli(line).stdout.strip() for line in (
        "record omarov-aslanbek detained --on 2022-01-09 --source fuzz-src",
        "record omarov-aslanbek released --on 2022-10~ --source fuzz-src",
        "record omarov-aslanbek compensated --on 2024-08-31 --amount 3500000 --currency KZT --source fuzz-src",
        "record nurgeldin-faizulla designated --on 2022-01 --designation accidental_victim --source fuzz-src",
        "record nurgeldin-faizulla died --on 2022-03 --source fuzz-src",
    )]
    app = Casetrail(url, recorded_by="tests")
    yield Store(url, cli, app, ids)
    app.close()


def check(store: Store, result, before: str, what: str) -> int:
    """The rule every input must keep (see the module's docstring); returns the exit code."""
    TRIED[what] += 1
    out, err = result.stdout, result.stderr
    shown = f"{what}: exit {result.exit_code}\nstdout: {out[:500]!r}\nstderr: {err[:1000]!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{shown}\nraised {result.exception!r}")
    assert result.exit_code in (0, 1), shown
    assert "Traceback" not in out and "Traceback" not in err, shown
    assert UNEXPECTED not in err, shown
    if result.exit_code == 1:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), shown
        assert out == "", shown
        assert store.stamp() == before, f"{shown}\nthe store changed although the command failed"
    else:
        PASSED[what] += 1
    return result.exit_code


# -- values --------------------------------------------------------------------------------------

def mostly(valid: st.SearchStrategy, *broken: st.SearchStrategy) -> st.SearchStrategy:
    """A valid value six times in seven, else a broken one: so that an input with several values
    often gets past its first checks to the later ones (the timeline, the store)."""
    return st.integers(0, 6).flatmap(lambda n: valid if n else st.one_of(*broken))


FILE_CHARS = st.characters(exclude_categories=["Cs"])  # what UTF-8 can encode
ARGV_TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")  # a real argv cannot carry NUL
SQLISH = ["x'; DROP TABLE stored_events; --", "Robert'); DROP TABLE stored_events;--", "' OR '1'='1", "%", "_",
          "\\", '"', "`id`", "$(rm -rf /)", "${HOME}", "../etc/passwd", "/etc/passwd", "C:\\Windows\\system32",
          "..", "~", "*", "NULL", "null", "None", "true", "[]", "{}", "<script>alert(1)</script>", "\u202eevil",
          "a\nb", "a\r\nb", "tab\there", "\u2028", "\x1b[31mred", "\ufeffbom"]
LONG = ["a" * 500, "a" * 501, "ж" * 300, "a-" * 100 + "a", "x" * 81, "y" * 10_001]
PEOPLE = ["omarov-aslanbek", "nurgeldin-faizulla", "quiet-person"]
NEW_KEY = st.from_regex(r"\A[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}\Z")
BAD_KEY = st.one_of(
    st.sampled_from([*SQLISH, *LONG, "Omarov-Aslanbek", "omarov aslanbek", " omarov-aslanbek", "omarov--aslanbek",
                     "-omarov", "omarov-", "омаров", "ömarov", "omarov_aslanbek", "", " ", "a" * 80, "١٢٣", "-",
                     "--", "-x"]),
    st.from_regex(r"\A[a-z0-9-]{1,12}\Z"),
    st.text(ARGV_TEXT, max_size=20),
)
KEYS = mostly(st.sampled_from(PEOPLE), NEW_KEY, BAD_KEY)  # someone registered, mostly
NEW_KEYS = mostly(st.one_of(NEW_KEY, st.sampled_from(PEOPLE)), BAD_KEY)  # for person add
VALID_DATES = st.builds(lambda day, precision, qualifier: day.isoformat()[:precision] + qualifier,
                        st.dates(date(1990, 1, 1), date(2025, 12, 31)), st.sampled_from([4, 7, 10, 10, 10]),
                        st.sampled_from(["", "", "~", "?"]))
DATES = mostly(
    VALID_DATES,
    st.sampled_from(["2022-13-01", "２０２２", "2022-01-01T00:00", "", " ", "9999", "2022~~", "2022-02-30", "0000",
                     "2022-1-9", "22-01-09", "2022/01/09", "2022-01-09Z", "-2022", "2022-00", "2099-01-01",
                     "NaN", "null", "2022\n01", "2022-01-09 ", "２０２２-０１-０９", "2022-W01", "2022-001",
                     "10000-01-01", "2022-01-32", "2022?~", "~2022", "2022-01-09T25:00"]),
    st.from_regex(r"\A[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[~?]?\Z"),
    st.text(ARGV_TEXT, max_size=16),
)
AMOUNTS = mostly(
    st.one_of(st.integers(1, 10 ** 12).map(str), st.sampled_from(["3500000", "6500.50", "3,500,000", "3 500 000"])),
    st.sampled_from(["1e9", "-5", "0", "NaN", "１０", "0x10", "Infinity", "1,5", "", "00", ".5", "5.", "+7", "1_000",
                     "-0", "1,000,00", "٣", "9" * 60, "0.0000000000000000000001", "1 000,50"]),
    st.integers(-(10 ** 30), 10 ** 30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(ARGV_TEXT, max_size=12),
)
CURRENCIES = mostly(
    st.sampled_from(sorted(CURRENCY_CODES)),
    st.sampled_from(["kzt", "KZ", "XXXX", "€", " usd ", "", "K Z T", "ＫＺＴ", "XXX", "kzt\n", "123"]),
    st.text(ARGV_TEXT, max_size=5),
)
TEXTS = mostly(st.one_of(st.sampled_from(["Aqtobe", "security forces", "a fact"]), st.text(ARGV_TEXT, min_size=1,
                                                                                          max_size=40)),
               st.sampled_from(SQLISH + LONG), st.text(ARGV_TEXT, max_size=40))
SOURCES = mostly(
    st.sampled_from(["fuzz-src", "fuzz-src", "https://example.org/new", "https://www.rferl.org/a/x"]),
    st.sampled_from(["nowhere", "https://", "http://[::1", "ftp:/x", "javascript:alert(1)", "http://a:b",
                     "HTTPS://EXAMPLE.ORG", "https://ex ample.org", "../etc/passwd", "", "Fuzz-Src", "fuzz-src "]),
    NEW_KEY, BAD_KEY,
)


def event_ids(store: Store) -> st.SearchStrategy[str]:
    known = store.ids
    return mostly(
        st.one_of(st.sampled_from(known), st.sampled_from(known).flatmap(lambda i: st.integers(4, 36).map(
            lambda n: i[:n])), st.sampled_from(known).map(str.upper)),
        st.sampled_from(known).flatmap(lambda i: st.integers(0, 3).map(lambda n: i[:n])),
        st.sampled_from(["zz", "123", "0000", "x" * 36, "123e4567-e89b-12d3-a456-42661417400g", "", "-", "ffff",
                         "'; DROP TABLE stored_events; --", "%", "____", "0" * 32, "{" + known[0] + "}"]),
        st.uuids().map(str),
        st.text(ARGV_TEXT, max_size=40),
    )


OPTIONAL = st.booleans()
FIELDS: dict[str, dict[str, st.SearchStrategy]] = {
    "detained": {"--place": TEXTS, "--by": TEXTS, "--facility": TEXTS},
    "placed_under_house_arrest": {"--by": TEXTS},
    "released": {"--grounds": TEXTS},
    "charged": {"--charge": TEXTS, "--article": TEXTS},
    "charges_dropped": {"--reason": TEXTS},
    "sentenced": {"--court": TEXTS, "--kind": mostly(st.sampled_from([k.value for k in SentenceKind]), TEXTS),
                  "--term-months": mostly(st.integers(0, 1200).map(str), st.integers(-5, 2000).map(str),
                                          st.sampled_from(["１２", "1e2", "12.5", "", " 12", "99999999999999999999"])),
                  "--charges": TEXTS},
    "acquitted": {"--court": TEXTS},
    "appealed": {"--court": TEXTS, "--by": mostly(st.sampled_from(["defence", "prosecution"]), st.sampled_from(["x", ""])),
                 "--claim": AMOUNTS, "--currency": CURRENCIES},
    "appeal_decided": {"--court": TEXTS, "--outcome": mostly(st.sampled_from([o.value for o in Outcome]), TEXTS)},
    "designated": {"--designation": mostly(st.sampled_from(["accidental_victim", "terrorist", "Victim",
                                                            "accidental victim"]),
                                           st.sampled_from(["a" * 61, "ǅ", "İ", "a-b", "_x"]), TEXTS),
                   "--by": TEXTS},
    "died": {"--cause": TEXTS, "--place": TEXTS},
    "compensated": {"--amount": AMOUNTS, "--currency": CURRENCIES, "--claimed": AMOUNTS, "--payer": TEXTS,
                    "--recipient": mostly(st.sampled_from(["person", "family"]), st.sampled_from(["PERSON", "x"]))},
    "allegation": {"--kind": mostly(st.sampled_from(["torture", "ill_treatment"]), TEXTS), "--by": TEXTS,
                   "--against": TEXTS},
    "noted": {"--text": TEXTS},
}
TYPES = mostly(st.sampled_from(list(FACT_TYPES)),
               st.sampled_from(["arrested", "registered", "retracted", "", "DETAINED", "detained ", "--help"]))


# -- (b) the command line --------------------------------------------------------------------------

@st.composite
def record_command(draw, store: Store) -> list[str]:
    type_name = draw(TYPES)
    args = ["record", draw(KEYS), type_name]
    if draw(st.integers(0, 9)):
        args += ["--on", draw(DATES)]
    if draw(st.integers(0, 9)):
        args += ["--source", draw(SOURCES)]
    for option, values in FIELDS.get(type_name, {}).items():
        if draw(OPTIONAL) or option in ("--text", "--amount", "--currency", "--designation", "--outcome"):
            args += [option, draw(values)]
    if draw(OPTIONAL):
        args += ["--note", draw(TEXTS)]
    if draw(st.integers(0, 9)) == 0:
        args += [draw(st.sampled_from(["--group", "--json", "--bogus", "--on"]))]
    return args


@st.composite
def person_command(draw, store: Store) -> list[str]:
    args = ["person", "add", draw(NEW_KEYS), "--name", draw(TEXTS)]
    for _ in range(draw(st.integers(0, 2))):
        args += ["--alias", draw(TEXTS)]
    if draw(OPTIONAL):
        args += ["--born", draw(st.one_of(st.integers(1800, 2100).map(str),
                                          st.sampled_from(["９", "1e3", "-1", "", "99999999999999999999", "1985.0"])))]
    if draw(OPTIONAL):
        args += ["--place", draw(TEXTS)]
    if draw(OPTIONAL):
        args += ["--note", draw(TEXTS)]
    return args


@st.composite
def retract_command(draw, store: Store) -> list[str]:
    args = ["retract", draw(KEYS), draw(event_ids(store))]
    if draw(st.integers(0, 9)):
        args += ["--reason", draw(TEXTS)]
    if draw(OPTIONAL):
        args += ["--source", draw(SOURCES)]
    return args


KNOWN_AT = st.one_of(DATES, st.sampled_from(["2022-01-01T00:00", "2022-01-01T25:00", "9999-12-31T23:59:59+14:00",
                                             "2022-01-01T00:00:00+99:00", "now", "0001-01-01", "2024-09-01T12:00Z"]))


@st.composite
def show_command(draw, store: Store) -> list[str]:
    args = ["show", draw(KEYS)]
    if draw(OPTIONAL):
        args += ["--as-of", draw(st.one_of(DATES, st.dates().map(str)))]
    if draw(OPTIONAL):
        args += ["--known-at", draw(KNOWN_AT)]
    if draw(OPTIONAL):
        args += ["--json"]
    return args


COMMANDS = {"record": record_command, "person add": person_command, "retract": retract_command, "show": show_command}


@SETTINGS
@given(data=st.data())
def test_commands_with_fuzzed_arguments_fail_in_one_line_and_store_nothing(store, data):
    what = data.draw(st.sampled_from(list(COMMANDS)), label="command")
    args = data.draw(COMMANDS[what](store), label="args")
    before = store.stamp()

    check(store, store.cli(args, ok=False), before, f"cli {what}")


# -- (a) import files ------------------------------------------------------------------------------

def loose(values: st.SearchStrategy) -> st.SearchStrategy:
    """Values as a JSON or YAML file may hold them: mostly text, sometimes another type."""
    return mostly(values, st.integers(-(10 ** 20), 10 ** 20), st.floats(), st.booleans(), st.none(),
                  st.lists(TEXTS, max_size=2), st.dictionaries(TEXTS, TEXTS, max_size=1))


FILE_TEXT = st.one_of(TEXTS, st.text(FILE_CHARS, max_size=20))  # a file may hold NUL
FIELD_VALUES = {"place": FILE_TEXT, "by": FILE_TEXT, "facility": FILE_TEXT, "grounds": FILE_TEXT,
                "charge": FILE_TEXT, "article": FILE_TEXT, "reason": FILE_TEXT, "court": FILE_TEXT,
                "kind": st.one_of(st.sampled_from(["prison", "torture"]), FILE_TEXT),
                "term_months": st.one_of(st.integers(-5, 2000), AMOUNTS), "charges": st.lists(FILE_TEXT, max_size=2),
                "claim": AMOUNTS, "currency": CURRENCIES, "outcome": st.sampled_from([o.value for o in Outcome]),
                "designation": st.sampled_from(["accidental_victim", "terrorist", "Victim", "a b"]),
                "cause": FILE_TEXT, "amount": AMOUNTS, "claimed": AMOUNTS, "payer": FILE_TEXT,
                "recipient": st.sampled_from(["person", "family", "x"]), "against": FILE_TEXT, "text": FILE_TEXT}
RECORDED_AT = st.sampled_from(["2024-09-01T12:00:00+00:00", "2024-09-01", "2999-01-01T00:00", "yesterday", "",
                               "2024-13-01T00:00", "2024-09-01T12:00:00.123456Z"])


@st.composite
def source_record(draw) -> dict:
    data = {"record": "source", "key": draw(loose(st.one_of(st.just("fuzz-src"), KEYS)))}
    for name, values in (("url", SOURCES), ("outlet", FILE_TEXT), ("title", FILE_TEXT),
                         ("published", st.one_of(st.dates().map(str), DATES)), ("note", FILE_TEXT)):
        if draw(OPTIONAL):
            data[name] = draw(loose(values))
    return data


@st.composite
def person_record(draw) -> dict:
    data = {"record": "person", "key": draw(loose(NEW_KEYS)), "name": draw(loose(FILE_TEXT))}
    if draw(OPTIONAL):
        data["aliases"] = draw(loose(st.lists(FILE_TEXT, max_size=3)))
    for name, values in (("born", st.integers(1800, 2200)), ("place", FILE_TEXT), ("recorded_at", RECORDED_AT)):
        if draw(OPTIONAL):
            data[name] = draw(loose(values))
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.sampled_from(["colour", "id", "type", ""]))] = draw(FILE_TEXT)
    return data


@st.composite
def event_record(draw, store: Store) -> dict:
    type_name = draw(st.one_of(TYPES, st.just("retracted")))
    data: dict = {"record": "event", "type": draw(loose(st.just(type_name)))}
    if draw(st.integers(0, 4)):
        data["person"] = draw(loose(KEYS))
    else:
        data["persons"] = draw(loose(st.lists(KEYS, max_size=3)))
    if type_name == "retracted":
        data.update(event_id=draw(loose(event_ids(store))), reason=draw(loose(FILE_TEXT)))
    else:
        if draw(st.integers(0, 9)):
            data["on"] = draw(loose(DATES))
        if draw(st.integers(0, 9)):
            data["source"] = draw(loose(SOURCES))
        for option in FIELDS.get(type_name, {}):
            name = option[2:].replace("-", "_")
            if draw(OPTIONAL) or name in ("text", "amount", "currency", "designation", "outcome"):
                data[name] = draw(loose(FIELD_VALUES.get(name, FILE_TEXT)))
    for name, values in (("note", FILE_TEXT), ("id", event_ids(store)), ("recorded_at", RECORDED_AT),
                         ("group", FILE_TEXT)):
        if draw(st.integers(0, 3)) == 0:
            data[name] = draw(loose(values))
    return data


# Each is wrong whatever else the file holds, so a file with one of them must be refused whole.
SURELY_BROKEN = [
    {"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "2022-13-01", "text": "t",
     "source": "fuzz-src"},
    {"record": "event", "person": "omarov-aslanbek", "type": "compensated", "on": "2024", "amount": "NaN",
     "currency": "KZT", "source": "fuzz-src"},
    {"record": "event", "person": "omarov-aslanbek", "type": "compensated", "on": "2024", "amount": "10",
     "currency": "XXXX", "source": "fuzz-src"},
    {"record": "person", "key": "x'; DROP TABLE stored_events; --", "name": "Robert"},
    {"record": "person", "key": "../etc/passwd", "name": "Path"},
    {"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "2022", "text": "t",
     "source": "fuzz-src", "id": "zz"},
    {"record": "event", "person": "omarov-aslanbek", "type": "arrested", "on": "2022", "source": "fuzz-src"},
    {"record": "event", "person": "omarov-aslanbek", "type": "noted", "text": "no date", "source": "fuzz-src"},
    {"record": "event", "person": "fuzz-nobody-at-all", "type": "noted", "on": "2022", "text": "t",
     "source": "fuzz-src"},
    {"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "2022", "text": "t",
     "source": "fuzz-no-such-source"},
    {"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "２０２２", "text": "t",
     "source": "fuzz-src"},
    {"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "2022", "text": "t",
     "source": "fuzz-src", "recorded_at": "2999-01-01T00:00"},
    {"record": "event", "person": "omarov-aslanbek", "type": "retracted", "event_id": "123", "reason": "r"},
    {"record": "event", "person": "nurgeldin-faizulla", "type": "detained", "on": "2022-05", "source": "fuzz-src"},
    {"record": "source", "key": "fuzz-src", "url": "https://example.org/other"},
    {"record": "kitten", "key": "x"},
]
MALFORMED = {
    "jsonl": [b"{", b'{"record": "person"', b"[1, 2]\n", b"null\n", b'"text"\n', b"\xff\xfe\n", b"{}\n",
              b'{"record": "person", "key": 1e999}\n', b'{"a": NaN}\n'],
    "json": [b"", b"{", b"[1, 2", b'{"persons": 5}', b'{"events": {"a": 1}}', b'{"kittens": []}', b"42",
             b'"text"', b"\xef\xbb\xbf{}", b'[{"record": "person"}, 7]', b"\xff"],
    "yaml": [b"", b"{", b"- a\n  b: [", b"sources: 5", b"persons: [1]", b"events: {a: 1}", b"foo: []", b"---\n...\n",
             b"!!python/object/apply:os.system ['true']", b"&a [*a]", b"\t- x", b"persons:\n- key: a\n key: b",
             b"%YAML 9.9\n---\n[]", b"\xff\xfe\x00"],
    "csv": [b"", b"record\n", b"key,name\nx,y\n", b"record,key\nperson\n", b"record,key\nperson,a,b,c\n",
            b'record,key\n"person,a\n', b"record,key,name\nperson,a-b,\xff\n", b"\xef\xbb\xbfrecord,key,name\nperson,a-c,A\n",
            b"record,key,name\nperson,a-d,a\x00b\n", b"record,record\nperson,person\n"],
}


def render(records: list[dict], fmt: str) -> bytes:
    if fmt == "jsonl":
        return "".join(json.dumps(r, default=str, ensure_ascii=False) + "\n" for r in records).encode()
    if fmt == "json":
        return json.dumps(records, default=str, allow_nan=True).encode()
    if fmt == "yaml":
        sections: dict[str, list] = {"sources": [], "persons": [], "events": []}
        extra = []
        for r in records:
            section = {"source": "sources", "person": "persons", "event": "events"}.get(r.get("record"))
            if section:
                sections[section].append({k: v for k, v in r.items() if k != "record"})
            else:
                extra.append(r)
        if extra:  # a record of no known kind: the file becomes a list of records, as JSON allows
            return yaml.safe_dump(records, allow_unicode=True).encode()
        return yaml.safe_dump(sections, allow_unicode=True, sort_keys=False).encode()
    out = io.StringIO()
    columns = list(dict.fromkeys([*csv_columns(), *(str(k) for r in records for k in r)]))
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for r in records:
        writer.writerow({str(k): " | ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))
                         for k, v in r.items()})
    return out.getvalue().encode()


@st.composite
def damaged(draw, content: bytes) -> bytes:
    """The file's bytes cut short, with garbage put in, or a line doubled."""
    how = draw(st.sampled_from(["cut", "insert", "double"]))
    at = draw(st.integers(0, len(content)))
    if how == "cut":
        return content[:at]
    if how == "insert":
        return content[:at] + draw(st.one_of(st.binary(max_size=8), st.sampled_from(
            [b"\xff", b"\x00", b'"', b"\n", b",", b"{", b"- ", b": ", b"\xef\xbb\xbf", b"\\"]))) + content[at:]
    lines = content.splitlines(keepends=True)
    if not lines:
        return content
    n = draw(st.integers(0, len(lines) - 1))
    return b"".join(lines[: n + 1] + lines[n:])


@SETTINGS
@given(data=st.data())
def test_import_files_with_broken_records_are_refused_whole_in_one_line(store, tmp_path, data):
    fmt = data.draw(st.sampled_from(["yaml", "json", "jsonl", "csv"]), label="format")
    records = data.draw(st.lists(st.one_of(source_record(), person_record(), event_record(store)), max_size=6),
                        label="records")
    broken = data.draw(st.sampled_from(SURELY_BROKEN), label="surely broken")
    records.insert(data.draw(st.integers(0, len(records)), label="at"), broken)
    content = render(records, fmt)
    how = data.draw(st.sampled_from(["as written", "as written", "damaged", "malformed"]), label="how")
    if how == "damaged":
        content = data.draw(damaged(content), label="damaged")
    elif how == "malformed":
        content = data.draw(st.sampled_from(MALFORMED[fmt]), label="malformed")
    path = tmp_path / f"fuzz.{fmt}"
    path.write_bytes(content)
    before = store.stamp()

    code = check(store, store.cli(["import", str(path)], ok=False), before, f"import {fmt} {how}")

    if how == "as written":
        assert code == 1, f"a file with {broken} was imported:\n{content[:2000]!r}"


# -- what the fuzzing found, kept as plain examples ---------------------------------------------------

@pytest.mark.parametrize("args", [
    # a fact refused (bad date, impossible timeline, unknown event) used to register the new URL it cited
    ["record", "omarov-aslanbek", "noted", "--on", "2022-13-01", "--text", "t", "--source", "https://example.org/n"],
    ["record", "omarov-aslanbek", "released", "--on", "2022-11", "--source", "https://example.org/n"],
    ["retract", "omarov-aslanbek", "e9277470-02ac-484", "--reason", "r", "--source", "https://example.org/n"],
    # a bracketed host that is not an IPv6 address was an unexpected ValueError
    ["record", "omarov-aslanbek", "noted", "--on", "2022", "--text", "t", "--source", "http://[::1"],
])
def test_what_the_fuzzing_found_in_the_command_line(store, args):
    before = store.stamp()

    assert check(store, store.cli(args, ok=False), before, "found cli") == 1


@pytest.mark.parametrize("name, content", [
    # not UTF-8 was an unexpected UnicodeDecodeError
    ("bad.csv", b"record,key,name\nperson,x-y,\xff\xfe\n"),
    # a source URL that cannot be registered ended the import with no file or line, and --dry-run with it
    ("url.jsonl", b'{"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "2022", "text": "t", '
                  b'"source": "https://ex ample.org"}\n'),
])
def test_what_the_fuzzing_found_in_import_files(store, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    before = store.stamp()

    result = store.cli(["import", str(path)], ok=False)

    assert check(store, result, before, "found import") == 1
    assert result.stderr.startswith(f"Error: {path}")


def test_the_fuzzing_tried_enough_inputs():
    """Runs after the fuzz tests (pytest keeps a module's order): they really ran."""
    assert sum(n for what, n in TRIED.items() if what.startswith("cli ")) >= 100, TRIED
    assert sum(n for what, n in TRIED.items() if what.startswith("import ")) >= 100, TRIED
