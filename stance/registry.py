"""The actor registry: canonical actors, their aliases, kinds and role descriptions.

The registry is data (``actors.jsonl``, one actor per line); adding an actor or an
alias there is picked up at prediction time without retraining.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StanceError
from .jsonl import iter_json_lines

__all__ = ["Actor", "ActorRegistry", "fold", "names_match"]

# "place" entries only keep their words from matching other aliases ("North America")
KINDS = ("person", "state", "organisation", "group", "place")
PRONOUNS = ("he", "she", "they")


def fold(text: str) -> str:
    """Return ``text`` case-folded with diacritics removed, one character per character.

    Keeping the length lets offsets found in the folded text index the original.

    >>> fold("Nicolás MADURO")
    'nicolas maduro'
    """
    if text.isascii():
        return text.lower()
    return "".join([_FOLDED.get(ch) or _fold_char(ch) for ch in text])


_FOLDED: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    """Fold one character (memoised in ``_FOLDED``: news text uses few distinct ones)."""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    folded = base if len(base) == 1 else ch.lower()[:1] or ch
    _FOLDED[ch] = folded = "'" if folded == "’" else folded
    return folded


def _name_tokens(name: str) -> list[str]:
    """Folded tokens without final periods, middle initials left out ("Jerome M. Adams" -> jerome adams)."""
    tokens = [t.rstrip(".") for t in fold(name).split()]
    tokens = [t for t in tokens if t]
    return [t for i, t in enumerate(tokens) if len(t) > 1 or i in (0, len(tokens) - 1)]


_ACRONYM_NAME = re.compile(r"[A-Z]{2,6}")


def names_match(a: str, b: str) -> bool:
    """Return True when one name is the other's trailing tokens ("Pompeo" ~ "Mike Pompeo"),
    middle initials and final periods aside ("Jerome M. Adams" ~ "Jerome Adams", "Jr." ~ "Jr").

    >>> names_match("Pompeo", "Mike Pompeo"), names_match("Pompeo", "Mike Pence")
    (True, False)
    >>> names_match("Cynthia H. Coffman", "Cynthia Coffman")
    True

    An acronym is the name whose capitalised words it abbreviates ("ACLU" ~ "American Civil
    Liberties Union"; the guide names bodies by their common name, which may be either).

    >>> names_match("ACLU", "American Civil Liberties Union"), names_match("ACLU", "American Civil Union")
    (True, False)
    """
    for short_name, long_name in ((a, b), (b, a)):
        if _ACRONYM_NAME.fullmatch(short_name.strip()) and len(long_name.split()) >= 2:
            if "".join(w[0] for w in long_name.split() if w[:1].isupper()) == short_name.strip():
                return True
    ta, tb = _name_tokens(a), _name_tokens(b)
    if not ta or not tb:
        return False
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return long[-len(short) :] == short


@dataclass
class Actor:
    """A canonical actor: ``name`` is what claims carry; aliases are surface forms."""

    name: str
    kind: str = "person"
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    generic: bool = False
    # adjectives and collective nouns for a state or body ("Brazilian", "Brazilians"): with a group
    # noun ("Brazilian officials") or alone in the plural ("the Iranians") they refer to it
    demonyms: list[str] = field(default_factory=list)
    # the pronoun a person is referred to with ("he", "she", "they"): a "she" is never resolved to
    # an actor whose pronoun is "he" (None: either)
    pronoun: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the actor as its registry line."""
        data: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "aliases": self.aliases,
            "roles": self.roles,
        }
        if self.generic:
            data["generic"] = True
        if self.demonyms:
            data["demonyms"] = self.demonyms
        if self.pronoun:
            data["pronoun"] = self.pronoun
        return data


class ActorRegistry:
    """Canonical actors, looked up by name or alias.

    >>> reg = ActorRegistry([Actor("Gustavo Petro", aliases=["Petro"])])
    >>> reg.canonical("petro")
    'Gustavo Petro'
    """

    def __init__(self, actors: list[Actor]) -> None:
        self.actors = list(actors)
        self._by_key: dict[str, Actor] = {}
        for actor in self.actors:
            for surface in [actor.name, *actor.aliases]:
                self._by_key.setdefault(self._key(surface), actor)

    @staticmethod
    def _key(surface: str) -> str:
        key = fold(surface).strip()
        return key[4:] if key.startswith("the ") else key

    def __len__(self) -> int:
        return len(self.actors)

    def __iter__(self):
        return iter(self.actors)

    def get(self, surface: str) -> Actor | None:
        """Return the actor whose name or alias is ``surface`` (case and accents aside)."""
        return self._by_key.get(self._key(surface))

    def canonical(self, name: str) -> str:
        """Return the canonical name for ``name``, or ``name`` itself when unregistered."""
        actor = self.get(name)
        return actor.name if actor else name

    def same_actor(self, a: str, b: str) -> bool:
        """Return True when two actor names denote the same actor.

        Registered names compare by canonical name; unregistered names match when one is
        the other's trailing tokens.
        """
        ca, cb = self.canonical(a), self.canonical(b)
        if fold(ca) == fold(cb):
            return True
        if self.get(a) and self.get(b):
            return False
        return names_match(ca, cb)

    def with_actors(self, actors: list[Actor]) -> ActorRegistry:
        """Return a registry with ``actors`` added (later entries win on shared aliases)."""
        return ActorRegistry([*actors, *self.actors])

    def to_disk(self, path: str | os.PathLike[str]) -> None:
        """Write the registry as JSON Lines."""
        with Path(path).open("w", encoding="utf-8") as out:
            for actor in self.actors:
                out.write(json.dumps(actor.to_dict(), ensure_ascii=False) + "\n")

    @classmethod
    def from_disk(cls, path: str | os.PathLike[str]) -> ActorRegistry:
        """Read a registry from JSON Lines, one actor per line."""
        path = Path(path)
        if not path.is_file():
            raise StanceError("E001", path=path)
        return cls([cls._parse(data, path, number) for number, data in iter_json_lines(path)])

    @staticmethod
    def _parse(data: Any, path: Path, number: int) -> Actor:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"].strip():
            raise StanceError("E021", path=path, line=number, reason="needs a non-empty string 'name'")
        kind = data.get("kind", "person")
        if kind not in KINDS:
            raise StanceError("E021", path=path, line=number, reason=f"kind must be one of {', '.join(KINDS)}")
        for key in ("aliases", "roles", "demonyms"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise StanceError("E021", path=path, line=number, reason=f"'{key}' must be a list of strings")
        pronoun = data.get("pronoun")
        if pronoun is not None and pronoun not in PRONOUNS:
            raise StanceError("E021", path=path, line=number, reason=f"'pronoun' must be one of {', '.join(PRONOUNS)}")
        return Actor(
            name=data["name"],
            kind=kind,
            country=data.get("country"),
            aliases=list(data.get("aliases", [])),
            roles=list(data.get("roles", [])),
            generic=bool(data.get("generic", False)),
            demonyms=list(data.get("demonyms", [])),
            pronoun=pronoun,
        )
