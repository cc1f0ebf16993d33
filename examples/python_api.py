"""The Python API in one short story: Aslanbek Omarov's case, from the RFE/RL report
that examples/january2022.yaml and docs/DATASET.md cite.

    python examples/python_api.py [STORE]

STORE is a store URL (a file path, sqlite:////absolute/path.db or
postgresql://user@host:5432/db); the default is a new SQLite file in a temporary
folder. Needs casetrail installed (pip install .). Prints the person's status at
two valid dates and as recorded before a retraction, then the read models' lists.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from casetrail.store.application import Casetrail
from casetrail.domain.rules import load_rules
from casetrail.projections.times import At
from casetrail.projections.views import Views

KEY, SOURCE = "omarov-aslanbek", "rferl-omarov"
url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(tempfile.mkdtemp()) / 'cases.db'}"
print("store:", url)

app = Casetrail(url, recorded_by="example")
app.add_source(SOURCE, url="https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html",
               outlet="RFE/RL", published=date(2024, 9, 1),
               title="Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest In January 2022")
person = app.add_person(KEY, "Aslanbek Omarov", aliases=["Асланбек Омаров"], place="Aqtobe")

# One fact at a time: the command checks the timeline and returns the stored event.
app.record(KEY, "detained", on="2022-01-09", place="Aqtobe", by="security forces", source=SOURCE)
# Several facts in one save, all or none; only their dates order them.
app.record_many(KEY, [
    ("charged", {"on": "2022-01", "charge": "organizing mass disorder", "source": SOURCE}),
    ("placed_under_house_arrest", {"on": "2022-05~", "source": SOURCE, "note": "after four months"}),
    ("released", {"on": "2022-10~", "grounds": "end of house arrest", "source": SOURCE}),
    ("compensated", {"on": "2024-08-31", "amount": "3500000", "currency": "KZT", "claimed": "40000000",
                     "payer": "the state", "source": SOURCE}),
])
# A wrong fact, then taken back: it no longer counts, but the past record still shows it.
wrong = app.record(KEY, "designated", on="2022-01~", designation="terrorist", source=SOURCE)
app.retract(KEY, str(wrong.id), "the report says this of Ruslanbek Zhubanazarov, not of Omarov")


def show(label: str, folded) -> None:
    state = folded.state
    print(f"{label}: headline={state.headline} custody={state.custody} designation={state.designation or '-'} "
          f"days_in_custody={folded.days_in_custody}{' (uncertain)' if folded.uncertain else ''}")


show("as of 2022-02-01", app.fold(KEY, as_of=date(2022, 2, 1)))
show("as of 2022-07-01", app.fold(KEY, as_of=date(2022, 7, 1)))
show("as of 2022-07-01, known at the wrong fact",
     app.fold(KEY, as_of=date(2022, 7, 1), known_at=wrong.recorded_at))
show("as of 2022-05-15", app.fold(KEY, as_of=date(2022, 5, 15)))

# The read models: the lists across everyone, from SQL tables kept in the same store.
views = Views(app, load_rules(None))  # None: the default lists (domain/lists.toml)
views.catch_up()
for label, at in [("2022-02-01", At(date(2022, 2, 1))), ("2024-09-01", At(date(2024, 9, 1))),
                  ("2022-02-01, known at registration", At(date(2022, 2, 1), person.registered_at))]:
    counts = " ".join(f"{name}={n}" for name, n in views.counts(at).items())
    print(f"lists as of {label}: {counts}")
members = views.members("detained", At(date(2022, 2, 1)))
print("detained as of 2022-02-01:", ", ".join(f"{m['name']} since {m['since']}" for m in members))
views.close()
app.close()
