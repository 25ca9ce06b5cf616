"""Free text → ranked indicators of one framework: lexical, semantic, or both fused.

The text is cut into units (:mod:`continuum.matching.clauses`); every unit is scored
against every indicator; an indicator's score is its best score over the units that
affirm it, and it is *negated* when a unit that denies it scores it higher still. So
several concerns in one text are each found by their own clause, and "no concerns about
attendance" marks the attendance indicators negated instead of finding them.

See docs/decisions/0002-free-text-matching.md for the choices and the numbers behind them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np

from continuum.frameworks.loader import LoadedFramework
from continuum.frameworks.schema import Indicator
from continuum.matching.clauses import Polarity, Unit, analyse, doubted, is_deficit, need_met, reassured
from continuum.matching.lexical import LexicalIndex
from continuum.matching.semantic import SemanticUnavailable, cached_embeddings, load_encoder, read_cached
from continuum.matching.text import lexical_tokens, vocabulary

log = logging.getLogger(__name__)

MODE_ENV = "CONTINUUM_MATCH_MODE"


class Mode(StrEnum):
    HYBRID = "hybrid"
    LEXICAL = "lexical"
    SEMANTIC = "semantic"


@dataclass(frozen=True)
class Tuning:
    """Every knob of the matcher. The defaults are the values chosen on the dev half."""

    k1: float = 1.2
    b: float = 0.75
    lexical_norm: str = "both"  # "self", "max" or "both": see LexicalIndex.scores
    expand_phrases: bool = True  # add the meanings of everyday phrases to lexical queries
    expand_semantic: bool = True  # spell out abbreviations before embedding
    row_context: bool = True  # index an indicator with its row's heading, where it has one
    tags: bool = False  # add an indicator's tags to its lexical document
    exemplars: bool = True  # use the framework's vignette texts as examples of their indicators
    exemplar_weight: float = 0.9  # an example's similarity counts this much towards its indicator
    exemplar_max_indicators: int = 3  # only vignettes naming at most this many indicators
    exemplar_lexical: bool = False  # also add example words to the lexical documents
    phrasing_weight: float = 0.85  # everyday phrasings (phrasings.yaml) as views; 0 leaves them out
    phrasing_lexical: bool = True  # also add phrasing words to the lexical documents
    clauses: bool = True  # find the clauses and their polarity (negation needs them)
    negation: bool = True
    own_words: bool = True  # an indicator is negated only where the negated words share a word with it
    own_words_max_share: float = 0.05  # ... a word in at most this share of the indicators (not "parent")
    tone: bool = True  # a clause worded as a lack ("not in school") does not state a strength
    fusion: str = "convex"  # "convex" (weighted scores) or "rrf" (reciprocal rank fusion)
    semantic_weight: float = 0.6  # convex: weight of the cosine; the rest is normalised BM25
    rrf_k: int = 60
    rrf_semantic_weight: float = 1.0
    threshold_hybrid: float = 0.3  # selection: the least score a match needs, per mode
    threshold_semantic: float = 0.4
    threshold_lexical: float = 0.3
    select_margin: float = 0.0  # beyond a unit's best match, select others this close to it
    select_fallback: float = 0.1  # when nothing reaches the threshold, the best match counts if this close to it
    further_raise: float = 0.1  # selection: matches after the best need the threshold plus this
    further_step: float = 0.1  # selection: and each pick after the second this much more again
    reassured_raise: float = 0.15  # selection: a concern needs this much more where the writer concludes all is well
    near_higher_margin: float = 0.05  # a higher-level match this close to the best selected one is shown to check
    need_met: bool = True  # a text ending on the need met now ("back to her usual self") reads as a conclusion
    need_met_allowance: float = 0.06  # ... unless its last sentence affirms a concern at the threshold plus this
    level_raise: float = 0.0  # selection: a concern at the framework's top level needs this much more (linear)
    say_not_enough: bool = True  # nothing selected and no conclusion: say the words are not enough (no guess)
    ask_about: int = 3  # how many domains "tell us more about" names

    def with_(self, **changes: Any) -> Tuning:
        return replace(self, **changes)


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True)
class Scored:
    """The score of every indicator for one text."""

    affirmed: np.ndarray  # best score over affirming units (-inf where none affirms)
    denied: np.ndarray  # best score over denying units (-inf where none denies)
    affirmed_unit: np.ndarray  # index of the unit behind ``affirmed``
    denied_unit: np.ndarray
    units: list[Unit]
    per_unit: np.ndarray  # units × indicators, -inf where the unit does not affirm the indicator
    negated: np.ndarray  # confidently denied (at least the threshold) and denied more than affirmed


class FrameworkIndex:
    """One framework's indicators, indexed for lexical and (lazily) semantic retrieval."""

    def __init__(self, loaded: LoadedFramework, tuning: Tuning = DEFAULT_TUNING):
        fw = loaded.framework
        self.loaded = loaded
        self.tuning = tuning
        self.indicators: list[Indicator] = list(fw.indicators)
        rows = {r.id: r for r in fw.rows}
        self.documents = [self._document(i, rows) for i in self.indicators]
        self.examples = self._examples() if tuning.exemplars else []
        self.phrasings = self._phrasings()
        self.views = self._views()
        self._view_of = np.array([i for i, _t, _w in self.views], dtype=np.int64)
        self._view_weight = np.array([w for _i, _t, w in self.views], dtype=np.float32)
        self.protective = np.array([i.protective for i in self.indicators], dtype=bool)
        universal = {lv.number for lv in fw.levels if {t.value for t in lv.tiers} == {"universal"}}
        # strengths: protective factors, and a ladder's universal rung ("milestones met")
        self.strength = self.protective | np.array([i.level in universal for i in self.indicators], dtype=bool)
        self.deficit = np.array([is_deficit(i.text) for i in self.indicators], dtype=bool)
        numbers = [lv.number for lv in fw.levels]
        lowest, span = min(numbers), max(max(numbers) - min(numbers), 1)
        # where an indicator's level sits in its framework: 0 at the lowest level, 1 at the top
        self.level_position = np.array(
            [0.0 if i.level is None else (i.level - lowest) / span for i in self.indicators], dtype=np.float32
        )
        lexical_docs = [lexical_tokens(d, expand_phrases=tuning.expand_phrases) for d in self.documents]
        if tuning.tags:
            for doc, ind in zip(lexical_docs, self.indicators, strict=True):
                doc += lexical_tokens(" ".join(t.replace("-", " ") for t in ind.tags), expand_phrases=False)
        if tuning.exemplar_lexical:
            for i, text in self.examples:
                lexical_docs[i] += lexical_tokens(text, expand_phrases=tuning.expand_phrases)
        if tuning.phrasing_lexical:
            for i, text in self.phrasings:
                lexical_docs[i] += lexical_tokens(text, expand_phrases=tuning.expand_phrases)
        self.lexical = LexicalIndex(lexical_docs, k1=tuning.k1, b=tuning.b)
        self._own = self._own_postings()
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def _document(self, indicator: Indicator, rows: dict[str, Any]) -> str:
        row = rows.get(indicator.row) if indicator.row else None
        if self.tuning.row_context and row is not None and row.label and row.label not in indicator.text:
            return f"{row.label}: {indicator.text}"
        return indicator.text

    def _examples(self) -> list[tuple[int, str]]:
        """(indicator position, text) for each vignette that describes a situation in words."""
        position = {ind.id: n for n, ind in enumerate(self.indicators)}
        out = []
        for vignette in self.loaded.framework.vignettes:
            named = [*vignette.indicators, *vignette.protective]
            if vignette.text and 0 < len(named) <= self.tuning.exemplar_max_indicators:
                out += [(position[i], vignette.text) for i in named if i in position]
        return out

    def _phrasings(self) -> list[tuple[int, str]]:
        """(indicator position, text) for each everyday phrasing of an indicator."""
        return [
            (n, text)
            for n, indicator in enumerate(self.indicators)
            for text in self.loaded.phrasings.get(indicator.id, ())
        ]

    def _views(self) -> list[tuple[int, str, float]]:
        """(indicator position, text, weight): further texts an indicator is embedded as."""
        tuning = self.tuning
        views = [(i, text, tuning.exemplar_weight) for i, text in self.examples]
        if tuning.phrasing_weight > 0:
            views += [(i, text, tuning.phrasing_weight) for i, text in self.phrasings]
        return views

    def _semantic_text(self, text: str) -> str:
        return vocabulary().expand_abbreviations(text) if self.tuning.expand_semantic else text

    def _embedded_texts(self) -> list[str]:
        texts = [self._semantic_text(d) for d in self.documents]
        return texts + [self._semantic_text(t) for _i, t, _w in self.views]

    def vectors(self) -> np.ndarray:
        """Indicator embeddings, computed once per framework version and cached on disk."""
        if self._vectors is None:
            with self._lock:
                if self._vectors is None:
                    texts = self._embedded_texts()
                    self._vectors = cached_embeddings(load_encoder(), self.loaded.id, self.loaded.content_hash, texts)
        return self._vectors

    def ready(self) -> bool:
        """Whether the embeddings are at hand: in memory, or read now from a verified disk cache.

        Never embeds anything (a cache miss costs only the check), so a request can ask.
        """
        if self._vectors is not None:
            return True
        if not self._lock.acquire(blocking=False):
            return False  # being prepared right now
        try:
            if self._vectors is None:
                found = read_cached(
                    load_encoder().name, self.loaded.id, self.loaded.content_hash, self._embedded_texts()
                )
                if found is not None:
                    self._vectors = found
            return self._vectors is not None
        finally:
            self._lock.release()

    # --- scoring -------------------------------------------------------------------------

    def unit_scores(self, texts: Sequence[str], mode: Mode) -> np.ndarray:
        """Scores (units × indicators) in ``mode``."""
        tuning = self.tuning
        if mode is not Mode.SEMANTIC:
            lexical = np.stack(
                [
                    self.lexical.scores(lexical_tokens(t, expand_phrases=tuning.expand_phrases), tuning.lexical_norm)
                    for t in texts
                ]
            )
            if mode is Mode.LEXICAL:
                return lexical
        queries = load_encoder().encode([self._semantic_text(t) for t in texts])
        # einsum rather than BLAS: a multi-threaded BLAS call on a matrix this small would leave
        # its threads spinning against the model's for the two cores (p95 doubled when tried)
        similarity = np.einsum("ud,vd->uv", queries, self.vectors())
        n = len(self.indicators)
        semantic = similarity[:, :n]
        if len(self.views):  # an indicator is as close as its closest (weighted) view
            np.maximum.at(semantic.T, self._view_of, (similarity[:, n:] * self._view_weight).T)
        if mode is Mode.SEMANTIC:
            return semantic
        if tuning.fusion == "rrf":
            return _rrf(semantic, lexical, tuning.rrf_k, tuning.rrf_semantic_weight)
        w = tuning.semantic_weight
        return w * semantic + (1.0 - w) * lexical

    def score(self, text: str, mode: Mode) -> Scored:
        units = self._units(text)
        n = len(self.indicators)
        if not units:
            empty = np.full(n, -np.inf, np.float32)
            zeros = np.zeros(n, np.int64)
            none = np.zeros(n, dtype=bool)
            return Scored(empty, empty.copy(), zeros, zeros.copy(), units, np.zeros((0, n), np.float32), none)
        matrix = self.unit_scores([u.text for u in units], mode)
        affirms = np.stack([self._affirms(u) for u in units])
        denies = np.stack([self._denies(u) for u in units])
        affirmed_m = np.where(affirms, matrix, -np.inf)
        denied_m = np.where(denies, matrix, -np.inf)
        a_unit = affirmed_m.argmax(axis=0)
        d_unit = denied_m.argmax(axis=0)
        cols = np.arange(n)
        affirmed, denied = affirmed_m[a_unit, cols], denied_m[d_unit, cols]
        negated = (denied > affirmed) & (denied >= _threshold(self.tuning, mode))
        if self.tuning.own_words and negated.any():
            negated &= self._own_words(units)[d_unit, cols]
        return Scored(affirmed, denied, a_unit, d_unit, units, affirmed_m, negated)

    def _units(self, text: str) -> list[Unit]:
        if not self.tuning.clauses:
            return [Unit(text, Polarity.AFFIRMED)] if text.strip() else []
        units = analyse(text) if self.tuning.negation else [Unit(u.text, Polarity.AFFIRMED) for u in analyse(text)]
        affirmed = [u for u in units if u.polarity is Polarity.AFFIRMED]
        if len(units) > 1 and len(affirmed) == len(units):
            units.append(Unit(text, Polarity.AFFIRMED))  # the whole text, for context across clauses
        elif len(affirmed) > 1:
            units.append(Unit(". ".join(u.text for u in affirmed), Polarity.AFFIRMED))
        return units

    def _own_postings(self) -> dict[str, np.ndarray]:
        """Stem → which indicators' own words (text and row heading) hold it, for the distinctive
        stems only: those in at most ``own_words_max_share`` of the indicators."""
        holders: dict[str, list[int]] = {}
        for n, document in enumerate(self.documents):
            for token in set(lexical_tokens(document, expand_phrases=False)):
                holders.setdefault(token, []).append(n)
        most = max(1, int(self.tuning.own_words_max_share * len(self.indicators)))
        postings = {}
        for token, found in holders.items():
            if len(found) <= most:
                postings[token] = np.zeros(len(self.indicators), dtype=bool)
                postings[token][found] = True
        return postings

    def _own_words(self, units: Sequence[Unit]) -> np.ndarray:
        """units × indicators: whether the words a unit negates are the indicator's own.

        The negated words, stemmed and with everyday phrases expanded ("DV" → domestic
        abuse), must share a distinctive stem with the indicator's own text. So "Mum says she
        can't control her" can deny only indicators about control, never "Domestic abuse in
        the home" for being near it in meaning.
        """
        out = np.zeros((len(units), len(self.indicators)), dtype=bool)
        for n, unit in enumerate(units):
            if unit.polarity is not Polarity.AFFIRMED:
                for token in set(lexical_tokens(unit.negated_words, expand_phrases=self.tuning.expand_phrases)):
                    found = self._own.get(token)
                    if found is not None:
                        out[n] |= found
        return out

    def _denies(self, unit: Unit) -> np.ndarray:
        """Which indicators ``unit`` denies."""
        polarity = unit.polarity
        if polarity is Polarity.AFFIRMED:
            return np.zeros(len(self.indicators), dtype=bool)
        if polarity is Polarity.DENIED:
            return np.ones(len(self.indicators), dtype=bool)
        if polarity is Polarity.WEAK:
            return ~self.deficit & ~self.strength
        return self.deficit & ~self.strength

    def _affirms(self, unit: Unit) -> np.ndarray:
        """Which indicators ``unit`` states (the rest it denies or says nothing about)."""
        n = len(self.indicators)
        polarity = unit.polarity
        if polarity is Polarity.AFFIRMED:
            if self.tuning.tone and is_deficit(unit.text):
                return ~self.strength  # a worry in words of lack is no strength
            return np.ones(n, dtype=bool)
        if polarity is Polarity.DENIED:
            return np.zeros(n, dtype=bool)
        if polarity is Polarity.WEAK:
            return self.deficit & ~self.strength
        return ~(self.deficit & ~self.strength)  # POSITIVE: denies a lack, affirms the rest


