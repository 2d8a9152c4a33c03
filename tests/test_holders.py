"""The candidate sources beyond the registry's aliases (issue 15), each on a small written text.

A source is switched on by name (stance.actors.EXTRA_SOURCES, ModelConfig.candidate_sources);
without any, the finder is the first one exactly, as models trained before them expect.
"""

import json

import pytest

import stance
from stance.actors import EXTRA_SOURCES, CandidateFinder
from stance.sentences import split_sentences


def found(registry, text, sources):
    finder = CandidateFinder(registry, sources)
    return [{c.actor: (c.mention.text if c.mention else None, c.source) for c in cands}
            for cands in finder.find(text, split_sentences(text))]


def test_a_quote_keeps_its_speaker_over_three_sentences_and_a_paragraph_break(registry):
    text = ("“We will not accept foreign troops on our soil. The strikes are an aggression.\n\n"
            "“No government has the right to bomb its neighbours,” Petro said on Monday.\n\n"
            "Markets fell.")
    out = found(registry, text, ["quote"])
    assert out[0]["Gustavo Petro"] == ("We", "first_person")
    assert out[1]["Gustavo Petro"] == (None, "quote")  # inside the quote, no word for him
    assert out[2]["Gustavo Petro"][1] == "registry"
    assert "Gustavo Petro" not in out[3]  # the quote has ended
    assert "Gustavo Petro" not in found(registry, text, None)[0]  # the first finder does not carry it


def test_i_inside_a_quote_is_its_speaker(registry):
    text = "Sheinbaum spoke to reporters. “I reject any deployment of U.S. troops,” she said."
    assert found(registry, text, ["quote"])[1]["Claudia Sheinbaum"][0] in ("I", "she")
    text = "“I reject any deployment of U.S. troops,” Sheinbaum told reporters. “I said it before.”"
    assert found(registry, text, ["quote"])[1]["Claudia Sheinbaum"] == ("I", "first_person")


def test_the_senator_is_the_latest_person_named_senator(registry):
    text = "Senator Maria Lopez criticised the strikes. The senator called for a vote in Congress."
    out = found(registry, text, ["title"])
    assert out[1]["Maria Lopez"] == ("The senator", "description")
    assert "Maria Lopez" not in found(registry, text, None)[1]


def test_a_titled_unregistered_name_loses_its_title(registry):
    text = "Senate Minority Whip Dick Durbin said the tariffs would hurt farmers in his state."
    assert "Dick Durbin" in found(registry, text, ["titled_names"])[0]
    assert any(name.endswith("Whip Dick Durbin") for name in found(registry, text, None)[0])  # the first kept the title
    text = "Press secretary Jay Carney warned of more sanctions."
    assert "Jay Carney" in found(registry, text, ["titled_names"])[0]


def test_brazilian_and_argentine_officials_are_brazil_and_argentina(registry):
    out = found(registry, "Brazilian and Argentine officials rejected the plan. The Iranians said nothing.", ["demonym"])
    assert out[0]["Brazil"] == ("Brazilian", "demonym") and out[0]["Argentina"] == ("Argentine", "demonym")
    assert out[1]["Iran"] == ("Iranians", "demonym")
    # an adjective that is not about the state's people or bodies is not a holder
    assert "Brazil" not in found(registry, "Brazilian coffee prices rose.", ["demonym"])[0]


def test_they_is_the_latest_state_or_body(registry):
    out = found(registry, "Mexico rejected the tariffs. They called the plan coercion.", ["plural_pronoun"])
    assert out[1]["Mexico"] == ("They", "pronoun")


def test_an_implicit_holder_is_the_previous_sentence_s_actor_with_no_mention(registry):
    text = "Petro addressed the assembly on Tuesday. Foreign strikes would only feed the violence."
    out = found(registry, text, ["context"])
    assert out[1]["Gustavo Petro"] == (None, "context")
    assert found(registry, text, None)[1] == {}



