"""Lexical retrieval: BM25 (the ``bm25s`` library) over stemmed, expanded indicator words."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np


class LexicalIndex:
    """BM25 over one framework's indicator documents (lists of stemmed tokens).

    ``scores`` are BM25 divided by each document's score against itself, so 1.0 means the
    query covers everything the indicator says; this makes a fixed threshold meaningful
    across indicators of different lengths.
    """

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75):
        import bm25s

        # bm25s sets its own logger to DEBUG on import, overriding the application's config
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        # bm25s needs a non-empty corpus of non-empty documents; an empty indicator (there
        # are none in a valid framework) would simply never score.
        corpus = [list(doc) or ["\u2205"] for doc in documents]
        self._n = len(corpus)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        self._bm25.index(corpus, show_progress=False)
        vocab = self._bm25.vocab_dict
        self._vocab = frozenset(vocab)
        self._self = np.array(
            [self._raw(sorted(set(doc)))[i] for i, doc in enumerate(corpus)],
            dtype=np.float32,
        )
        self._self[self._self <= 0] = 1.0

    def __len__(self) -> int:
        return self._n

    def _raw(self, tokens: Sequence[str]) -> np.ndarray:
        known = [t for t in dict.fromkeys(tokens) if t in self._vocab]
        if not known:
            return np.zeros(self._n, np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def scores(self, tokens: Sequence[str], norm: str = "self") -> np.ndarray:
        """Normalised BM25 of every indicator for a query's tokens, in [0, 1].

        ``self``: divided by the indicator's score against itself (how much of the
        indicator the query covers); ``max``: divided by the best score for this query;
        ``both``: the geometric mean of the two.
        """
        raw = self._raw(tokens)
        own = np.minimum(raw / self._self, 1.0)
        if norm == "self":
            return own
        top = float(raw.max())
        relative = raw / top if top > 0 else raw
        if norm == "max":
            return relative
        return np.sqrt(own * relative)
