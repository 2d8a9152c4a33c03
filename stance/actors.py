"""Step 2 of the pipeline: sentences -> candidate stance holders.

Candidates come from four sources, in this order of trust:

1. the registry's aliases and generic groups (case- and accent-insensitive, with the
   case rules below), longest alias first, so "the Maduro government" is Venezuela,
   not Maduro;
2. unregistered names: runs of capitalised words ("Nikki Haley", "Sen. Tim Scott"),
   after the registry has claimed its spans;
3. pronouns ("He", "She") resolved to the most recent person before them;
4. role descriptions from the registry ("the Colombian president") resolved to the
   person of that role already seen in the document, else to the registry's only
   holder of the role.

Within a document a person keeps one name: a surname alone ("Haley said") refers to
the unregistered person whose full name was seen earlier, and every mention of that
person is named by the fullest form seen.

Case rules: an all-capitals alias of up to five letters (US, UN, OAS) matches only in
capitals, so the pronoun "us" is not the United States; an alias that starts with a
capital matches only a capitalised word ("Sessions", not "sessions"); a lower-case
alias ("critics") matches in any case.

Extra sources (:data:`EXTRA_SOURCES`), each switched on by name and recorded in a model's
config (``ModelConfig.candidate_sources``; models trained before them have none, so they
keep exactly the candidates above): titles cut from names and surnames of registered
people (``titled_names``), demonyms with a group noun ("Brazilian officials",
``demonym``), titles seen with a name ("the senator", ``title``), they/them/their
(``plural_pronoun``), a quote's speaker in every sentence of the quote (``quote``; "I"
and "we" inside it as the mention), the previous sentence's people with no mention
(``context``; ``wide_context`` adds its states and bodies and the named actors of the sentence
before it) and an opinion piece's named author (``author``). ``python eval/coverage.py
--sources all --ablation`` measures what each adds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .document import Candidate, Mention
from .errors import StanceError
from .registry import Actor, ActorRegistry, fold
from .sentences import SentenceSpan

__all__ = ["CandidateFinder", "given_candidates", "sentence_candidates"]

_TITLES = {
    "president", "vice", "sen", "sen.", "senator", "rep", "rep.", "representative", "gov", "gov.",
    "governor", "secretary", "minister", "gen", "gen.", "general", "adm", "adm.", "admiral",
    "ambassador", "mayor", "judge", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "lt", "lt.", "col", "col.", "commander", "chancellor", "envoy", "attorney", "prime", "foreign",
    "defense", "defence", "state", "interior", "deputy", "pope", "sheriff", "congressman",
    "congresswoman", "speaker", "leader", "chairman", "chair", "director", "spokesman",
    "spokeswoman", "spokesperson", "u.s.", "former", "acting", "first", "lady",
}
_STOP = {
    "the", "a", "an", "in", "on", "at", "but", "and", "or", "if", "as", "for", "of", "to", "by", "with",
    "from", "after", "before", "while", "when", "this", "that", "these", "those", "it", "its", "his",
    "her", "their", "our", "we", "they", "he", "she", "i", "you", "what", "why", "how", "who", "where",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "read", "more", "advertisement", "photo", "image", "getty", "images",
    "reuters", "ap", "afp", "watch", "video", "click", "sign", "up", "share", "big", "picture",
    "behind", "headlines", "matters", "related", "also", "breaking", "news", "opinion", "analysis",
    "like", "follow", "subscribe", "copyright",
}
_ORG_WORDS = {
    "ministry", "council", "party", "commission", "association", "institute", "foundation", "agency",
    "department", "office", "group", "alliance", "court", "university", "network", "center",
    "centre", "watch", "committee", "organization", "organisation", "union", "league", "bank",
    "congress", "senate", "house", "assembly", "army", "navy", "forces", "police", "cartel",
    "administration", "government", "times", "post", "journal", "service", "project", "coalition",
}
# last words of capitalised names that are events, places, texts or times, never a holder ("Korean War",
# "Korean Peninsula", "New Year", "Affordable Care Act"); titled_names drops such names
_THING_WORDS = {
    "war", "peninsula", "sea", "ocean", "gulf", "island", "islands", "river", "canal", "strait", "mountains",
    "year", "day", "eve", "week", "month", "summit", "forum", "games", "olympics", "cup", "act", "bill", "law",
    "treaty", "accord", "accords", "agreement", "deal", "doctrine", "plan", "amendment", "resolution",
    "street", "avenue", "square", "airport", "base", "bay", "coast", "valley",
    "crisis", "revolution", "spring", "election", "elections", "primary", "debate", "hearing", "award", "prize",
}
# a capitalised word after a place that makes the two an institution's name ("New York Times")
_INSTITUTION_AFTER = re.compile(r"\s+(?:Times|Post|Journal|Herald|Tribune|Gazette|Examiner|Chronicle|University|"
                                r"Institute|Foundation|Center|Centre|Association|Project|Network)\b")
# a body noun right after a name: the name is an organisation's ("the Citizen Revolution movement")
_BODY_AFTER = re.compile(r"\s+(?:movement|party|group|campaign|coalition|alliance|organi[sz]ation|foundation)(?![\w'’\-])")
# "his government", "her administration": the state of the person meant
_HIS_GOVERNMENT = re.compile(r"(?<![\w'’])(?:[Hh]is|[Hh]er)\s+(?:government|administration|regime|cabinet)(?![\w'’])")
_PARTICLES = {"de", "la", "del", "da", "dos", "das", "van", "von", "y", "di", "le", "al", "bin"}
_NAME_RUN = re.compile(
    r"(?<![\w'’])(?:[A-ZÀ-Þ][\w'’\-.]*(?:/[A-ZÀ-Þ][\w'’\-.]*)?|(?:de|la|del|da|dos|das|van|von|y|di|le|al|bin)(?=\s+[A-ZÀ-Þ]))"
    r"(?:\s+(?:[A-ZÀ-Þ][\w'’\-.]*(?:/[A-ZÀ-Þ][\w'’\-.]*)?|(?:de|la|del|da|dos|das|van|von|y|di|le|al|bin)(?=\s+[A-ZÀ-Þ])))*"
)
# the words a title-case headline leaves in lower case
_TITLE_CASE_LOWER = {"and", "the", "for", "nor", "but", "yet", "with", "from", "into", "onto", "over", "upon", "than",
                     "via", "per", "amid", "off", "out", "its"}
# an all-capitals word of 2-6 letters ("MPP", "NCIA"), and one in brackets right after a name
_ACRONYM = re.compile(r"(?<![\w'’.\-])[A-Z]{2,6}(?![\w\-])")
_BRACKET_ACRONYM = re.compile(r"\s*\(([A-Z]{2,6})\)")
_PRONOUN = re.compile(r"(?<![\w'’])(?:He|She|he|she)(?![\w'’])")
# with titled_names also in a contraction ("He’s", "She'd", "he'll")
_PRONOUN_CONTRACTED = re.compile(r"(?<![\w'’])(?:He|She|he|she)(?=['’](?:s|d|ll)\b)|" + _PRONOUN.pattern)
_PRIORITY = {"registry": 0, "generic": 0, "name": 0, "gold": 0, "description": 1, "demonym": 1, "pronoun": 2,
             "first_person": 2, "quote": 3, "context": 4}

# candidate sources beyond the first finder's, each switched on by name (ModelConfig.candidate_sources):
EXTRA_SOURCES = (
    "titled_names",  # titles inside a name run are cut ("Senate Minority Whip Dick Durbin" -> Dick Durbin); name lists
    "demonym",       # "Brazilian and Argentine officials", "the Iranians" -> the states, through registry demonyms
    "title",         # "the senator", "the president" -> the latest person seen with that title
    "plural_pronoun",  # they, them, their -> the latest state, group or body
    "quote",         # a quote's speaker in every sentence of the quote; "I", "we" inside it are the speaker
    "context",       # the previous sentence's people, with no mention, where this sentence lacks them
    "wide_context",  # with context: also the previous sentence's states and bodies, and everyone of the one before
    "author",        # an opinion piece's author named in a byline, editor's note or bio line, in every sentence
)
_BYLINE = re.compile(r"^\s*(?:By|BY)\s+([A-ZÀ-Þ][\w.'’\-]+(?:\s+[A-ZÀ-Þ][\w.'’\-]+){1,3})")
# an editor's note or highlights name the piece's author anywhere; a bio line only at its start or end
_AUTHOR_NOTE = re.compile(r"[Ee]ditor['’]s [Nn]ote|opinions expressed|views expressed|Story highlights")
_AUTHOR_BIO = re.compile(r"^[A-ZÀ-Þ][\w.'’\-]+(?:\s+[A-ZÀ-Þ][\w.'’\-]+){1,3},?\s+(?:(?:is|was)\s+(?:the author of|an?\s+"
                         r"(?:[\w\-]+\s+){0,4}(?:columnist|contributor|contributing|fellow|professor|syndicated|writer|"
                         r"author|editor|scholar|commentator|journalist|host)\b)|writes\s+(?:about|on|for|a)\b)")
# an opinion headline that names its author: "OPINION: Jane Roe: title", "Jane Roe - title"
_AUTHOR_HEADLINE = re.compile(r"^\s*(?:(?:OPINION|Opinion|COMMENTARY|Commentary|Op-Ed|OP-ED)\s*[:|]\s*([A-ZÀ-Þ][\w.'’\-]+"
                              r"(?:\s+[A-ZÀ-Þ][\w.'’\-]+){1,2})\s*:|([A-ZÀ-Þ][\w.'’\-]+(?:\s+[A-ZÀ-Þ][\w.'’\-]+){1,2})\s+[-–—]\s)")
# words that stand before a name as its title, beyond _TITLES ("NATO Secretary General", "Senate Minority Whip")
_MORE_TITLES = {"whip", "minority", "majority", "chief", "commissioner", "high", "trade", "treasury", "commerce",
                "secretary-general", "intelligence", "sens.", "reps.", "sens", "reps", "president-elect", "premier",
                "king", "queen", "prince", "crown", "emir", "ayatollah", "justice", "counsel", "special", "adviser",
                "advisor", "economist", "professor", "analyst", "activist", "founder", "ceo", "executive"}
# group nouns after a demonym that make it the state or body ("Russian forces", "Iranian officials")
_GROUP_NOUNS = (r"officials?|government|authorities|forces|troops|soldiers|military|army|navy|air\s+force|leaders?|"
                r"leadership|lawmakers|legislators|parliament|diplomats?|ministry|foreign\s+ministry|negotiators?|"
                r"envoys?|embassy|regime|state\s+media|media|artillery|tanks|jets|warplanes|missiles|strikes|"
                r"airstrikes|offensive|sanctions|tariffs|spokesman|spokeswoman|spokesperson|president|prime\s+minister|"
                r"delegation|side|counterparts?|intelligence|agents|operatives|hackers|people|public|voters|courts?|"
                r"judges|prosecutors|police|administration|congress|senate|national\s+security\s+council")
_GROUP_AFTER = re.compile(r"(?:\s+(?:and|or|,)\s*[\w'’.\-]+)*\s+(?:" + _GROUP_NOUNS + r")(?![\w'’])", re.I)
# words that open a sentence or clause in capitals but never a name ("Yet Tillerson said", "Had Cuomo
# signed"): titled_names drops them from the front of a name run
_LEAD_WORDS = {
    "yet", "had", "has", "have", "so", "then", "still", "now", "however", "meanwhile", "instead", "although",
    "though", "because", "since", "despite", "did", "does", "do", "was", "were", "is", "are", "would", "could",
    "should", "can", "not", "even", "only", "just", "once", "under", "over", "during", "says", "said", "asked",
    "via", "inside", "thus", "indeed", "there", "here", "unlike", "without", "against", "among", "about",
    "according", "amid", "until", "through", "whether", "both", "either", "neither", "each", "every", "all",
    "some", "many", "most", "several", "other", "another", "such", "bankrupt", "let", "ask", "tell", "meet",
}
_PLURAL_PRONOUN = re.compile(r"(?<![\w'’])(?:(?:They|they)(?=['’](?:re|ve|d|ll)\b)|(?:They|they|Them|them|Their|their)(?![\w'’]))")
# "It" opening a sentence: the body or state that opened the sentence before.
# "It has urged...", "It also warned...": a body's or state's own act; "It's a test", "It would be a
# mistake" and other expletive "it"s are not, so an auxiliary counts only before such a verb
_IT_OPENS = re.compile(r"\s*[\"“]?(It)(?:\s+(?:(?:has|had|also|now|then|will|would|could|has\s+also|had\s+also)\s+)?"
                       r"(?:wants|wanted|plans|planned|urged|urges|urge|called|calls|call|said|says|say|added|warned|"
                       r"warns|warn|argued|argues|insisted|accused|accuses|rejected|rejects|reject|denied|denies|deny|"
                       r"demanded|demands|demand|vowed|vows|vow|threatened|threatens|threaten|condemned|condemns|"
                       r"condemn|opposed|opposes|oppose|supported|supports|support|backed|backs|back|targeted|targets|"
                       r"target|hopes|hoped|seeks|sought|aims|aimed|pushed|pushes|sued|sues|praised|criticized|"
                       r"criticised|welcomed|imposed|imposes)\b"
                       # "It's hoping to...", "It is now targeting..." (the -ing form after a contraction or "is")
                       r"|(?:['’]s|\s+is|\s+was)\s+(?:(?:now|also|still)\s+)?(?:hoping|targeting|pushing|seeking|"
                       r"calling|urging|working|trying|planning|lobbying|asking|demanding|threatening|fighting|opposing|"
                       r"backing|supporting|aiming)\b)")
_FIRST_PERSON_RE = re.compile(r"(?<![\w'’])(?:I|We|we|Our|our|Us|us|My|my|Me|me)(?![\w'’])")
_SPEECH = re.compile(r"(?<![\w'’])(?:said|says|added|adds|told|tells|argued|argues|warned|warns|noted|notes|stated|"
                     r"states|explained|wrote|writes|asked|asks|insisted|insists|declared|declares|tweeted|tweets|"
                     r"continued|recalled|claimed|claims|urged|urges|replied|responded|announced|according\s+to)(?![\w'’])")
_TITLE_WORDS = ("president", "senator", "secretary", "minister", "governor", "mayor", "ambassador", "spokesman",
                "spokeswoman", "spokesperson", "leader", "chancellor", "congressman", "congresswoman", "director",
                "general", "envoy", "chairman", "premier", "king", "prince", "commissioner", "representative", "judge")
# "the group", "the organization", "the state", "the country": the latest body or state of that sort
# "the two countries", "both nations": the two countries named latest
_TWO_DESC = re.compile(r"(?<![\w'’])(?:[Tt]he\s+two|[Bb]oth)\s+(countries|nations|governments)(?![\w'’\-])")
_BODY_DESC = re.compile(r"(?<![\w'’])[Tt]he\s+(?:[a-z]+(?:-[a-z]+)?\s+)?(group|organi[sz]ation|coalition|campaign|"
                        r"association|council|committee|commission|agency|alliance|party|movement|caucus|company|"
                        r"foundation|institute|bloc|board|city|state|country|nation)(?![\w'’\-])")
_TITLE_ABBREVIATIONS = {"sen.": "senator", "sen": "senator", "gov.": "governor", "gov": "governor",
                        "rep.": "representative", "rep": "representative", "gen.": "general", "amb.": "ambassador",
                        "sec.": "secretary", "pres.": "president"}
_TITLE_DESC = re.compile(r"(?<![\w'’])[Tt]he\s+(?:(?:former|current|top|senior|new|[A-Z][a-z]+|[a-z]+-[a-z]+)\s+){0,2}("
                         + "|".join(_TITLE_WORDS) + r")(?![\w'’])")


def _after_last_title(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut a name run after its last title word when at least two words of name follow it."""
    cut = -1
    for i, (s, e) in enumerate(run):
        word = fold(text[s:e]).rstrip(",")
        if word in _TITLES or word in _MORE_TITLES:
            cut = i
    if cut >= 0 and len(run) - cut - 1 >= 2:
        return run[cut + 1 :]
    return run


