"""Words: normalising, abbreviations, stemming and the everyday-phrase vocabulary.

Everything here is generic English and the data files under ``matching/data/``;
nothing is specific to one partnership.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "\u00a0": " ",
    }
)
_WORD = re.compile(r"[a-z0-9&]+(?:'[a-z]+)*")
_SECTION = re.compile(r"\b(?:s|sec|section)\s*\.?\s*(17|20|31|47)\b", re.IGNORECASE)


class _WordsLoader(yaml.SafeLoader):
    """Safe YAML in which every plain scalar is a string: ``no`` and ``on`` are words here."""


_WordsLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:str"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_data(name: str) -> Any:
    """A YAML file shipped in ``continuum.matching.data`` (all scalars read as text)."""
    text = resources.files("continuum.matching").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_WordsLoader)  # a SafeLoader subclass


def fold(text: str) -> str:
    """Typographic quotes and dashes to plain ones; section numbers to ``s47`` form."""
    return _SECTION.sub(lambda m: f"s{m.group(1)}", text.translate(_FOLD))


def words(text: str) -> list[str]:
    """Lower-case words with apostrophes dropped ("doesn't" → "doesnt", "mum's" → "mums")."""
    return [w.replace("'", "") for w in _WORD.findall(fold(text).lower())]


class _Stemmer:
    """Snowball English stemming (PyStemmer), memoised; PyStemmer objects are not thread-safe."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()
        self._memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._memo.get(word)
        if stem is None:
            with self._lock:
                stem = self._stemmer.stemWord(word)
            if len(self._memo) < 200_000:
                self._memo[word] = stem
        return stem

    def many(self, items: Iterable[str]) -> list[str]:
        return [self(w) for w in items]


@lru_cache(maxsize=1)
def stemmer() -> _Stemmer:
    return _Stemmer()


@dataclass(frozen=True)
class Phrase:
    say: tuple[str, ...]  # stemmed words
    means: tuple[str, ...]  # stemmed words added to the query


class Vocabulary:
    """Abbreviations and everyday phrases, from ``data/synonyms.yaml``."""

    def __init__(self, data: dict[str, Any]):
        self.abbreviations: dict[str, str] = {
            str(k).lower(): str(v) for k, v in (data.get("abbreviations") or {}).items()
        }
        self.upper: dict[str, str] = {str(k): str(v) for k, v in (data.get("abbreviations_upper") or {}).items()}
        stem = stemmer()
        by_first: dict[str, list[Phrase]] = {}
        for group in data.get("phrases") or []:
            means = tuple(stem.many(words(group["means"])))
            for say in group["say"]:
                tokens = tuple(stem.many(words(str(say))))
                if tokens:
                    by_first.setdefault(tokens[0], []).append(Phrase(tokens, means))
        for phrases in by_first.values():
            phrases.sort(key=lambda p: -len(p.say))
        self._by_first = by_first
        abbreviated = [re.escape(k) for k in sorted(self.abbreviations, key=len, reverse=True)]
        self._abbrev = re.compile(r"(?<![A-Za-z0-9&])(" + "|".join(abbreviated) + r")(?![A-Za-z0-9&])", re.IGNORECASE)
        upper = [re.escape(k) for k in sorted(self.upper, key=len, reverse=True)]
        self._upper = re.compile(r"(?<![A-Za-z0-9&])(" + "|".join(upper) + r")(?![A-Za-z0-9&])")

    def expand_abbreviations(self, text: str) -> str:
        """Spell out abbreviations in place ("DV" → "domestic violence abuse")."""
        text = fold(text)
        text = self._upper.sub(lambda m: self.upper[m.group(1)], text)
        return self._abbrev.sub(lambda m: self.abbreviations[m.group(1).lower()], text)

    def phrase_meanings(self, stems: Sequence[str]) -> list[str]:
        """The stemmed ``means`` words of every everyday phrase found in ``stems``."""
        groups: dict[tuple[str, ...], None] = {}
        for i, first in enumerate(stems):
            for phrase in self._by_first.get(first, ()):
                if tuple(stems[i : i + len(phrase.say)]) == phrase.say:
                    groups[phrase.means] = None
        return [word for means in groups for word in means]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return Vocabulary(load_data("synonyms.yaml"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Stop words, as written and as stemmed."""
    listed = {str(w) for w in load_data("language.yaml")["stopwords"]}
    return frozenset(listed | set(stemmer().many(listed)))


def lexical_tokens(text: str, *, expand_phrases: bool = True) -> list[str]:
    """Stemmed content words of ``text``, abbreviations spelled out, phrase meanings added."""
    vocab = vocabulary()
    stem = stemmer()
    all_stems = stem.many(words(vocab.expand_abbreviations(text)))
    stop = stopwords()
    tokens = [s for s in all_stems if s not in stop and len(s) > 1]
    if expand_phrases:
        tokens += [s for s in vocab.phrase_meanings(all_stems) if s not in stop]
    return tokens