def _rrf(semantic: np.ndarray, lexical: np.ndarray, k: int, semantic_weight: float) -> np.ndarray:
    def ranks(m: np.ndarray) -> np.ndarray:
        order = np.argsort(-m, axis=1, kind="stable")
        r = np.empty_like(order)
        rows = np.arange(m.shape[0])[:, None]
        r[rows, order] = np.arange(1, m.shape[1] + 1)
        return r

    fused = semantic_weight / (k + ranks(semantic)) + 1.0 / (k + ranks(lexical))
    return (fused * (k + 1) / (semantic_weight + 1.0)).astype(np.float32)  # 1.0 = first in both


# --- the index cache and the public functions ------------------------------------------------

_indexes: dict[tuple[str, str, str, Tuning], FrameworkIndex] = {}
_indexes_lock = threading.Lock()


def framework_index(loaded: LoadedFramework, tuning: Tuning = DEFAULT_TUNING) -> FrameworkIndex:
    """The index of a framework version (built once per process)."""
    key = (loaded.id, loaded.content_hash, loaded.phrasings_hash, tuning)
    index = _indexes.get(key)
    if index is None:
        with _indexes_lock:
            index = _indexes.get(key)
            if index is None:
                index = _indexes[key] = FrameworkIndex(loaded, tuning)
    return index