def _without_lead_words(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop the words in front of a name run that open a clause but are no name ("Yet Tillerson")."""
    k = 0
    while k < len(run) - 1 and fold(text[run[k][0] : run[k][1]]).rstrip(",") in _LEAD_WORDS:
        k += 1
    return run[k:]


def _before_repeat(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut a name run where its first word comes again, as pages that repeat a name in a pop-up card
    run it into the next words ("Elizabeth Warren Elizabeth Ann WarrenWarren" -> Elizabeth Warren)."""
    first = text[run[0][0] : run[0][1]] if run else ""
    for k in range(2, len(run)):
        if text[run[k][0] : run[k][1]] == first:
            return run[:k]
    return run


def _before_nickname(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut the last word of a run of three or more that a nickname in brackets follows, as pages that
    link a name to a card with the full legal name run into it ("Mick Mulvaney John (Mick) Michael
    Mulvaney" -> Mick Mulvaney)."""
    if len(run) >= 3 and re.match(r"\s*\([A-ZÀ-Þ][a-zà-ÿ][\w'’.\-]*\)", text[run[-1][1] : run[-1][1] + 30]):
        return run[:-1]
    return run


_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|De|Da|Di|Du|La|Le|Van|Von)(?=[A-ZÀ-Þ])")
_LOWER_UPPER = re.compile(r"[a-zà-ÿ][A-ZÀ-Þ]")


def _before_glued(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut a name run before a word glued to the next one ("Michael MulvaneyKent" -> Michael): the
    same cards end a name in the first word of the next link."""
    for k, (s, e) in enumerate(run):
        if _LOWER_UPPER.search(_NAME_PREFIX.sub("", text[s:e])):
            return run[:k]
    return run


def _after_possessive(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut a name run after a possessive when two words of name follow it ("Chronicle's Evan Sernoffsky")."""
    for i in range(len(run) - 3, -1, -1):
        if _POSSESSIVE.search(text[run[i][0] : run[i][1]]):
            return run[i + 1 :]
    return run


_IT_SAID = re.compile(r"(?<![\w'’])(It|it|[Tt]he\s+(?:government|regime|ministry|foreign\s+ministry|statement|embassy|"
                      r"(?:news\s+)?agency))\s+(?:also\s+)?(?:said|says|added|adds|stated|states|argued|argues|warned|"
                      r"warns|claimed|claims|declared|declares|insisted|insists|wrote|writes|announced|noted|notes)(?![\w'’])")


def _surname_keys(name: str) -> list[str]:
    """The folded words a person's name is cut to when written alone: the last word, and the first
    where the name has the shape of a family name first ("Ri Yong Ho", "Moon Jae-in")."""
    words = name.split()
    keys = [fold(words[-1])]
    if (len(words) == 3 and all(len(w) <= 4 for w in words)) or (
        len(words) == 2 and re.fullmatch(r"[A-ZÀ-Þ][a-zà-ÿ]+-[a-zà-ÿ]+", words[1])
    ):
        keys.append(fold(words[0]))
    return keys


_SHE_WORDS = {"mrs", "mrs.", "ms", "ms.", "miss", "madam", "spokeswoman", "congresswoman", "chairwoman",
              "businesswoman", "councilwoman", "assemblywoman", "queen", "princess", "lady", "sister", "mother",
              "wife", "daughter", "actress"}
_HE_WORDS = {"mr", "mr.", "spokesman", "congressman", "chairman", "businessman", "councilman", "assemblyman",
             "king", "prince", "pope", "brother", "father", "husband", "son", "actor", "sir"}


def _after_title(text: str, at: int) -> bool:
    """Whether the word right before ``at`` is a title ("Gov. Nathan Deal": a person, not a deal)."""
    before = re.search(r"(\S+)\s+$", text[max(0, at - 30) : at])
    return before is not None and fold(before.group(1)).rstrip(",") in _TITLES


def _add_short_forms(
    text: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]], pattern: re.Pattern[str],
    names: dict[str, str | None], kind: str, key: Callable[[str], str] = str,
) -> None:
    """Add, in every sentence, each match of ``pattern`` whose ``key`` names one actor in ``names``
    (a surname, an acronym; None where two actors share it) and that no candidate's mention covers."""
    if not any(names.values()):
        return
    for span, cands in zip(spans, out):
        for match in pattern.finditer(text, span.start, span.end):
            name = names.get(key(match.group()))
            s, e = match.start(), match.end()
            if name and not any(c.mention and c.mention.start <= s < c.mention.end for c in cands):
                _add_new(cands, Candidate(name, kind, Mention(match.group(), s, e), "name"))


def _title_pronoun(text: str, sentence_start: int, at: int) -> str | None:
    """"she" or "he" where a word among the three before a name says which ("Mrs.", "spokesman")."""
    words = set(fold(text[max(sentence_start, at - 40) : at]).replace(",", " ").split()[-3:])
    if words & _SHE_WORDS:
        return "she"
    if words & _HE_WORDS:
        return "he"
    return None


def _inside_quote(text: str, start: int, at: int) -> bool:
    """Whether position ``at`` lies inside quoted text opened after ``start`` (the sentence's start)."""
    before = text[start:at]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _first_mentioned(cands: list[Candidate]) -> list[Candidate]:
    """The candidate mentioned first, and those whose mentions overlap its own ("Russian Embassy" and
    the Russia its demonym gives)."""
    first = min(cands, key=lambda c: c.mention.start)
    return [c for c in cands if c.mention.start < first.mention.end and first.mention.start < c.mention.end]


def _add_new(cands: list[Candidate], candidate: Candidate) -> None:
    """Append ``candidate`` unless its actor is a candidate of the sentence already (one per actor)."""
    if all(c.actor != candidate.actor for c in cands):
        cands.append(candidate)


_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# a capitalised word that may be a surname alone ("Haley"); with titled_names also one with an
# apostrophe inside ("O’Rourke", not "Cuomo’s")
_SURNAME_FIRST = re.compile(r"(?<![\w'’])[A-ZÀ-Þ][\w\-]+")
_SURNAME = re.compile(r"(?<![\w'’])[A-ZÀ-Þ][\w\-]*(?:['’][A-ZÀ-Þ][\w\-]+|(?<=[\w\-])(?![\w\-]))")
_SURNAME_NOT_POSSESSIVE = re.compile(_SURNAME.pattern + r"(?!['’])")


@dataclass
class _Entity:
    """An actor seen in the document so far."""

    name: str
    kind: str
    registered: bool
    last_sentence: int
    last_offset: int


def _case_ok(alias: str, surface: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) <= 5:
        return surface == surface.upper()
    if alias[:1].isupper():
        return surface[:1].isupper()
    return True


class CandidateFinder:
    """Find the candidate stance holders of each sentence of a document.

    >>> from stance.registry import Actor, ActorRegistry
    >>> from stance.sentences import split_sentences
    >>> finder = CandidateFinder(ActorRegistry([Actor("Gustavo Petro", aliases=["Petro"])]))
    >>> text = "Petro spoke. He warned Nikki Haley."
    >>> [[c.actor for c in s] for s in finder.find(text, split_sentences(text))]
    [['Gustavo Petro'], ['Gustavo Petro', 'Nikki Haley']]
    """

    def __init__(self, registry: ActorRegistry, sources: Sequence[str] | None = None) -> None:
        unknown = sorted(set(sources or ()) - set(EXTRA_SOURCES))
        if unknown:
            raise StanceError("E038", found=", ".join(unknown), expected=", ".join(EXTRA_SOURCES))
        self.registry = registry
        # the candidate sources beyond the first finder's (None: that finder exactly, as models
        # trained before them were); a model's config names the ones it was trained with
        self.sources = tuple(s for s in EXTRA_SOURCES if s in set(sources or ()))
        self._titled = "titled_names" in self.sources
        self._demonyms: dict[str, Actor] = {}
        for actor in registry:
            for demonym in actor.demonyms:
                self._demonyms.setdefault(fold(demonym), actor)
        dem_keys = sorted(self._demonyms, key=len, reverse=True)
        self._demonym_re = (
            re.compile(r"(?<![\w'’])(?:" + "|".join(re.escape(k) for k in dem_keys) + r")(?![\w'’])") if dem_keys else None
        )
        self._alias_actor: dict[str, list[tuple[str, Actor]]] = {}
        for actor in registry:
            for alias in [actor.name, *actor.aliases]:
                key = fold(alias).strip()
                if key.startswith("the "):
                    key = key[4:]
                if key:
                    self._alias_actor.setdefault(key, []).append((alias, actor))
        keys = sorted(self._alias_actor, key=len, reverse=True)
        self._alias_re = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w])") if keys else None
        self._roles: dict[str, list[Actor]] = {}
        for actor in registry:
            for role in actor.roles:
                self._roles.setdefault(fold(role).strip(), []).append(actor)
        role_keys = sorted(self._roles, key=len, reverse=True)
        self._role_re = (
            re.compile(r"(?<![\w])(?:the\s+|former\s+)?(?:" + "|".join(re.escape(k) for k in role_keys) + r")(?![\w])")
            if role_keys
            else None
        )

    # -- registry aliases -------------------------------------------------------------
    def _registry_mentions(self, text: str, folded: str, start: int, end: int) -> list[tuple[Actor, Mention]]:
        found: list[tuple[Actor, Mention]] = []
        if self._alias_re is None:
            return found
        for match in self._alias_re.finditer(folded, start, end):
            surface = text[match.start() : match.end()]
            for alias, actor in self._alias_actor[match.group()]:
                if (self._titled and actor.kind == "person" and " " not in surface
                        and self._inside_longer_name(text, match.start(), start)
                        and not self._headline(text[start:end])):
                    continue  # "Jay Carney" is not the registry's Mark Carney: the name rule takes the whole name
                    # (in a title-case headline, "Mexico Hits Trump Tariff Threat", every word is capitalised)
                if (self._titled and actor.kind == "state"
                        and _INSTITUTION_AFTER.match(text, match.end())):
                    continue  # "The New York Times", "Texas Tribune": the place names an institution (the name rule's)
                if _case_ok(alias.removeprefix("the "), surface):
                    found.append((actor, Mention(surface, match.start(), match.end())))
                    break
        return found

    @staticmethod
    def _inside_longer_name(text: str, at: int, sentence_start: int) -> bool:
        """Whether a one-word alias at ``at`` is the last word of a longer capitalised name."""
        before = re.search(r"([A-ZÀ-Þ][\w'’\-]*)\s$", text[max(sentence_start, at - 30) : at])
        if before is None:
            return False
        word = fold(before.group(1))
        return (word not in _TITLES and word not in _MORE_TITLES and word not in _STOP and word not in _LEAD_WORDS
                and not word.endswith(("'s", "’s")))

    def _headline(self, sentence: str) -> bool:
        """Whether a sentence is a headline in title case."""
        words = re.findall(r"[A-Za-zÀ-ÿ][\w'’\-]{2,}", sentence)
        headline = len(words) >= 5 and sum(w[:1].isupper() for w in words) / len(words) > 0.6
        if not self._titled:
            return headline
        # title case leaves only short function words in lower case: "The Marijuana Policy Project
        # gave $1 million" is a sentence with names, "Medical Marijuana Comes to Georgia" a headline;
        # a long sentence that ends as sentences do is a list of names
        title_case = not any(w[:1].islower() and w.lower() not in _TITLE_CASE_LOWER for w in words)
        ends = re.search(r"[.!?][\"”’)]*\s*$", sentence) is not None
        return title_case and (headline and not (len(words) >= 12 and ends) or len(words) >= 4 and not ends)

    # -- unregistered names -----------------------------------------------------------
    def _name_mentions(
        self, text: str, start: int, end: int, taken: list[tuple[int, int]]
    ) -> list[tuple[str, str, Mention]]:
        found: list[tuple[str, str, Mention]] = []
        if self._headline(text[start:end]):
            return found  # headlines in title case would make every phrase a name
        for match in _NAME_RUN.finditer(text, start, end):
            tokens = [(match.start() + t.start(), match.start() + t.end()) for t in re.finditer(r"\S+", match.group())]
            # a registry mention inside the run splits it ("U.N. Nikki Haley")
            runs: list[list[tuple[int, int]]] = [[]]
            for tok in tokens:
                if any(s < tok[1] and tok[0] < e for s, e in taken):
                    runs.append([])
                else:
                    runs[-1].append(tok)
            for run in runs:
                if self._titled:
                    run = _without_lead_words(text, run)
                    run = _before_repeat(text, _after_last_title(text, _after_possessive(text, run)))
                    run = _before_glued(text, _before_nickname(text, run))
                candidate = self._clean_run(text, run, start)
                if candidate is None:
                    continue
                if self._titled and fold(candidate[0]) in self._demonyms:
                    continue  # "North Korean" is a demonym (the demonym source reads it)
                if self._titled and fold(candidate[0].split()[-1]) in _THING_WORDS:
                    if _BODY_AFTER.match(text, candidate[2].end):
                        candidate = (candidate[0], "organisation", candidate[2])  # "the Citizen Revolution movement"
                    elif not _after_title(text, candidate[2].start):
                        continue  # "Korean War" is no actor
                found.append(candidate)
        return found

    @staticmethod
    def _clean_run(text: str, run: list[tuple[int, int]], sentence_start: int) -> tuple[str, str, Mention] | None:
        titled = False
        # drop leading titles, demonyms before a title ("Bolivian Ambassador") and stop words
        while run:
            word = fold(text[run[0][0] : run[0][1]]).rstrip(",")
            nxt = fold(text[run[1][0] : run[1][1]]) if len(run) > 1 else ""
            if word in _TITLES:
                titled = True
            elif word in _STOP or (nxt in _TITLES and re.search(r"(an|ese|ish|i)$", word)):
                pass
            else:
                break
            run.pop(0)
        while run and fold(text[run[-1][0] : run[-1][1]]) in _PARTICLES:
            run.pop()
        if not run:
            return None
        m_start, m_end = run[0][0], run[-1][1]
        surface = text[m_start:m_end]
        poss = _POSSESSIVE.search(surface)
        if poss:
            m_end -= len(poss.group())
        while m_end > m_start and text[m_end - 1] in ".,;:!?\"”":
            m_end -= 1
        surface = text[m_start:m_end]
        if not surface or text[m_end : m_end + 1] == ":" and not text[sentence_start:m_start].strip():
            return None  # a "Label:" lead-in, not a name
        words = [fold(w) for w in surface.split()]
        if any(w in _STOP for w in words):
            return None
        if sum(w[:1].isupper() for w in surface.split()) < 2 and not titled:
            return None
        kind = "organisation" if any(w in _ORG_WORDS for w in words) else "person"
        return surface, kind, Mention(surface, m_start, m_end)

    # -- the document pass ------------------------------------------------------------
    def find(self, text: str, sentences: Sequence[SentenceSpan]) -> list[list[Candidate]]:
        """Return, per sentence, its candidates (one per actor, first mention kept)."""
        folded = fold(text)  # once per document: both passes match aliases in it
        found = self._first_pass(text, folded, sentences)
        return self._extend(text, folded, sentences, found) if self.sources else found

    def _first_pass(self, text: str, folded: str, sentences: Sequence[SentenceSpan]) -> list[list[Candidate]]:
        """The registry, names, pronouns and registry roles (the first finder's sources)."""
        seen: dict[str, _Entity] = {}  # canonical name -> entity
        surnames: dict[str, str] = {}  # folded surname -> unregistered full name
        cues: dict[str, str] = {}  # unregistered person -> "he"/"she" from a title next to the name
        out: list[list[Candidate]] = []
        for index, span in enumerate(sentences):
            found: list[tuple[int, Candidate]] = []
            taken: list[tuple[int, int]] = []
            for actor, mention in self._registry_mentions(text, folded, span.start, span.end):
                taken.append((mention.start, mention.end))
                if actor.kind == "place":
                    continue
                found.append((mention.start, Candidate(actor.name, actor.kind, mention, "generic" if actor.generic else "registry")))
            descriptions: list[tuple[int, Candidate]] = []
            for role_match in self._role_re.finditer(folded, span.start, span.end) if self._role_re else []:
                if any(s < role_match.end() and role_match.start() < e for s, e in taken):
                    continue
                key = re.sub(r"^(?:the|former)\s+", "", role_match.group())
                holders = self._roles[key]
                recent = [seen[a.name] for a in holders if a.name in seen]
                if recent:
                    name = max(recent, key=lambda e: (e.last_sentence, e.last_offset)).name
                elif len(holders) == 1:
                    name = holders[0].name
                else:
                    continue
                mention = Mention(text[role_match.start() : role_match.end()], role_match.start(), role_match.end())
                taken.append((mention.start, mention.end))
                descriptions.append((mention.start, Candidate(name, "person", mention, "description")))
            for surface, kind, mention in self._name_mentions(text, span.start, span.end, taken):
                taken.append((mention.start, mention.end))
                words = surface.split()
                full = surnames.get(fold(surface), surface) if len(words) == 1 else surface
                found.append((mention.start, Candidate(full, kind, mention, "name")))
            # surnames of unregistered people seen before ("Haley said")
            for word in (_SURNAME if self._titled else _SURNAME_FIRST).finditer(text[span.start : span.end]):
                s, e = span.start + word.start(), span.start + word.end()
                key = fold(word.group())
                if key in surnames and not any(ts < e and s < te for ts, te in taken):
                    taken.append((s, e))
                    found.append((s, Candidate(surnames[key], "person", Mention(word.group(), s, e), "name")))
            # a description followed by a name is that name's title ("Colombian President Iván Duque")
            starts = {pos for pos, _ in found}
            for pos, cand in descriptions:
                rest = text[cand.mention.end : span.end]
                if not any(cand.mention.end + len(rest) - len(rest.lstrip()) == s for s in starts):
                    found.append((pos, cand))
            if self._titled:  # "Mrs. Jane Roe", "the spokeswoman, Ana Ortiz": the pronoun of a new name
                for _pos, c in found:
                    if c.source == "name" and c.kind == "person" and c.actor not in cues:
                        cue = _title_pronoun(text, span.start, c.mention.start)
                        if cue:
                            cues[c.actor] = cue
            for pronoun in (_PRONOUN_CONTRACTED if self._titled else _PRONOUN).finditer(text, span.start, span.end):
                word = pronoun.group().lower()

                def fits(name: str, word: str = word) -> bool:
                    actor = self.registry.get(name)
                    known = actor.pronoun if actor is not None and actor.pronoun else cues.get(name)
                    return known is None or known == word

                before = [c for pos, c in found if pos < pronoun.start() and c.kind == "person" and fits(c.actor)]
                if before:
                    name = before[-1].actor
                else:
                    people = [e for e in seen.values() if e.kind == "person" and fits(e.name)]
                    if not people:
                        continue
                    name = max(people, key=lambda e: (e.last_sentence, e.last_offset)).name
                mention = Mention(pronoun.group(), pronoun.start(), pronoun.end())
                found.append((pronoun.start(), Candidate(name, "person", mention, "pronoun")))
            found.sort(key=lambda item: item[0])
            candidates: dict[str, Candidate] = {}
            for pos, cand in found:
                # one candidate per actor: keep the first mention, but prefer a name over a pronoun
                current = candidates.get(cand.actor)
                if current is None or _PRIORITY[cand.source] < _PRIORITY[current.source]:
                    candidates[cand.actor] = cand
                entity = seen.get(cand.actor)
                if entity is None:
                    seen[cand.actor] = _Entity(cand.actor, cand.kind, cand.source != "name", index, pos)
                else:
                    entity.last_sentence, entity.last_offset = index, pos
                if cand.source == "name" and cand.kind == "person" and (len(cand.actor.split()) >= 2 or self._titled):
                    # with titled_names a one-word name came with its title ("Gov. Cuomo"): a person
                    for key in _surname_keys(cand.actor) if self._titled else [fold(cand.actor.split()[-1])]:
                        surnames.setdefault(key, cand.actor)
            out.append(list(candidates.values()))
        return self._fullest_names(out)

    # -- the extra sources ---------------------------------------------------------------
    def _extend(
        self, text: str, folded: str, spans: Sequence[SentenceSpan], found: list[list[Candidate]]
    ) -> list[list[Candidate]]:
        """Add the candidates of the extra sources to the first pass's, sentence by sentence."""
        out: list[list[Candidate]] = [list(cands) for cands in found]
        if self._titled:
            self._registered_surnames(text, spans, out)
            self._named_surnames(text, spans, out)
            self._acronyms(text, spans, out)
            self._washington_state(text, folded, spans, out)
        titles: dict[str, str] = {}  # title word -> the latest person named with it
        people: dict[str, int] = {}  # person -> the latest sentence it is a candidate of
        latest_group: str | None = None
        latest_subjects: list[str] = []
        previous_subjects: list[str] = []
        latest_of: dict[str, str] = {}  # "body", "state" (within a country), "country" -> the latest named
        recent_countries: list[str] = []  # the countries named latest, oldest first
        for i, span in enumerate(spans):
            cands = out[i]

            def add(actor: str, kind: str, mention: Mention | None, source: str, cands: list[Candidate] = cands) -> None:
                _add_new(cands, Candidate(actor, kind, mention, source))

            if "title" in self.sources:
                # "the group", "the state", "the country": the latest body or state of that sort named
                for match in _BODY_DESC.finditer(text, span.start, span.end):
                    noun = match.group(1).lower()
                    sort = "country" if noun in ("country", "nation") else "state" if noun in ("state", "city") else "body"
                    here = [c for c in cands if c.mention is not None and c.mention.end <= match.start()
                            and self._sort_of(c) == sort]
                    target = here[-1].actor if here else latest_of.get(sort)
                    if target:
                        add(target, "state" if sort != "body" else "organisation",
                            Mention(match.group(), match.start(), match.end()), "description")
                for match in _TWO_DESC.finditer(text, span.start, span.end):
                    here = [c.actor for c in cands if c.mention is not None and c.mention.end <= match.start()
                            and self._sort_of(c) == "country"]
                    pool = list(dict.fromkeys(reversed(recent_countries + here)))[:2]  # the latest two, distinct
                    if len(pool) == 2:
                        for target in pool:
                            add(target, "state", Mention(match.group(), match.start(), match.end()), "description")
                for match in _TITLE_DESC.finditer(text, span.start, span.end):
                    # the latest person named with the title, else the latest registered one whose
                    # roles carry it ("Trump" ... "the president": roles "U.S. president")
                    person = titles.get(match.group(1).lower()) or self._role_holder(match.group(1).lower(), people)
                    if person:
                        add(person, "person", Mention(match.group(), match.start(), match.end()), "description")
                # a role that holds a registry alias ("the U.S. president"): the first pass took the alias
                for match in self._role_re.finditer(folded, span.start, span.end) if self._role_re else []:
                    key = re.sub(r"^(?:the|former)\s+", "", match.group())
                    holders = self._roles[key]
                    recent = [a.name for a in holders if a.name in people]
                    if recent:  # roles are the registry's today: only a holder the document names counts
                        add(max(recent, key=people.__getitem__), "person", Mention(text[match.start() : match.end()], match.start(), match.end()), "description")
                # "his government", "her administration": the state of the person named latest
                for match in _HIS_GOVERNMENT.finditer(text, span.start, span.end):
                    here = [c.actor for c in cands if c.kind == "person" and c.mention is not None
                            and c.mention.end <= match.start()]
                    person = here[-1] if here else max(people, key=people.__getitem__) if people else None
                    actor = self.registry.get(person) if person else None
                    state = self.registry.get(actor.country) if actor is not None and actor.country else None
                    if state is not None:
                        add(state.name, state.kind, Mention(match.group(), match.start(), match.end()), "description")
            if "demonym" in self.sources and self._demonym_re is not None:
                for match in self._demonym_re.finditer(folded, span.start, span.end):
                    surface = text[match.start() : match.end()]
                    actor = self._demonyms[match.group()]
                    plural = surface.endswith("s") and not surface.endswith("ss")
                    if surface[:1].isupper() and (plural or _GROUP_AFTER.match(text, match.end())):
                        add(actor.name, actor.kind, Mention(surface, match.start(), match.end()), "demonym")
            if "plural_pronoun" in self.sources:
                groups = [c.actor for c in cands if c.kind in ("state", "group", "organisation") and c.mention is not None]
                for match in _PLURAL_PRONOUN.finditer(text, span.start, span.end):
                    before = [c.actor for c in cands if c.kind in ("state", "group", "organisation")
                              and c.mention is not None and c.mention.start < match.start()]
                    # the latest group named, and (no antecedent in the sentence) the one that opened
                    # the latest sentence naming one: "According to critics of the deal, Obama got
                    # played. If he had waited, they argue..." -> critics
                    targets = [before[-1]] if before else [t for t in (latest_group, *latest_subjects) if t]
                    for target in targets:
                        add(target, "group", Mention(match.group(), match.start(), match.end()), "pronoun")
                # "it said", "the government says": a body or state speaks, the one that opened the
                # latest sentence naming one ("The Russian foreign ministry denounced..." -> Russia)
                for match in _IT_SAID.finditer(text, span.start, span.end):
                    before = [c for c in cands if c.kind in ("state", "group", "organisation") and c.mention is not None
                              and c.mention.start < match.start() and not _inside_quote(text, span.start, c.mention.start)]
                    for target in [c.actor for c in _first_mentioned(before)] if before else latest_subjects:
                        add(target, "group", Mention(match.group(1), match.start(1), match.end(1)), "pronoun")
                opening = _IT_OPENS.match(text, span.start, span.end)
                if opening and previous_subjects:
                    for target in previous_subjects:
                        add(target, "group", Mention("It", opening.start(1), opening.end(1)), "pronoun")
                # the subject of this sentence, if a body or state opens it, for an "It" opening the next
                mentioned = [c for c in cands if c.mention is not None and c.source != "context"]
                previous_subjects = ([c.actor for c in _first_mentioned(mentioned)
                                      if c.kind in ("state", "group", "organisation")] if mentioned else [])
                if groups:
                    latest_group = groups[-1]
                    latest_subjects = [c.actor for c in _first_mentioned(
                        [c for c in cands if c.kind in ("state", "group", "organisation") and c.mention is not None])]
            for c in sorted((c for c in cands if c.mention is not None and c.source != "description"),
                            key=lambda c: c.mention.start):
                sort = self._sort_of(c)
                if sort:
                    latest_of[sort] = c.actor
                if sort == "country":
                    recent_countries = [a for a in recent_countries if a != c.actor][-3:] + [c.actor]
            # titles seen with a name in this sentence, for later descriptions ("President Trump" ... "the president")
            for c in cands:
                if c.kind == "person":
                    people[c.actor] = i
                if c.kind == "person" and c.mention is not None:
                    lead = fold(text[max(span.start, c.mention.start - 40) : c.mention.start]).split()[-3:]
                    words = {_TITLE_ABBREVIATIONS.get(w, w) for w in lead} | set(fold(c.mention.text).split())
                    for word in _TITLE_WORDS:
                        if word in words:
                            titles[word] = c.actor
        if "quote" in self.sources:
            self._add_quote_speakers(text, spans, out)
        if "author" in self.sources:
            author = self._author(text, spans, out)
            if author is not None:
                for cands in out:
                    _add_new(cands, Candidate(author, "person", None, "author"))
        if "context" in self.sources:
            # people only: implicit holders are quotes' and paragraphs' speakers; with wide_context
            # also the previous sentence's states and bodies and every named actor of the sentence
            # before it (one candidate more per sentence, dev coverage 0.950 -> 0.967: eval/coverage.py)
            wide = "wide_context" in self.sources
            for i in range(1, len(spans)):
                for j in range(max(0, i - 2) if wide else i - 1, i):
                    for c in found[j]:
                        if c.kind == "person" or wide and c.kind in ("state", "group", "organisation"):
                            _add_new(out[i], Candidate(c.actor, c.kind, None, "context"))
        return out

    def _sort_of(self, c: Candidate) -> str | None:
        """What a description may call a candidate: "body" (group, organisation), "country" (a state
        that is its own country) or "state" (a state or city within a country), else None."""
        if c.kind in ("group", "organisation"):
            return None if c.source == "generic" else "body"
        if c.kind != "state":
            return None
        actor = self.registry.get(c.actor)
        country = actor.country if actor is not None else None
        return "state" if country and fold(country) != fold(c.actor) else "country"

    def _role_holder(self, title: str, people: dict[str, int]) -> str | None:
        """The person seen latest in the document whose registry roles carry ``title``."""
        holders = [name for name in people if (actor := self.registry.get(name)) is not None
                   and any(title in fold(role).split() for role in actor.roles)]
        return max(holders, key=people.__getitem__) if holders else None

    def _registered_surnames(self, text: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]]) -> None:
        """A registered person named in full earlier in the document is also his or her surname
        alone afterwards ("Rand Paul" ... "Paul said"), where the registry lists only the full name."""
        surnames: dict[str, str] = {}
        for i, span in enumerate(spans):
            for match in _SURNAME_NOT_POSSESSIVE.finditer(text[span.start : span.end]):
                name = surnames.get(fold(match.group()))
                s, e = span.start + match.start(), span.start + match.end()
                if name and not any(c.mention and c.mention.start <= s < c.mention.end for c in out[i]):
                    _add_new(out[i], Candidate(name, "person", Mention(match.group(), s, e), "registry"))
            for c in out[i]:
                actor = self.registry.get(c.actor)
                if actor is not None and actor.kind == "person" and c.mention and len(c.mention.text.split()) >= 2:
                    surnames.setdefault(fold(actor.name.split()[-1]), actor.name)

    def _named_surnames(self, text: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]]) -> None:
        """An unregistered person named in full anywhere in the document is also his or her surname
        alone in any sentence, before the full name too (a headline: "Booker begins 2020 bid")."""
        surnames: dict[str, str | None] = {}
        for cands in out:
            for c in cands:
                words = c.actor.split()
                if c.source == "name" and c.kind == "person" and len(words) >= 2 and self.registry.get(c.actor) is None:
                    for key in _surname_keys(c.actor):
                        surnames[key] = c.actor if surnames.get(key, c.actor) == c.actor else None  # two people: neither
        _add_short_forms(text, spans, out, _SURNAME, surnames, "person", key=fold)

    def _acronyms(self, text: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]]) -> None:
        """An unregistered organisation named in full anywhere in the document is also its acronym
        ("Marijuana Policy Project" ... "MPP said"): the initials of its capitalised words, or the
        letters in brackets after the name ("Law Enforcement Leaders (LEL)")."""
        names: dict[str, str | None] = {}
        for cands in out:
            for c in cands:
                words = c.actor.split()
                if c.source != "name" or len(words) < 2 or c.mention is None or self.registry.get(c.actor):
                    continue
                bracket = _BRACKET_ACRONYM.match(text, c.mention.end)
                keys = {bracket.group(1)} if bracket else set()
                if c.kind == "organisation":
                    keys.add("".join(w[0] for w in words if w[:1].isupper()))
                for key in keys:
                    if len(key) >= 2:
                        names[key] = c.actor if names.get(key, c.actor) == c.actor else None  # two: neither
        _add_short_forms(text, spans, out, _ACRONYM, names, "organisation")

    def _washington_state(self, text: str, folded: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]]) -> None:
        """"Washington" listed with U.S. states ("Colorado and Washington") is Washington State
        (and the United States stays a candidate where the sentence names it otherwise too)."""
        state = self.registry.get("Washington State")
        if state is None:
            return
        for span, cands in zip(spans, out):
            for k, c in enumerate(cands):
                if c.actor != "United States" or c.mention is None or c.mention.text != "Washington":
                    continue
                near = text[max(0, c.mention.start - 25) : c.mention.end + 25]
                others = [o for o in cands if o is not c and o.kind == "state" and o.mention is not None
                          and (self.registry.get(o.actor) or state).country == "United States" and o.actor != "United States"]
                if any(o.mention.text in near for o in others) and re.search(r"\b(?:and|or)\b|,", near):
                    cands[k] = Candidate(state.name, "state", c.mention, c.source)
                    other = next((m for a, m in self._registry_mentions(text, folded, span.start, span.end)
                                  if a.name == "United States" and m.text != "Washington"), None)
                    if other is not None:
                        cands.append(Candidate("United States", "state", other, "registry"))

    def _add_quote_speakers(self, text: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]]) -> None:
        """Give every sentence of a quote its speaker ("I", "we" in it as the mention, else none).

        A quote runs from an opening to a closing quotation mark, across sentences and
        paragraphs; its speaker is the candidate nearest a speech verb ("said", "told",
        "according to") in a sentence of the quote, else in the sentence right after it, else
        in the one before it when that one introduces it.
        """
        state = []  # per sentence: (inside a quote at its start, inside at its end, has quoted text)
        inside = False
        for span in spans:
            start_inside, quoted = inside, inside
            for ch in span.text:
                if ch == "“":
                    inside, quoted = True, True
                elif ch == "”":
                    inside = False
                elif ch == '"':
                    inside = not inside
                    quoted = True
            state.append((start_inside, inside, quoted))
        speakers = [self._speaker(text, span, out[i]) for i, span in enumerate(spans)]
        previous: tuple[int, tuple[str, str]] | None = None  # (last sentence, speaker) of the latest quote
        i = 0
        while i < len(spans):
            if not state[i][2]:
                i += 1
                continue
            j = i
            while j + 1 < len(spans) and state[j][1]:  # the quote stays open into the next sentence
                j += 1
            group = range(i, j + 1)
            speaker = next((speakers[k] for k in group if speakers[k]), None)
            if speaker is None and j + 1 < len(spans) and not state[j + 1][2]:
                speaker = speakers[j + 1]
            if speaker is None and i > 0 and not state[i - 1][2] and spans[i - 1].text.rstrip().endswith(":"):
                speaker = speakers[i - 1]
            if speaker is None and previous is not None and previous[0] == i - 1:
                speaker = previous[1]  # a quote right after another one, unattributed: the same speaker goes on
            if speaker is not None:
                previous = (j, speaker)
                for k in group:
                    first = _FIRST_PERSON_RE.search(text, spans[k].start, spans[k].end)
                    mention = Mention(first.group(), first.start(), first.end()) if first else None
                    _add_new(out[k], Candidate(speaker[0], speaker[1], mention, "first_person" if first else "quote"))
            i = j + 1

    def _author(self, text: str, spans: Sequence[SentenceSpan], out: list[list[Candidate]]) -> str | None:
        """The author an opinion piece names: a byline in its first sentences ("By Jane Roe"), or the
        person named first in an editor's note, story highlights or a bio line ("Jane Roe is a
        senior fellow at...")."""
        for i in range(min(4, len(spans))):
            byline = _BYLINE.match(spans[i].text)
            if byline:
                return byline.group(1).rstrip(".,")
        if spans:
            headline = _AUTHOR_HEADLINE.match(spans[0].text)
            name = (headline.group(1) or headline.group(2)) if headline else None
            words = fold(name).split() if name else []
            if name and not any(w in _TITLES or w in _MORE_TITLES or w in _ORG_WORDS or w in _STOP for w in words):
                actor = self.registry.get(name)
                if actor is None or actor.kind == "person":
                    return actor.name if actor is not None else name
        # a line that is only a person's name, under the headline ("Jane Roe", then "USA TODAY")
        for i in range(1, min(4, len(spans))):
            line = spans[i].text.strip().rstrip(".,")
            people = [c for c in out[i] if c.kind == "person" and c.mention is not None and c.source in ("name", "registry")]
            # and words that are no common words of the text ("Story Continued Below" is page furniture)
            if (len(people) == 1 and people[0].mention.text == line and len(line.split()) >= 2
                    and not any(re.search(r"(?<![\w'’])" + re.escape(w.lower()) + r"(?![\w'’])", text)
                                for w in line.split())):
                return people[0].actor
        edges = {*range(min(4, len(spans))), *range(max(0, len(spans) - 3), len(spans))}
        for i in range(len(spans)):
            if _AUTHOR_NOTE.search(spans[i].text) or (i in edges and _AUTHOR_BIO.match(spans[i].text)):
                people = [c.actor for c in out[i] if c.kind == "person" and c.mention is not None and c.source != "pronoun"]
                if people:
                    return people[0]
        return None

    @staticmethod
    def _speaker(text: str, span: SentenceSpan, cands: list[Candidate]) -> tuple[str, str] | None:
        """The candidate nearest a speech verb of the sentence, outside quoted text, or None."""
        best: tuple[int, Candidate] | None = None
        for verb in _SPEECH.finditer(text, span.start, span.end):
            for c in cands:
                if c.mention is None or c.kind == "place":
                    continue
                gap = verb.start() - c.mention.end if c.mention.end <= verb.start() else c.mention.start - verb.end()
                if 0 <= gap <= 60 and (best is None or gap < best[0]):
                    best = (gap, c)
        return (best[1].actor, best[1].kind) if best else None

    @staticmethod
    def _fullest_names(per_sentence: list[list[Candidate]]) -> list[list[Candidate]]:
        """Rename unregistered people to the fullest form of their name in the document."""
        names = {c.actor for cands in per_sentence for c in cands if c.source in ("name", "pronoun")}
        fullest: dict[str, str] = {}
        for name in names:
            longer = [n for n in names if n != name and fold(n).endswith(" " + fold(name))]
            fullest[name] = max(longer, key=len) if longer else name
        renamed = []
        for cands in per_sentence:
            merged: dict[str, Candidate] = {}
            for c in cands:
                name = fullest.get(c.actor, c.actor) if c.source in ("name", "pronoun") else c.actor
                if name not in merged:
                    merged[name] = Candidate(name, c.kind, c.mention, c.source) if name != c.actor else c
            renamed.append(list(merged.values()))
        return renamed


