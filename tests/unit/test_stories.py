"""Three real stories from Aqtobe, told through the Person aggregate (no database), and what `show` would answer.

Source: RFE/RL, "Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest In January 2022"
(rferl.org/a/32573146), with the dates the project's issue gives for it: sentencing in February 2023, the
compensation ruling on 31 August 2024 (the photo caption says "outside the court in Aqtobe on August 31"),
published 2024-09-01. (The article id suggests September 2023 instead; see docs/DATASET.md.)

What the article does not say is not invented: dates it does not give are written with '?' and a note, and the
sentence whose kind and term it does not report is recorded without them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from casetrail.domain.fold import Money
from casetrail.domain.person import Person

from .builders import TODAY

SOURCE = "rferl-omarov"
GROUP = "aqtobe-court-2023-02"


def record(person: Person, type_name: str, on: str, **fields):
    return person.record(type_name, TODAY, on=on, source=SOURCE, **fields)


# -- Aslanbek Omarov -------------------------------------------------------------------------------------------

def omarov() -> tuple[Person, dict]:
    person = Person.register("omarov-aslanbek", "Aslanbek Omarov", place="Aqtobe")
    facts = {
        "detained": record(person, "detained", "2022-01-09", place="Aqtobe", by="security forces",
                           note="detained during the January 2022 unrest"),
        "charged": record(person, "charged", "2022-01", charge="organizing mass disorder",
                          note="date of the charge not reported; officials later found no evidence"),
        "torture": record(person, "allegation", "2022", kind="torture", by="Aslanbek Omarov",
                          against="pretrial detention staff",
                          note="he says he was tortured in pretrial detention (January to about May 2022)"),
        "house_arrest": record(person, "placed_under_house_arrest", "2022-05~",
                               note="after about four months in pretrial detention"),
        "released": record(person, "released", "2022-10~", note="after about five months of house arrest"),
        "sentence": record(person, "sentenced", "2023-02", court="Aqtobe court", group=GROUP,
                           note="sentenced with 15 others; the report gives neither the kind nor the term"),
        "appealed": record(person, "appealed", "2024?", by="defence", claim="40 000 000", currency="KZT",
                           note="appeal date not reported; it precedes the ruling of 31 August 2024"),
        "ruling": record(person, "appeal_decided", "2024-08-31", court="Aqtobe court", outcome="partly_granted"),
        "compensated": record(person, "compensated", "2024-08-31", amount="3 500 000", currency="KZT",
                              claimed="40 000 000", payer="the state", recipient="person",
                              note="for moral and material damage; he will not appeal further"),
    }
    return person, facts


def test_omarov_every_fact_is_accepted_and_the_story_folds_without_conflict():
    person, facts = omarov()

    folded = person.fold(date(2025, 1, 1))

    assert folded.conflicts == ()
    assert len(person.history) == len(facts) == 9
    # Story order: the charge dated "2022-01" after the detention of 9 January it follows, the
    # allegation dated "2022" after the release (its rank), the appeal "2024?" after the sentence.
    assert [e.type for e in folded.events] == [
        "detained", "charged", "placed_under_house_arrest", "released", "allegation", "sentenced",
        "appealed", "appeal_decided", "compensated"]


def test_omarov_in_pretrial_detention_early_in_march_2022():
    person, _ = omarov()

    folded = person.fold(date(2022, 3, 1))

    state = folded.state
    assert (state.custody, state.legal, state.headline) == ("detained", "accused", "detained")
    assert folded.days_in_custody == 51
    # The allegation, dated only "2022", is told after the release of October 2022: not yet.
    assert [a.kind for a in state.allegations] == []
    assert not folded.uncertain  # the charge "2022-01" is told after the detention and before May


def test_omarov_under_house_arrest_in_july_2022():
    person, _ = omarov()

    folded = person.fold(date(2022, 7, 1))

    assert folded.state.headline == "house_arrest"
    assert [(p.kind, p.start, p.end) for p in folded.state.periods] == [
        ("detained", date(2022, 1, 9), date(2022, 5, 1)),
        ("house_arrest", date(2022, 5, 1), None),
    ]
    assert folded.days_in_custody == 173


def test_omarov_after_the_ruling_of_31_august_2024():
    person, facts = omarov()

    folded = person.fold(date(2024, 9, 1))

    state = folded.state
    assert (state.custody, state.headline, state.vital) == ("free", "released", "alive")
    assert state.legal == "convicted"  # a sentence of unreported kind convicts but does not imprison
    assert state.appeal_pending is False
    assert state.money() == {"KZT": Money(awarded=Decimal("3500000"), claimed=Decimal("40000000"))}
    assert folded.days_in_custody == (date(2022, 10, 1) - date(2022, 1, 9)).days == 265
    # The appeal is dated only "2024?", but it is told before the ruling of 31 August it led to,
    # so by 1 September it has surely happened: nothing is uncertain.
    assert not folded.uncertain
    assert not person.fold(date(2025, 1, 1)).uncertain
    assert facts["sentence"].group == GROUP


def test_omarov_before_the_ruling_the_appeal_is_pending_and_nothing_is_awarded():
    person, _ = omarov()

    folded = person.fold(date(2024, 8, 30))

    assert folded.state.appeal_pending is True
    assert folded.state.money() == {}
    assert folded.uncertain  # the appeal is dated only "2024?"


def test_omarov_as_our_records_stood_before_the_ruling_was_recorded():
    person, facts = omarov()

    folded = person.fold(date(2025, 1, 1), known_at=facts["appealed"].timestamp)

    assert folded.state.appeal_pending is True
    assert folded.state.money() == {}


# -- Ruslanbek Zhubanazarov ------------------------------------------------------------------------------------

def zhubanazarov() -> tuple[Person, dict]:
    person = Person.register("zhubanazarov-ruslanbek", "Ruslanbek Zhubanazarov", place="Aqtobe")
    facts = {
        "died": record(person, "died", "2022-01", cause="shot", place="Aqtobe",
                       note="one of two people killed in Aqtobe in the January events"),
        "terrorist": record(person, "designated", "2022-01", designation="terrorist", by="authorities"),
        "victim": record(person, "designated", "2023?", designation="accidental_victim", by="court",
                         note="date not reported; the report says he was later adjudicated so"),
        "compensated": record(person, "compensated", "2023?", amount="7 000 000", currency="KZT",
                              payer="People of Kazakhstan fund", recipient="family",
                              note="date not reported"),
    }
    return person, facts


def test_zhubanazarov_was_called_a_terrorist_in_january_2022():
    person, _ = zhubanazarov()

    folded = person.fold(date(2022, 1, 31))

    assert folded.state.headline == "deceased"
    assert folded.state.designation == "terrorist"
    assert folded.state.money() == {}
    assert not folded.uncertain


def test_zhubanazarov_was_later_reclassified_as_an_accidental_victim_and_his_family_compensated():
    person, facts = zhubanazarov()

    folded = person.fold(date(2024, 1, 1))

    assert folded.conflicts == ()
    assert folded.state.designation == "accidental_victim"
    steps = {step.event.id: step for step in folded.steps}
    assert steps[facts["victim"].id].reclassified_from == "terrorist"
    assert steps[facts["terrorist"].id].reclassified_from is None
    assert folded.state.money() == {"KZT": Money(awarded=Decimal("7000000"), claimed=Decimal("0"))}
    assert facts["compensated"].recipient.value == "family"
    assert (folded.state.vital, folded.state.custody, folded.days_in_custody) == ("deceased", "deceased", 0)
    assert folded.state.ever_detained is False


def test_zhubanazarov_reclassification_is_uncertain_during_2023():
    person, _ = zhubanazarov()

    folded = person.fold(date(2023, 6, 1))

    assert folded.state.designation == "accidental_victim"
    assert folded.uncertain


# -- Faizulla Nurgeldin ----------------------------------------------------------------------------------------

def nurgeldin() -> tuple[Person, dict]:
    person = Person.register("nurgeldin-faizulla", "Faizulla Nurgeldin", place="Aqtobe")
    facts = {
        "shot": record(person, "noted", "2022-01", text="fatally shot in Aqtobe during the January events"),
        "victim": record(person, "designated", "2022-01", designation="accidental_victim", by="authorities"),
        "died": record(person, "died", "2022-03~", cause="gunshot wounds",
                       note="two months after he was shot; then listed as a fatality"),
    }
    return person, facts


def test_nurgeldin_was_an_accidental_victim_alive_in_february_2022():
    person, _ = nurgeldin()

    folded = person.fold(date(2022, 2, 15))

    state = folded.state
    assert (state.designation, state.vital, state.headline) == ("accidental_victim", "alive", "at_large")
    assert not folded.uncertain


def test_nurgeldin_died_two_months_later_and_keeps_the_designation():
    person, facts = nurgeldin()

    in_march = person.fold(date(2022, 3, 10))
    in_april = person.fold(date(2022, 4, 1))

    assert in_march.state.vital == "deceased" and in_march.uncertain  # "2022-03~" may be later in March
    assert (in_april.state.vital, in_april.state.headline) == ("deceased", "deceased")
    assert in_april.state.designation == "accidental_victim"
    assert in_april.state.died is facts["died"]
    assert not in_april.uncertain


def test_nurgeldin_before_his_death_was_recorded_our_records_said_alive():
    person, facts = nurgeldin()

    folded = person.fold(date(2022, 4, 1), known_at=facts["victim"].timestamp)

    assert folded.state.vital == "alive"
