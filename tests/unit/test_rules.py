"""List rules in TOML: the defaults, organisations' own files, and clear errors for bad ones."""

from __future__ import annotations

import pytest

from casetrail.domain.errors import BadInput
from casetrail.domain.facets import FACETS, INITIAL, facet_values
from casetrail.domain.rules import load_rules, parse_rules
from casetrail.domain.fold import State


def values(**facets: str) -> tuple[str, ...]:
    state = State()
    base = dict(zip(FACETS, facet_values(state)))
    base.update(facets)
    return tuple(base.values())


def test_the_default_lists_are_the_official_lists_of_2022():
    rules = load_rules()

    assert rules.names == ("detained", "in_custody", "convicted", "fatalities", "accidental_victims", "compensated",
                           "died_in_custody", "posthumously_prosecuted", "torture_alleged", "non_custodial_sentence")
    assert rules.get("fatalities").matches(values(vital="deceased", headline="deceased"))
    assert rules.get("accidental_victims").matches(values(designation="accidental_victim"))
    assert not rules.get("accidental_victims").matches(values(designation="accidental_victim", vital="deceased"))
    assert rules.get("detained").matches(values(custody="free", ever_detained="yes"))
    assert rules.get("detained").matches(values(custody="deceased", ever_detained="yes"))
    assert not rules.get("in_custody").matches(values(custody="deceased", ever_detained="yes"))
    assert rules.get("torture_alleged").matches(values(allegation="torture"))
    assert rules.get("non_custodial_sentence").matches(values(legal="convicted", sentence="probation"))
    assert not rules.get("non_custodial_sentence").matches(values(legal="convicted", sentence="prison"))
    assert not rules.get("detained").matches(INITIAL)
    assert rules.get("compensated").matches(values(compensation="7,000,000 KZT"))


def test_an_organisation_can_use_its_own_file_through_the_environment(tmp_path, monkeypatch):
    own = tmp_path / "ours.toml"
    own.write_text('[lists.torture_cases]\ntitle = "Alleged torture, still held"\n'
                   'any = [{ facet = "custody", in = ["detained", "imprisoned"] }]\n')
    monkeypatch.setenv("CASETRAIL_LISTS", str(own))

    rules = load_rules()

    assert rules.names == ("torture_cases",)
    assert rules.get("torture_cases").title == "Alleged torture, still held"
    assert rules.origin == str(own)


def test_any_passes_when_one_test_does_and_not_excludes_every_value_listed():
    rules = parse_rules('[lists.a]\nany = [{ facet = "legal", is = "convicted" }, { facet = "appeal", is = "pending" }]\n'
                        '[lists.b]\nall = [{ facet = "headline", not = ["released", "at_large"] }]\n')

    assert rules.get("a").matches(values(appeal="pending"))
    assert not rules.get("a").matches(INITIAL)
    assert not rules.get("b").matches(values(headline="released"))
    assert rules.get("b").matches(values(headline="imprisoned"))
    assert rules.get("b").tests[0].text() == "headline not in (released, at_large)"


def test_the_fingerprint_changes_with_the_rules_and_only_with_them():
    one = parse_rules('[lists.a]\nall = [{ facet = "vital", is = "deceased" }]\n', "one.toml")
    same = parse_rules('# a comment\n[lists.a]\nall = [{ facet = "vital", is = "deceased" }]\n', "two.toml")
    other = parse_rules('[lists.a]\nall = [{ facet = "vital", is = "alive" }]\n')

    assert one.fingerprint == same.fingerprint != other.fingerprint


@pytest.mark.parametrize("text, message", [
    ("[lists.a\n", "is not valid TOML"),
    ("title = 'x'\n", "put each list under [lists.NAME]; found no lists and unknown key 'title'"),
    ("[lists.Fatal-ities]\nall = [{ facet = 'vital', is = 'deceased' }]\n",
     "list 'Fatal-ities': a list name is lowercase letters, digits and underscores"),
    ("[lists.a]\ntitle = 'A'\n", "list 'a': give exactly one of all = [...] or any = [...]"),
    ("[lists.a]\nall = []\n", "list 'a': key 'all' must be a non-empty list of tests"),
    ("[lists.a]\nall = [{ facet = 'vital', is = 'deceased' }]\nany = [{ facet = 'vital', is = 'alive' }]\n",
     "list 'a': give exactly one of all = [...] or any = [...]"),
    ("[lists.a]\nalll = [{ facet = 'vital', is = 'deceased' }]\n", "list 'a': unknown key 'alll'"),
    ("[lists.a]\nall = [{ facet = 'custdy', is = 'detained' }]\n",
     "list 'a': key 'all[0]': unknown facet 'custdy'; the facets are: custody, legal"),
    ("[lists.a]\nall = [{ facet = 'vital', is = 'dead' }]\n",
     "list 'a': key 'all[0]': facet vital is never 'dead'; its values are: alive, deceased"),
    ("[lists.a]\nall = [{ facet = 'vital' }]\n", "key 'all[0]': give exactly one of is, in or not"),
    ("[lists.a]\nall = [{ facet = 'vital', is = ['alive', 'deceased'] }]\n", "'is' takes one value"),
    ("[lists.a]\nall = [{ facet = 'vital', in = [] }]\n", "'in' takes a value or a list of values"),
    ("[lists.a]\nall = [{ facet = 'vital', equals = 'alive' }]\n", "key 'all[0]': unknown key 'equals'"),
    ("[lists.a]\nall = ['vital is alive']\n", "key 'all[0]' must be a table such as"),
    ("[lists.a]\ntitle = 3\nall = [{ facet = 'vital', is = 'alive' }]\n", "key 'title' must be a string"),
])
def test_a_bad_rule_file_is_refused_naming_the_list_and_the_key(text, message):
    with pytest.raises(BadInput) as refused:
        parse_rules(text, "ours.toml")

    assert "lists file ours.toml" in str(refused.value)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_rules_file_says_what_to_give():
    with pytest.raises(BadInput, match=r"lists file /nowhere/lists.toml does not exist; give --lists a TOML file"):
        load_rules("/nowhere/lists.toml")


def test_asking_for_an_unknown_list_names_the_lists_there_are():
    with pytest.raises(BadInput, match=r"no list 'fatality'; the lists are: detained, in_custody, convicted, "
                                       r"fatalities, accidental_victims, compensated"):
        load_rules().get("fatality")