def given_candidates(span: SentenceSpan, targets: Sequence[str | dict]) -> list[Candidate]:
    """Return the candidates of one sentence from given targets instead of the finder.

    A target is an actor name (no mention in the sentence: the actor is the condition,
    as SemEval's "Hillary Clinton" is for a tweet) or a dict ``{"actor", "mentions",
    "start"}``: the mention string and, optionally, its character offset in the sentence
    (first occurrence otherwise). The mention is marked exactly as a found one would be.

    >>> from stance.sentences import SentenceSpan
    >>> span = SentenceSpan(0, 21, "Critics blamed Trump.")
    >>> [c.mention.start for c in given_candidates(span, [{"actor": "Donald Trump", "mentions": "Trump"}])]
    [15]
    """
    out = []
    for target in targets:
        if isinstance(target, str):
            target = {"actor": target}
        mention_text = target.get("mentions")
        mention = None
        if mention_text:
            start = target.get("start")
            if start is None:
                start = span.text.find(mention_text)
            if start < 0 or span.text[start : start + len(mention_text)] != mention_text:
                raise StanceError("E039", reason=f"mention {mention_text!r} of target {target['actor']!r} is not in "
                                  f"the sentence {span.text[:80]!r}")
            mention = Mention(mention_text, span.start + start, span.start + start + len(mention_text))
        # a teacher's scored candidate keeps how the teacher found it (stance.distillation)
        source = target.get("source") if target.get("source") in _PRIORITY else "given"
        out.append(Candidate(target["actor"], target.get("kind", "person"), mention, source))
    return out


def sentence_candidates(
    finder: CandidateFinder, text: str, spans: Sequence[SentenceSpan], targets: Sequence[Sequence[str | dict] | None] | None
) -> list[list[Candidate]]:
    """Return each sentence's candidates: its given targets where there are some, else the finder's."""
    if targets is not None and len(targets) != len(spans):
        raise StanceError("E039", reason=f"{len(targets)} entries for {len(spans)} sentences (one per sentence, None for the finder)")
    found = finder.find(text, spans) if targets is None or any(t is None for t in targets) else None
    return [
        given_candidates(span, targets[i]) if targets is not None and targets[i] is not None else found[i]  # type: ignore[index]
        for i, span in enumerate(spans)
    ]
