from stance import Actor
from stance.actors import CandidateFinder
from stance.sentences import split_sentences


def find(registry, text):
    finder = CandidateFinder(registry)
    return [[(c.actor, c.mention.text if c.mention else None, c.source) for c in cands]
            for cands in finder.find(text, split_sentences(text))]


def actors(registry, text):
    return [[a for a, _, _ in s] for s in find(registry, text)]


def test_aliases_possessives_and_diacritics(registry):
    out = find(registry, "Washington's approach worried Nicolas Maduro. The U.S. warned Caracas.")
    assert ("United States", "Washington", "registry") in out[0]
    assert ("Nicolás Maduro", "Nicolas Maduro", "registry") in out[0]
    assert [a for a, _, _ in out[1]] == ["United States", "Venezuela"]


def test_case_rules_keep_pronoun_us_out(registry):
    assert actors(registry, "Tell us what US officials said.") == [["United States"]]
    assert actors(registry, "The sessions ran long.") == [[]]


def test_longest_alias_wins(registry):
    assert actors(registry, "The Maduro government rejected it.") == [["Venezuela"]]
    assert actors(registry, "Leaders across Latin America objected.") == [["Latin America"]]
    assert actors(registry, "Cocaine flows to North America.") == [[]]


def test_generic_groups(registry):
    out = find(registry, "Critics' Concern: Opponents warn this could shield Maduro. Analysts disagree.")
    assert out[0][0] == ("critics", "Critics", "generic")
    assert ("analysts", "Analysts", "generic") in out[1]


def test_unregistered_people_keep_one_fullest_name(registry):
    text = "U.S. Ambassador to the U.N. Nikki Haley spoke. Haley demanded action. She was angry."
    out = find(registry, text)
    assert ("Nikki Haley", "Nikki Haley", "name") in out[0]
    assert ("Nikki Haley", "Haley", "name") in out[1]
    assert out[2] == [("Nikki Haley", "She", "pronoun")]


def test_title_case_headlines_and_lead_ins_are_not_names(registry):
    assert actors(registry, "Petro Breaks With Washington, Warns Against Foreign Military Action") == [
        ["Gustavo Petro", "United States"]]
    assert actors(registry, "Border Pressure: The frontier is violent.") == [[]]


def test_pronouns_and_descriptions_resolve(registry):
    text = "Gustavo Petro spoke on Monday. He called for dialogue. The Colombian president also urged reform."
    out = find(registry, text)
    assert out[1] == [("Gustavo Petro", "He", "pronoun")]
    assert out[2] == [("Gustavo Petro", "The Colombian president", "description")]


def test_description_before_a_name_is_a_title(registry):
    assert actors(registry, "Colombian President Iván Duque backed the plan.") == [["Iván Duque"]]


def test_new_registry_actor_is_found(registry):
    bigger = registry.with_actors([Actor("Mercedes Martinez", aliases=["Martinez"])])
    assert actors(bigger, "Martinez rejected the sanctions.") == [["Mercedes Martinez"]]


def test_every_mention_span_indexes_the_text(registry, seed_text):
    finder = CandidateFinder(registry)
    spans = split_sentences(seed_text)
    for span, cands in zip(spans, finder.find(seed_text, spans)):
        for c in cands:
            assert seed_text[c.mention.start : c.mention.end] == c.mention.text
            assert span.start <= c.mention.start < c.mention.end <= span.end