def test_wide_context_adds_states_and_the_sentence_before_the_previous(registry):
    text = ("Mexico rejected the tariffs on Monday. Sheinbaum met ministers. "
            "Sovereignty is not for sale.")
    narrow = found(registry, text, ["context"])
    wide = found(registry, text, ["context", "wide_context"])
    assert "Mexico" not in narrow[1] and wide[1]["Mexico"] == (None, "context")  # a state, one sentence back
    assert "Mexico" not in narrow[2] and wide[2]["Mexico"] == (None, "context")  # two sentences back
    assert narrow[2]["Claudia Sheinbaum"] == wide[2]["Claudia Sheinbaum"] == (None, "context")
    text = "Critics were loud. The vote passed."
    assert "critics" not in found(registry, text, ["context"])[1]
    assert found(registry, text, ["context", "wide_context"])[1]["critics"] == (None, "context")


def test_it_opening_with_an_ing_verb_is_the_previous_subject(registry):
    text = "The OAS backed the talks. It's hoping to broker a deal."
    assert found(registry, text, ["plural_pronoun"])[1]["OAS"] == ("It", "pronoun")
    assert "OAS" not in found(registry, "The OAS backed the talks. It's raining in Lima.", ["plural_pronoun"])[1]

def test_sources_are_named_and_recorded_by_the_model(tiny_base, seed_docs, schema, registry, tmp_path):
    with pytest.raises(stance.StanceError) as err:
        CandidateFinder(registry, ["telepathy"])
    assert err.value.code == "E038" and "telepathy" in str(err.value)
    labeler = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=1, base=str(tiny_base),
                           model={"candidate_sources": list(EXTRA_SOURCES), "mark_source": True})
    again = stance.load(labeler.save(tmp_path / "holders"), precision="fp32")
    assert again.finder.sources == EXTRA_SOURCES and again.config.mark_source
    doc = again("Petro addressed the assembly on Tuesday. Foreign strikes would only feed the violence.")
    assert any(c.source == "context" and c.mention is None for c in doc.sentences[1].candidates)
    # the pair tells the network how the candidate was found
    spans = split_sentences(doc.text)
    pair = again.encoder.pair_text(spans, 1, doc.sentences[1].candidates[0])
    assert pair.actor.startswith("context : ")
    # a model trained before the sources existed (no key in its config) keeps the first finder
    old = labeler.save(tmp_path / "old")
    config = json.loads((old / "config.json").read_text(encoding="utf-8"))
    del config["candidate_sources"], config["mark_source"]
    (old / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert stance.load(old, precision="fp32").finder.sources == ()


def test_an_opinion_piece_s_named_author_holds_its_unattributed_sentences(registry):
    text = ("Editor's note: Maria Lopez is a senior fellow at a policy institute. The opinions expressed are hers.\n\n"
            "Foreign strikes will not end the drug trade.\n\nLegal regulation would.")
    out = found(registry, text, ["author"])
    assert all(out[i].get("Maria Lopez", (None, None))[1] in ("author", "name") for i in range(len(out)))
    assert out[-1]["Maria Lopez"] == (None, "author")
    # a news story that quotes an expert in its body has no author: no note, no byline, no bio line at an edge
    news = ("Strikes continued on Monday. Markets fell. Oil rose. Ships waited. Maria Lopez is a senior fellow at a "
            "policy institute. She said the strikes were legal. Talks stalled. Rain fell. Roads closed.")
    assert "Maria Lopez" not in found(registry, news, ["author"])[-1]


def test_a_registered_person_s_surname_and_washington_among_states(registry):
    text = "Senator Rand Paul spoke first. Paul said the federal ban should end."
    assert found(registry, text, ["titled_names"])[1]["Rand Paul"] == ("Paul", "registry")
    assert "Rand Paul" not in found(registry, text, None)[1]
    text = "Colorado and Washington legalized marijuana, and the Justice Department did not object."
    out = found(registry, text, ["titled_names"])[0]
    assert out["Washington State"][0] == "Washington" and out["United States"][0] == "Justice Department"


def test_a_name_run_loses_the_clause_words_and_possessive_in_front_of_it(registry):
    text = ("Maria Duarte met the foreign ministers in Lima on Monday. Yet Duarte said the sanctions would stay. "
            "A report by the Chronicle's Evan Sernoffsky said the city would open the site anyway.")
    out = found(registry, text, ["titled_names"])
    assert out[1]["Maria Duarte"] == ("Duarte", "name")
    assert "Yet Duarte" not in out[1]
    assert out[2]["Evan Sernoffsky"] == ("Evan Sernoffsky", "name")
    assert "Yet Duarte" in found(registry, text, None)[1]  # the first finder is unchanged


def test_the_president_is_the_registered_person_whose_roles_carry_the_title(registry):
    text = "Trump spoke to reporters on Monday. The president said Mexico must act. Later the U.S. president left."
    out = found(registry, text, ["title"])
    assert out[1]["Donald Trump"] == ("The president", "description")
    assert out[2]["Donald Trump"] == ("the U.S. president", "description")
    assert "United States" in out[2]  # the alias inside the role stays a candidate of its own
    # a role's holder counts only where the document names him: the registry's roles are today's
    assert "Donald Trump" not in found(registry, "Officials met. Later the U.S. president left.", ["title"])[1]


def test_a_name_repeated_by_a_pop_up_card_and_a_surname_before_the_full_name(registry):
    text = ("Booker begins his bid with a call to end prohibition. "
            "Sens. Maria Duarte Maria Luisa DuarteDuarte and Cory Booker spoke in Newark on Friday about the plan.")
    out = found(registry, text, ["titled_names"])
    assert out[1]["Maria Duarte"][1] == "name"
    assert out[0]["Cory Booker"] == ("Booker", "name")  # the headline's surname, named in full only later
    assert "Cory Booker" not in found(registry, text, None)[0]


def test_unregistered_names_match_without_middle_initials():
    registry = stance.ActorRegistry([])
    assert registry.same_actor("Jerome M. Adams", "Jerome Adams") and registry.same_actor("Adams", "Jerome M. Adams")
    assert registry.same_actor("Louis A. Perez Jr", "Louis A. Pérez Jr.")
    assert not registry.same_actor("Jerome M. Adams", "John Adams")


def test_a_name_card_with_a_nickname_and_a_glued_word_is_cut_to_the_name(registry):
    text = ("Acting chief of staff Jane Quill Janet (Jane) Maria QuillKent, a senator say MORE said on Sunday "
            "that the border is safe. Quill said the talks would go on.")
    out = found(registry, text, ["titled_names"])
    assert out[0]["Jane Quill"] == ("Jane Quill", "name")
    assert not any(name.endswith("QuillKent") or name.endswith("Janet") for name in out[0])
    assert out[1]["Jane Quill"] == ("Quill", "name")


def test_a_demonym_or_an_event_is_no_person_and_a_family_name_comes_first(registry):
    text = ("North Korean foreign minister Ri Yong Ho spoke at the Korean War memorial. "
            "Ri said the sanctions must end. He also accused Washington of bad faith.")
    out = found(registry, text, ["titled_names"])
    assert "North Korean" not in out[0] and "Korean War" not in out[0] and "Ri Yong Ho" in out[0]
    assert out[1]["Ri Yong Ho"] == ("Ri", "name")
    assert out[2]["Ri Yong Ho"] == ("He", "pronoun")
    assert "North Korean" in found(registry, text, None)[0]  # the first finder is unchanged


def test_a_titled_surname_and_curly_apostrophes(registry):
    text = ("Gov. Quill vowed to end the charge. Had Quill’s plan been in place, arrests would have fallen. "
            "Maria O’Brennan spoke next. O’Brennan said she backs legalization.")
    out = found(registry, text, ["titled_names"])
    assert out[1]["Quill"] == ("Quill", "name")
    assert out[3]["Maria O’Brennan"] == ("O’Brennan", "name")


def test_it_said_and_the_statement_said_are_the_body_that_spoke(registry):
    text = ('The Russian foreign ministry denounced the sanctions imposed by the US. '
            '"Our retaliation will come," it said. "Washington frightens no one," the statement added.')
    out = found(registry, text, ["demonym", "plural_pronoun"])
    assert out[1]["Russia"] == ("it", "pronoun")
    assert out[2]["Russia"] == ("the statement", "pronoun")
    assert "Russia" not in found(registry, text, ["demonym"])[1]


def test_they_is_also_the_group_that_opened_the_latest_sentence(registry):
    text = "Critics of the deal said Iran got the better of it. They argue that sanctions would have worked."
    out = found(registry, text, ["plural_pronoun"])
    assert out[1]["critics"] == ("They", "pronoun") and out[1]["Iran"] == ("They", "pronoun")


def test_she_is_never_a_man_the_registry_or_a_title_knows(registry, tmp_path):
    text = "Claudia Sheinbaum spoke first. Nicolás Maduro listened. She said the strikes were illegal."
    assert found(registry, text, None)[2]["Claudia Sheinbaum"] == ("She", "pronoun")
    text = "Mrs. Jane Quill spoke first. Mr. John Doe listened. She said the strikes were illegal."
    assert found(registry, text, ["titled_names"])[2]["Jane Quill"] == ("She", "pronoun")
    assert found(registry, text, None)[2]["John Doe"] == ("She", "pronoun")  # the first finder: the latest person
    bad = tmp_path / "actors.jsonl"
    bad.write_text(json.dumps({"name": "X", "pronoun": "it"}) + "\n", encoding="utf-8")
    with pytest.raises(stance.StanceError) as err:
        stance.ActorRegistry.from_disk(bad)
    assert err.value.code == "E021" and "pronoun" in str(err.value) and "line 1" in str(err.value)


def test_a_registered_state_or_group_after_a_capitalised_word_is_found(registry):
    text = "Then Colorado and Oregon legalized it. Both Democrats and Republicans agree."
    out = found(registry, text, ["titled_names"])
    assert "Colorado" in out[0] and "Democrats" in out[1]


def test_the_group_and_the_state_are_the_latest_body_and_state_named(registry):
    text = ("The Drug Policy Alliance welcomed the vote. The group said more states would follow. "
            "California passed the law. The state will tax sales.")
    out = found(registry, text, ["title"])
    assert out[1]["Drug Policy Alliance"] == ("The group", "description")
    assert out[3]["California"] == ("The state", "description")


def test_an_opinion_headline_a_name_line_and_a_bio_name_the_author(registry):
    out = found(registry, "OPINION: Jane Quill: Why the tariffs work\nThe tariffs are a good idea.", ["author"])
    assert out[1]["Jane Quill"] == (None, "author")
    out = found(registry, "The marijuana miracle\nJane Quill\nDaily Paper\nLegal pot is coming.", ["author"])
    assert out[3]["Jane Quill"] == (None, "author")
    text = "Legal pot is coming. Sales will rise. Jane Quill is a law professor at a state university."
    assert found(registry, text, ["author"])[0]["Jane Quill"] == (None, "author")
    # a headline that quotes a politician is no author line
    assert "Donald Trump" not in found(registry, "Trump: tariffs will work\nMarkets fell.", ["author"])[1]


def test_contractions_an_it_that_opens_a_sentence_and_page_furniture_that_is_no_author(registry):
    text = "Senator Jane Quill spoke. He’s not here, she said. She’s pushing the bill."
    assert found(registry, text, ["titled_names"])[2]["Jane Quill"] == ("She", "pronoun")
    text = "China backed the sanctions. It has urged restraint. They’re firm."
    out = found(registry, text, ["plural_pronoun"])
    assert out[1]["China"] == ("It", "pronoun") and out[2]["China"] == ("They", "pronoun")
    # an expletive "it" is nobody's: "It's a test", "It would be a mistake"
    for tail in ("It's a test of the region.", "It would be a mistake to strike."):
        assert "China" not in found(registry, "China backed the sanctions. " + tail, ["plural_pronoun"])[1]
    text = "The pot vote\nStory Continued Below\nThe story continued below the fold, as stories do."
    assert all(c[1] != "author" for sent in found(registry, text, ["author"]) for c in sent.values())


def test_an_organisation_named_in_full_is_also_its_acronym(registry):
    text = ("MPP welcomed the vote. The Marijuana Policy Project gave $1 million. "
            "The Law Enforcement Leaders (LEL) backed it. LEL said so. The US and the UN did not. MPP agreed.")
    out = found(registry, text, ["titled_names"])
    assert out[0]["Marijuana Policy Project"] == ("MPP", "name")  # before the full name too
    assert out[3]["Law Enforcement Leaders"] == ("LEL", "name")  # the letters in brackets
    assert out[5]["Marijuana Policy Project"] == ("MPP", "name")
    # a sentence with many capitals but lower-case words is no headline: its names are found
    assert out[1]["Marijuana Policy Project"] == ("Marijuana Policy Project", "name")
    # a title-case headline still gives no names from its capitals
    headline = found(registry, "Senate Leaders Push New Sanctions On Caracas Regime\nMarkets fell.", ["titled_names"])[0]
    assert all(source == "registry" for _mention, source in headline.values())
    assert "Marijuana Policy Project" not in out[4] and "Law Enforcement Leaders" not in out[4]
    # the first finder's candidates are unchanged
    assert "Marijuana Policy Project" not in found(registry, text, None)[0]


def test_short_headlines_titled_thing_words_headline_aliases_and_the_two_countries(registry):
    text = "Medical Marijuana Comes to Georgia\nOn Thursday, Georgia Gov. Nathan Deal (R) signed a law."
    out = found(registry, text, ["titled_names"])
    assert out[0] == {}  # a four-word title-case line is a headline: "Medical Marijuana Comes" is nobody
    assert out[1]["Nathan Deal"] == ("Nathan Deal", "name")  # behind a title, "Deal" is a surname
    assert "Korean War" not in found(registry, "Veterans of the Korean War met on Monday.", ["titled_names"])[0]
    # in a title-case headline a registered surname is not taken for part of a longer name
    assert found(registry, "Mexico Hits Trump Tariff Threat\nMarkets fell.", ["titled_names"])[0]["Donald Trump"][1] == "registry"
    text = "Tensions grew between the US and China. The two countries imposed new tariffs."
    out = found(registry, text, ["title"])
    assert out[1]["China"] == ("The two countries", "description")
    assert out[1]["United States"] == ("The two countries", "description")
    # one country named is not two
    assert "China" not in found(registry, "China spoke. Both nations agreed.", ["title"])[1]


def test_a_place_inside_an_institution_s_name_is_the_institution(registry):
    out = found(registry, "The policy was endorsed by The New York Times on Sunday.", ["titled_names"])
    assert "New York Times" in out[0] and "New York State" not in out[0]
    assert "New York State" in found(registry, "New York legalized it on Sunday.", ["titled_names"])[0]


def test_an_acronym_is_the_same_actor_as_the_name_it_abbreviates(registry):
    assert registry.same_actor("ACLU", "American Civil Liberties Union")
    assert not registry.same_actor("ACLU", "American Bar Association")


def test_his_government_is_the_state_of_the_person_named_latest(registry):
    text = "Petro spoke in Bogotá on Monday. His government will not extradite anyone."
    assert found(registry, text, ["title"])[1]["Colombia"] == ("His government", "description")


def test_names_with_a_slash_or_before_a_body_noun(registry):
    text = "The centre is run by Project Weber/RENEW, and the Citizen Revolution movement opposed it."
    out = found(registry, text, ["titled_names"])[0]
    assert out["Project Weber/RENEW"][1] == "name" and out["Citizen Revolution"][1] == "name"
    assert "Citizen Revolution" not in found(registry, "The Citizen Revolution began in 2007.", ["titled_names"])[0]
