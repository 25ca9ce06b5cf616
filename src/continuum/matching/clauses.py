"""Clauses and their polarity: which parts of a text state a concern and which deny one.

A small NegEx-style reader, driven by the cue lists in ``data/language.yaml``:

* the text is cut into sentences, then into clauses at terminators ("but", "although")
  and at a comma or "and" that starts a new subject ("..., mum drinks");
* in each clause the first negation cue splits it: what comes before is affirmed, what
  follows is denied. A *strong* cue ("no concerns about", "denies", "not known to")
  denies whatever follows. A *weak* cue ("not", "doesn't", "no") is read by the word it
  negates: before a harmful act ("mum isn't drinking") it denies whatever follows; before
  a lack ("she isn't missing school") it is a good report; otherwise it denies only a
  concern that is not itself a lack, so "doesn't feed them" states neglect, which is
  decided per indicator by the matcher;
* a cue after the words it denies ("attendance is not a concern") denies what precedes;
* a good report ("attendance is good") denies a lack of the same thing (a *positive*
  clause) and can be a protective factor;
* "pseudo" phrases look like negation but state a concern ("not safe", "no food").

Uncertainty ("might", "possibly", "I think") is not negation: safeguarding acts on
suspicion, so a hedged concern stays a concern.

Separately, ``reassured`` finds the writer's own conclusion that there is nothing to act on
("explanation fits", "NFA"), which the selection weighs (see ``selection_from_text``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from continuum.matching.text import fold, load_data, stopwords

_SENTENCE = re.compile(r"[.!?;\n()]+")
# Where a writer concludes: whole sentences. A semicolon or a bracketed age ("Leo (2)") does
# not end one, so "both parents gave the same account, which fits the burn; it's healing well"
# is read as the one sentence it is.
_WHOLE_SENTENCE = re.compile(r"[.!?\n]+")
_TOKEN = re.compile(r"[A-Za-z0-9&]+(?:'[A-Za-z]+)*")
_JOINERS = frozenset({"and", "then", "so", "plus", "&"})


class Polarity(StrEnum):
    AFFIRMED = "affirmed"  # states a concern (or a strength)
    DENIED = "denied"  # strong negation: denies any concern it names
    WEAK = "weak"  # denies a concern that is not itself a lack
    POSITIVE = "positive"  # a good report: denies a lack of the same thing


@dataclass(frozen=True)
class Unit:
    """A piece of the text with one polarity.

    ``scope`` holds the words a negation applies to (for a denied, weak or positive unit):
    "can't control her" in "Mum says she can't control her". An indicator counts as denied
    only where these words are its own (see the matcher); empty means the whole ``text``.
    """

    text: str
    polarity: Polarity
    scope: str = ""

    @property
    def negated_words(self) -> str:
        return self.scope or self.text


Cue = tuple[str, ...]


@dataclass(frozen=True)
class _Cues:
    strong_before: frozenset[Cue]
    strong_after: frozenset[Cue]
    weak: frozenset[Cue]
    pseudo: frozenset[Cue]
    positive: frozenset[Cue]
    terminators: frozenset[Cue]
    scope_enders: frozenset[Cue]
    starters: frozenset[str]
    acts: frozenset[str]
    longest: int


def _cue_set(items: list[str]) -> frozenset[Cue]:
    return frozenset(tuple(str(item).replace("'", "").split()) for item in items)


@lru_cache(maxsize=1)
def cues() -> _Cues:
    data = load_data("language.yaml")["negation"]
    sets = {
        name: _cue_set(data[name])
        for name in ("strong_before", "strong_after", "weak", "pseudo", "positive", "terminators", "scope_enders")
    }
    longest = max(len(c) for cue_set in sets.values() for c in cue_set)
    return _Cues(
        **sets,
        starters=frozenset(str(w).replace("'", "") for w in data["clause_starters"]),
        acts=_stems(data["harmful_acts"]),
        longest=longest,
    )


def _stems(listed: list[str]) -> frozenset[str]:
    """The words of ``listed`` and their stems (as the lexical index stems them)."""
    from continuum.matching.text import stemmer

    plain = [str(w).replace("'", "") for w in listed]
    return frozenset(plain) | frozenset(stemmer().many(plain))


@lru_cache(maxsize=1)
def deficit_words() -> frozenset[str]:
    """Stems of words that make an indicator a lack or failure (see ``is_deficit``)."""
    return _stems(load_data("language.yaml")["deficit_words"])


def is_deficit(text: str) -> bool:
    """Whether an indicator states a lack or failure ("poor attendance", "not fed")."""
    from continuum.matching.text import stemmer, words

    tokens = words(text)
    deficit = deficit_words()
    return any(w in deficit for w in tokens) or any(s in deficit for s in stemmer().many(tokens))


@lru_cache(maxsize=1)
def _doubts() -> tuple[frozenset[Cue], int]:
    listed = _cue_set(load_data("language.yaml")["reassurance"].get("doubts") or [])
    return listed, max((len(c) for c in listed), default=0)


def doubted(text: str) -> str | None:
    """The words anywhere in ``text`` that doubt the account ("the explanation doesn't fit"), if any.

    Where the writer doubts what they were told, no conclusion is read, however the text ends.
    """
    from continuum.matching.text import words as text_words

    listed, longest = _doubts()
    return _first_cue(text_words(text), listed, longest)


@lru_cache(maxsize=1)
def _reassurance() -> tuple[frozenset[Cue], frozenset[Cue], frozenset[Cue], int]:
    data = load_data("language.yaml")["reassurance"]
    listed, past = _cue_set(data["conclusions"]), _cue_set(data["past"])
    outcomes = _cue_set(data.get("outcomes") or [])
    return listed, past, outcomes, max(len(c) for c in listed | past | outcomes)


def reassured(text: str) -> str | None:
    """The words in which ``text`` concludes there is nothing to act on, if it does.

    Only the last two whole sentences are read (where a writer concludes), and not a sentence
    about the past ("the last referral was NFA").
    """
    listed, past, _outcomes, longest = _reassurance()
    return _last_words(text, listed, past, longest, split=_WHOLE_SENTENCE)


def need_met(text: str) -> tuple[str, str] | None:
    """The words in which ``text`` ends on the need met now ("back to her usual self"), and its last sentence.

    Read as :func:`reassured` reads a conclusion; the caller checks that the last sentence
    states no concern of its own.
    """
    _listed, past, outcomes, longest = _reassurance()
    found = _last_words(text, outcomes, past, longest)
    if found is None:
        return None
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    return found, sentences[-1]


def _last_words(
    text: str, cue_set: frozenset[Cue], past: frozenset[Cue], longest: int, split: re.Pattern[str] = _SENTENCE
) -> str | None:
    """The first cue of ``cue_set`` in the last two sentences of ``text`` (cut by ``split``) not about the past."""
    from continuum.matching.text import words as text_words

    sentences = [s for s in split.split(fold(text)) if s.strip()]
    for sentence in sentences[-2:]:
        tokens = text_words(sentence)
        if _first_cue(tokens, past, longest) is None and (found := _first_cue(tokens, cue_set, longest)):
            return found
    return None


def _first_cue(tokens: list[str], cue_set: frozenset[Cue], longest: int) -> str | None:
    """The first cue of ``cue_set`` in ``tokens`` (the longest where several start at one word)."""
    for i in range(len(tokens)):
        size = _find(tokens, i, cue_set, longest)
        if size:
            return " ".join(tokens[i : i + size])
    return None


def _find(words: list[str], start: int, cue_set: frozenset[Cue], longest: int) -> int:
    """Length of the longest cue of ``cue_set`` starting at ``start`` (0 if none)."""
    for size in range(min(longest, len(words) - start), 0, -1):
        if tuple(words[start : start + size]) in cue_set:
            return size
    return 0


def _content(words: list[str], least: int = 1) -> bool:
    """Whether ``words`` hold at least ``least`` content words."""
    stop = stopwords()
    return sum(1 for w in words if w not in stop and len(w) > 1) >= least


def analyse(text: str) -> list[Unit]:
    """Cut ``text`` into units, each affirmed, denied, weakly denied or a good report."""
    units: list[Unit] = []
    for sentence in _SENTENCE.split(fold(text)):
        if sentence.strip():
            units.extend(_sentence_units(sentence))
    return units


def _clauses(sentence: str) -> list[list[tuple[str, int, int]]]:
    c = cues()
    tokens = [(m.group(0).lower().replace("'", ""), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
    words = [t[0] for t in tokens]
    clauses: list[list[tuple[str, int, int]]] = [[]]
    i = 0
    negating = False  # whether the clause so far holds a negation cue (a scope ender then ends the clause)
    while i < len(tokens):
        size = _find(words, i, c.terminators, c.longest) or (
            _find(words, i, c.scope_enders, c.longest) if negating else 0
        )
        if size:
            negating = False
            clauses.append([])
            i += size
            continue
        if i > 0 and clauses[-1] and words[i] in c.starters:
            comma = "," in sentence[tokens[i - 1][2] : tokens[i][1]]
            if comma or words[i - 1] in _JOINERS:
                clauses.append([])
                negating = False
        negating = negating or bool(_find(words, i, c.weak, c.longest) or _find(words, i, c.strong_before, c.longest))
        clauses[-1].append(tokens[i])
        i += 1
    return [clause for clause in clauses if clause]


def _sentence_units(sentence: str) -> list[Unit]:
    c = cues()
    units: list[Unit] = []

    def add(
        part: list[tuple[str, int, int]], polarity: Polarity, least: int = 1, scope: Sequence[tuple[str, int, int]] = ()
    ) -> None:
        if part and _content([t[0] for t in part], least):
            words = sentence[scope[0][1] : scope[-1][2]] if scope else ""
            units.append(Unit(sentence[part[0][1] : part[-1][2]], polarity, words))

    for clause in _clauses(sentence):
        words = [t[0] for t in clause]
        positive = False
        i = 0
        while i < len(words):
            pseudo = _find(words, i, c.pseudo, c.longest)
            after = _find(words, i, c.strong_after, c.longest)
            if after and _content(words[:i]) and not _content(words[i + after :]):
                add(clause[:i], Polarity.DENIED)  # "attendance is not a concern"
                break
            before = _find(words, i, c.strong_before, c.longest)
            if before and not any(j + _find(words, j, c.pseudo, c.longest) > i + before for j in range(i, i + before)):
                _split(clause, i, before, Polarity.DENIED, add)  # "no concerns about attendance"
                break
            if pseudo:
                i += pseudo
                continue
            weak = _find(words, i, c.weak, c.longest)
            if weak:
                _split(clause, i, weak, _weak_polarity(words[i + weak :]), add)  # "dad doesn't drink"
                break
            positive = positive or bool(_find(words, i, c.positive, c.longest))
            i += 1
        else:
            add(clause, Polarity.POSITIVE if positive else Polarity.AFFIRMED)
    return units


def _weak_polarity(negated: list[str]) -> Polarity:
    """How a weak cue reads, from the first word it negates (skipping "been", "really"...).

    "isn't drinking" denies an act (any indicator it matches); "isn't missing school"
    denies a lack, so it is a good report; anything else ("isn't fed") is left to the
    matcher, per indicator.
    """
    from continuum.matching.text import stemmer

    stop = stopwords()
    for word in negated:
        forms = {word, stemmer()(word)}
        if forms & cues().acts:
            return Polarity.DENIED
        if forms & deficit_words():
            return Polarity.POSITIVE
        if word not in stop and len(word) > 1:
            break
    return Polarity.WEAK


def _split(
    clause: list[tuple[str, int, int]], at: int, size: int, polarity: Polarity, add: Callable[..., None]
) -> None:
    """Affirm what precedes a cue (of ``size`` words at ``at``) if it says something; deny from the cue on.

    When the words before the cue are only its subject ("Dad doesn't drink"), the denied
    unit keeps them, so it still says whose drinking is denied; its scope is what follows
    the cue either way.
    """
    scope = clause[at + size :]
    if _content([t[0] for t in clause[:at]], 2):
        add(clause[:at], Polarity.AFFIRMED)
        add(clause[at:], polarity, scope=scope)
    else:
        add(clause, polarity, scope=scope)