def semantic_available() -> bool:
    """Whether the semantic extra can be loaded (loading it if so)."""
    try:
        load_encoder()
    except SemanticUnavailable:
        return False
    return True


def resolve_mode(mode: str | Mode | None = None) -> tuple[Mode, str | None]:
    """The mode to run and, when it differs from the one wanted, why.

    An explicit ``mode`` (or ``CONTINUUM_MATCH_MODE``) is obeyed, and fails if the semantic
    extra is missing; with neither, hybrid runs where it can and lexical otherwise.
    """
    wanted = mode or os.environ.get(MODE_ENV) or None
    if wanted:
        try:
            chosen = Mode(str(wanted).strip().lower())
        except ValueError:
            raise ValueError(f"unknown matching mode {wanted!r}; use hybrid, lexical or semantic") from None
        if chosen is not Mode.LEXICAL:
            load_encoder()  # raises SemanticUnavailable
        return chosen, None
    if semantic_available():
        return Mode.HYBRID, None
    return Mode.LEXICAL, "semantic matching is not installed (the 'semantic' extra); lexical matching only"


PREPARING_NOTE = (
    "matching by meaning is still being prepared for this version of the framework; "
    "until it is ready, these suggestions come from matching words only"
)


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` did for one framework version."""

    framework: str
    version: str
    mode: str  # the mode matching will run in
    source: str  # "memory", "cache" (read and verified), "built" (embedded now) or "lexical" (nothing to embed)
    texts: int  # texts embedded for the index (0 in lexical mode)
    seconds: float


def prepare(loaded: LoadedFramework, tuning: Tuning = DEFAULT_TUNING, mode: str | Mode | None = None) -> Prepared:
    """Make matching ready for ``loaded``: its index, and its embeddings from the cache or built now.

    Built embeddings are cached on disk (keyed by the framework's content, the exact texts
    embedded, which include its phrasings, and the model), so this is slow once per version.
    """
    started = time.perf_counter()
    chosen, _note = resolve_mode(mode)
    index = framework_index(loaded, tuning)
    version = loaded.framework.version
    if chosen is Mode.LEXICAL:
        return Prepared(loaded.id, version, chosen.value, "lexical", 0, time.perf_counter() - started)
    source = "memory" if index._vectors is not None else "cache"
    if not index.ready():
        index.vectors()
        source = "built"
    texts = len(index.documents) + len(index.views)
    return Prepared(loaded.id, version, chosen.value, source, texts, time.perf_counter() - started)


_background: dict[tuple[str, str, str, Tuning], threading.Thread] = {}


def prepare_in_background(loaded: LoadedFramework, tuning: Tuning = DEFAULT_TUNING) -> None:
    """Start preparing ``loaded`` on a thread of its own, once per version (see :func:`prepare`)."""
    key = (loaded.id, loaded.content_hash, loaded.phrasings_hash, tuning)
    with _indexes_lock:
        if key in _background:
            return
        thread = _background[key] = threading.Thread(
            target=_prepare_logged, args=(loaded, tuning), name=f"prepare-{loaded.id}", daemon=True
        )
    thread.start()


def _prepare_logged(loaded: LoadedFramework, tuning: Tuning) -> None:
    try:
        done = prepare(loaded, tuning)
        log.info("matching for %s %s is ready (%s, %.1f s)", done.framework, done.version, done.source, done.seconds)
    except Exception:  # a background failure leaves word matching serving; it must be seen in the log
        log.exception("preparing matching for %s failed; word matching only", loaded.id)


def is_ready(loaded: LoadedFramework, tuning: Tuning = DEFAULT_TUNING, mode: str | Mode | None = None) -> bool:
    """Whether matching ``loaded`` needs no model work now (lexical mode, or embeddings at hand)."""
    chosen, _note = resolve_mode(mode)
    return chosen is Mode.LEXICAL or framework_index(loaded, tuning).ready()


def _mode_and_index(
    loaded: LoadedFramework, mode: str | Mode | None, tuning: Tuning, wait: bool
) -> tuple[Mode, str | None, FrameworkIndex]:
    """The mode to run, why it differs from the one wanted, and the index.

    With ``wait=False`` a framework whose embeddings are not ready is matched by words only
    (and says so) while they are prepared in the background: no request waits for the model.
    """
    chosen, note = resolve_mode(mode)
    index = framework_index(loaded, tuning)
    if not wait and chosen is not Mode.LEXICAL and not index.ready():
        prepare_in_background(loaded, tuning)
        return Mode.LEXICAL, PREPARING_NOTE, index
    return chosen, note, index


def _threshold(tuning: Tuning, mode: Mode) -> float:
    return float(getattr(tuning, f"threshold_{mode.value}"))


def match(
    loaded: LoadedFramework,
    text: str,
    top: int = 5,
    *,
    mode: str | Mode | None = None,
    tuning: Tuning = DEFAULT_TUNING,
    wait: bool = True,
) -> dict[str, Any]:
    """The indicators ``text`` describes, best first.

    ``results`` holds the ``top`` best concerns and protective factors the text states,
    then, flagged ``negated: true``, up to ``top`` indicators the text confidently denies
    ("no concerns about attendance"); negated ones never count as concerns. ``not_enough``
    is set (see :func:`not_enough`) where the words would select nothing to set a level by. With
    ``wait=False`` (the web service) nothing waits for the model: see :func:`_mode_and_index`.
    """
    chosen, note, index = _mode_and_index(loaded, mode, tuning, wait)
    scored = index.score(text, chosen)
    negated = scored.negated
    affirmed_order = [int(i) for i in np.argsort(-scored.affirmed, kind="stable") if np.isfinite(scored.affirmed[i])]
    concerns = [i for i in affirmed_order if not negated[i]][:top]
    denied_order = np.argsort(-scored.denied, kind="stable")
    denials = [int(i) for i in denied_order if negated[i]][:top]
    results = [_result(index, scored, i, negated=False) for i in concerns]
    results += [_result(index, scored, i, negated=True) for i in denials]
    out: dict[str, Any] = {"framework": loaded.id, "query": text, "mode": chosen.value, "results": results}
    # the selection these words would make selects nothing: they are not enough to set a level
    out["not_enough"] = _select(index, scored, text, chosen, tuning).not_enough
    if note:
        out["note"] = note
    return out


def _result(index: FrameworkIndex, scored: Scored, i: int, *, negated: bool) -> dict[str, Any]:
    indicator = index.indicators[i]
    score = scored.denied[i] if negated else scored.affirmed[i]
    unit = scored.units[int(scored.denied_unit[i] if negated else scored.affirmed_unit[i])]
    return {
        "indicator": indicator.id,
        "text": indicator.text,
        "level": indicator.level,
        "domain": indicator.domain,
        "score": round(float(score), 4),
        "protective": bool(indicator.protective),
        "negated": negated,
        "evidence": unit.text,
    }


def writer_conclusion(text: str) -> str | None:
    """The words in which the writer concludes all is well, where the selection weighs them.

    Not where the text describes a baby not yet mobile (an injury to such a baby needs action
    whatever the explanation), nor where it doubts the account anywhere ("the explanation
    doesn't fit the burn").
    """
    words = reassured(text)
    return None if words is None or _no_conclusion_holds(text) else words


def _no_conclusion_holds(text: str) -> bool:
    """Whether ``text`` describes a baby not yet mobile or doubts the account: then nothing concludes it."""
    return _baby(text) or doubted(text) is not None


CLOSE_SHOWN = 5  # close matches not selected that a practitioner is shown beside a level from words


def close_not_selected(
    results: Sequence[dict[str, Any]], selected: set[str], limit: int = CLOSE_SHOWN
) -> list[dict[str, Any]]:
    """The first ``limit`` results of :func:`match` that the selection left out (any score above 0)."""
    return [r for r in results if r["indicator"] not in selected and r["score"] > 0][:limit]


def higher_near_misses(
    considered: Sequence[dict[str, Any]],
    selected: Sequence[dict[str, Any]],
    level: int,
    *,
    mode: str | Mode,
    tuning: Tuning = DEFAULT_TUNING,
) -> list[dict[str, Any]]:
    """Concerns the words came nearly as close to as the selection, at a level above ``level``.

    ``considered`` are results of :func:`match` that were not selected, ``selected`` the
    selection (:func:`selection_from_text`) and ``level`` the level it gives. A concern
    counts if it scored within ``near_higher_margin`` of the best selected match (of the
    threshold, when nothing was selected). Adding one automatically costs level agreement
    (docs/decisions/0002); showing it lets the practitioner weigh the costlier error, a
    level too low.
    """
    best = max((float(m["score"]) for m in selected), default=_threshold(tuning, Mode(mode)))
    return [
        r
        for r in considered
        if not r["negated"]
        and not r["protective"]
        and r["level"] > level
        and r["score"] >= best - tuning.near_higher_margin
    ]


def selection_from_text(
    loaded: LoadedFramework,
    text: str,
    *,
    mode: str | Mode | None = None,
    tuning: Tuning = DEFAULT_TUNING,
    wait: bool = True,
) -> list[dict[str, Any]]:
    """The confident, non-negated matches of ``text``, to use as an assessment selection.

    See :func:`read_selection`, which also says when the words are not enough to set a level.
    """
    return read_selection(loaded, text, mode=mode, tuning=tuning, wait=wait).selected


@dataclass(frozen=True)
class Reading:
    """What :func:`read_selection` made of a text."""

    selected: list[dict[str, Any]]
    not_enough: dict[str, Any] | None  # see :func:`not_enough`; None when the words set a level
    concluded: str | None = None  # the writer's conclusion the selection weighed (see ``_conclusion``)


def read_selection(
    loaded: LoadedFramework,
    text: str,
    *,
    mode: str | Mode | None = None,
    tuning: Tuning = DEFAULT_TUNING,
    wait: bool = True,
) -> Reading:
    """The confident, non-negated matches of ``text``, to use as an assessment selection.

    For each clause that states something, its best indicator is selected if it scores at
    least the mode's threshold, and so is any other indicator within ``select_margin`` of
    that best. When nothing reaches the threshold, the text's best match is still selected
    if it falls short by at most ``select_fallback``. Every pick after the best needs
    ``further_raise`` more than the threshold, and each after the second ``further_step``
    more again: a further concern has to be stated clearly, not merely lie near the words
    of the first. Where the writer concludes all is well ("explanation fits", "NFA"), every
    concern needs ``reassured_raise`` more. A concern needs ``level_raise`` × its level's place
    in the framework (0 at the lowest level, 1 at the top) more: the higher the level a pick
    would set, the more clearly the words must state it. Indicators the text denies (negated)
    are never selected. Where nothing is selected and the writer concludes nothing, the words
    are not enough to set a level (``not_enough``), rather than a guess of the lowest.
    """
    chosen, _note, index = _mode_and_index(loaded, mode, tuning, wait)
    return _select(index, index.score(text, chosen), text, chosen, tuning)


def _select(index: FrameworkIndex, scored: Scored, text: str, chosen: Mode, tuning: Tuning) -> Reading:
    """The selection from one text's scores (see :func:`read_selection`)."""
    threshold = _threshold(tuning, chosen)
    negated = scored.negated
    rows = [np.where(negated, -np.inf, row) for row in scored.per_unit]
    top = max((float(row.max()) for row in rows if len(row)), default=-np.inf)
    bar = np.full(len(index.indicators), threshold, dtype=np.float32)
    concluded = _conclusion(index, text, chosen, tuning)
    if tuning.reassured_raise and concluded:
        bar[~index.strength] += tuning.reassured_raise  # the writer concludes there is nothing to act on
    elif threshold - tuning.select_fallback <= top < threshold:
        bar[:] = top  # a text that states a concern selects its best match, if near enough
    if tuning.level_raise:
        bar += tuning.level_raise * np.where(index.strength, 0.0, index.level_position)
    picked: dict[int, float] = {}
    for eligible in rows:
        above = eligible >= bar
        if not above.any():
            continue
        best = float(eligible[above].max())
        for found in np.flatnonzero(above & (eligible >= best - tuning.select_margin)):
            picked[int(found)] = float(scored.affirmed[found])
    ordered = sorted(picked, key=lambda i: -picked[i])
    kept = ordered[:1]
    for i in ordered[1:]:
        if picked[i] >= bar[i] + tuning.further_raise + tuning.further_step * (len(kept) - 1):
            kept.append(i)
    selected = [
        {
            "indicator": index.indicators[i].id,
            "score": round(picked[i], 4),
            "protective": bool(index.indicators[i].protective),
            "mode": chosen.value,
        }
        for i in kept
    ]
    short = None
    if tuning.say_not_enough and not selected and not concluded:
        near = [int(i) for i in np.argsort(-scored.affirmed, kind="stable") if np.isfinite(scored.affirmed[i])]
        near = [i for i in near if not negated[i] and not index.strength[i]]
        short = not_enough(index.loaded, [index.indicators[i].domain for i in near], tuning)
    return Reading(selected, short, concluded)


def _conclusion(index: FrameworkIndex, text: str, chosen: Mode, tuning: Tuning) -> str | None:
    """The writer's conclusion (:func:`writer_conclusion`), or the need met now where the text ends on it.

    A text ending on the need met ("two months on she's dry nearly every night") concludes
    it only where its last sentence affirms no concern clearly (at the threshold plus
    ``need_met_allowance``): "doing well, but mum is anxious about the bills" still states a
    worry, while a sentence that only echoes the worry it resolves ("no new decay at his
    six-month check") does not.
    """
    concluded = writer_conclusion(text)
    if concluded or not tuning.need_met or not tuning.reassured_raise:
        return concluded
    found = need_met(text)
    if found is None or _no_conclusion_holds(text):
        return None
    last = index.score(found[1], chosen)
    concern = np.where(index.strength | last.negated, -np.inf, last.affirmed)
    clearly = _threshold(tuning, chosen) + tuning.need_met_allowance
    return found[0] if float(concern.max(initial=-np.inf)) < clearly else None


def _baby(text: str) -> bool:
    """The text describes a baby not yet mobile: an injury to such a baby needs action whatever follows."""
    from continuum.matching.facts import read_facts

    return bool(read_facts(text).facts.get("non_mobile"))


NOT_ENOUGH = "Not enough in these words to set a level"


def not_enough(loaded: LoadedFramework, near_domains: Sequence[str], tuning: Tuning = DEFAULT_TUNING) -> dict[str, Any]:
    """ "Not enough in these words to set a level — tell us more about …": the domains to ask about.

    ``near_domains`` are the domains of the closest concerns, best first; the first
    ``ask_about`` distinct ones are asked about (the framework's first domains where the
    words came near none). Names come from the framework data.
    """
    names = {d.id: d.name for d in loaded.framework.domains}
    wanted = list(dict.fromkeys(d for d in near_domains if d in names))[: tuning.ask_about]
    if not wanted:
        wanted = list(names)[: tuning.ask_about]
    ask = [{"domain": d, "name": names[d]} for d in wanted]
    return {
        "message": f"{NOT_ENOUGH} — tell us more about: " + "; ".join(a["name"] for a in ask) + ".",
        "ask_about": ask,
    }
