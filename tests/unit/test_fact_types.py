"""One registry per event type: all that is particular to a type is declared on its class, once.

A test-only type, defined in a fixture, shows that adding a type is adding a class: it
is registered, the record command offers it with its help, the picture colours it by its
category, and the fold orders, steps and refuses it by its own declarations.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import pytest
import typer
from typer.testing import CliRunner

from casetrail.cli import record
from casetrail.domain.events import FACT_TYPES, Fact
from casetrail.domain.fold import fold
from casetrail.domain.state import State, with_
from casetrail.domain.text import Text
from casetrail.rendering import picture

from .builders import Stream

# The story order of the fold before the registry (fold.STORY_RANK): it must not move. Issue 13's types
# sit between the older ones (ranks between the tens); named_in_case comes right after the charge (issue 12
# item 7: an accused is named before the verdict of the same month).
STORY_ORDER = ["detained", "administrative_arrest", "taken_into_custody", "charged", "named_in_case",
               "placed_under_house_arrest", "charges_dropped", "acquitted", "sentenced", "sentence_modified", "released",
               "disappeared", "found", "allegation", "injured", "noted", "confirmed", "appealed", "died", "body_found",
               "exhumed", "appeal_decided", "remanded", "amnesty", "designated", "rehabilitated", "compensated"]
DECLARATIONS = ("rank", "summary", "example", "field_help", "category", "after_death", "before_birth")


@pytest.fixture
def interrogated():
    """A type that exists only in this test: questioned by investigators, after which a person is "questioned"."""

    class Interrogated(Fact):
        type: ClassVar[str] = "interrogated"
        rank: ClassVar[int] = 99
        summary: ClassVar[str] = "Questioned by investigators; refused while held incommunicado."
        example: ClassVar[str] = '--on 2022-01-10 --by "KNB" --source rferl-omarov'
        field_help: ClassVar[dict[str, str]] = {"by": "Who questioned."}
        category: ClassVar[str] = "court"
        by: Text | None = None

        def step(self, state: State) -> State:
            return with_(state, legal="questioned")

        def own_refusal(self, state: State) -> str | None:
            return "held incommunicado" if state.custody == "house_arrest" else None

    yield Interrogated
    del FACT_TYPES["interrogated"]


def test_every_registered_type_declares_all_that_is_particular_to_it():
    for cls in FACT_TYPES.values():
        own = set(cls.model_fields) - set(Fact.model_fields)

        assert all(name in vars(cls) or name in ("field_help", "after_death", "before_birth")
                   for name in DECLARATIONS), cls
        assert cls.summary.endswith(".") and "--on " in cls.example and "--source " in cls.example, cls
        assert set(cls.field_help) <= own, cls
        assert cls.category in picture.CATEGORY_COLOURS, cls
        assert not set(DECLARATIONS) & set(cls.model_fields), cls  # class variables, never stored


def test_the_types_keep_their_story_order_and_their_place_in_the_registry():
    by_rank = sorted(FACT_TYPES.values(), key=lambda cls: cls.rank)

    assert [cls.type for cls in by_rank] == STORY_ORDER
    assert len({cls.rank for cls in by_rank}) == len(by_rank)
    assert list(FACT_TYPES)[:3] == ["detained", "placed_under_house_arrest", "released"]


def test_what_may_follow_a_death_or_precede_a_birth_is_declared_on_the_types():
    # Proceedings go on after a death (posthumous), and relatives appeal, allege and are compensated.
    assert {t for t, cls in FACT_TYPES.items() if cls.after_death} == {
        "designated", "compensated", "appeal_decided", "acquitted", "noted", "named_in_case", "charged",
        "charges_dropped", "sentenced", "appealed", "allegation", "remanded", "rehabilitated", "body_found", "exhumed"}
    assert {t for t, cls in FACT_TYPES.items() if cls.before_birth} == {"noted"}


def test_a_type_that_leaves_out_a_declaration_is_refused_when_it_is_defined():
    with pytest.raises(TypeError, match="Unfinished must declare summary, example, category"):
        class Unfinished(Fact):
            type: ClassVar[str] = "unfinished"
            rank: ClassVar[int] = 98

    assert "unfinished" not in FACT_TYPES


def test_a_type_that_takes_another_types_rank_is_refused_when_it_is_defined():
    with pytest.raises(TypeError, match="share the rank 0"):
        class Arrested(Fact):
            type: ClassVar[str] = "arrested"
            rank: ClassVar[int] = 0
            summary: ClassVar[str] = "Arrested."
            example: ClassVar[str] = "--on 2022 --source s"
            category: ClassVar[str] = "custody change"

    assert "arrested" not in FACT_TYPES


def test_a_new_type_is_registered_and_offered_by_record_with_its_own_help(interrogated):
    group = typer.Typer(cls=record.RecordGroup)
    group.callback()(record.record)
    record.add_commands(group)

    shown = CliRunner().invoke(group, ["omarov-aslanbek", "interrogated", "--help"], env={"COLUMNS": "200"})

    assert FACT_TYPES["interrogated"] is interrogated
    assert shown.exit_code == 0, shown.output
    assert "Questioned by investigators; refused while held incommunicado." in shown.output
    assert 'casetrail record omarov-aslanbek interrogated --on 2022-01-10 --by "KNB"' in shown.output
    assert "Who questioned." in shown.output


def test_a_new_type_is_drawn_in_its_categorys_colour_and_named_in_the_legend(interrogated):
    assert picture.categories()["court"] == picture.CATEGORY_COLOURS["court"]
    assert list(picture.categories()) == ["custody change", "court", "designation", "death", "compensation",
                                          "allegation", "note", "case", "harm"]


def test_a_new_type_is_ordered_stepped_and_refused_by_its_own_declarations(interrogated):
    stream = Stream()
    stream.add("interrogated", "2022-01-09")  # recorded first, told after the detention of the same day (rank 99)
    stream.add("detained", "2022-01-09")
    stream.add("placed_under_house_arrest", "2022-02-01")
    stream.add("interrogated", "2022-02-10")

    folded = fold(stream.events, date(2022, 3, 1))

    assert [step.event.type for step in folded.steps] == ["detained", "interrogated", "placed_under_house_arrest"]
    assert folded.steps[1].state.legal == "questioned"
    assert [(c.event.type, c.message) for c in folded.conflicts] == [("interrogated", "held incommunicado")]
