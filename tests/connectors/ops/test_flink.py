"""The Flink job server's set-up: nothing runs that does not match the lock; the launcher names every jar."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from connectors.ops.flink import LOCK, MAIN_CLASS, FlinkSetupError, read_lock, verify, write_launcher


def jars(lib: Path, **contents: bytes) -> dict[str, str]:
    lib.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (lib / f"{name}.jar").write_bytes(data)
    return {f"{name}.jar": hashlib.sha256(data).hexdigest() for name, data in contents.items()}


def test_matching_jars_pass(tmp_path: Path) -> None:
    lock = jars(tmp_path / "lib", a=b"one", b=b"two")
    verify(tmp_path / "lib", lock)


def test_a_changed_jar_is_refused(tmp_path: Path) -> None:
    lock = jars(tmp_path / "lib", a=b"one", b=b"two")
    (tmp_path / "lib" / "b.jar").write_bytes(b"tw0")
    with pytest.raises(FlinkSetupError, match=r"b\.jar: SHA-256 differs"):
        verify(tmp_path / "lib", lock)


def test_a_missing_or_unlocked_jar_is_refused(tmp_path: Path) -> None:
    lock = jars(tmp_path / "lib", a=b"one", b=b"two")
    (tmp_path / "lib" / "b.jar").unlink()
    with pytest.raises(FlinkSetupError, match=r"1 locked jars missing, first b\.jar"):
        verify(tmp_path / "lib", lock)
    jars(tmp_path / "lib", b=b"two", c=b"three")
    with pytest.raises(FlinkSetupError, match=r"c\.jar is not in"):
        verify(tmp_path / "lib", lock)


def test_the_launcher_manifest_names_beams_job_server_and_every_jar(tmp_path: Path) -> None:
    names = {f"beam-runners-flink-with-a-rather-long-name-{i:03d}": b"x" * i for i in range(40)}
    jars(tmp_path / "lib", **names)
    launcher = write_launcher(tmp_path, tmp_path / "lib")
    manifest = zipfile.ZipFile(launcher).read("META-INF/MANIFEST.MF").decode()
    lines = manifest.split("\r\n")
    assert all(len(line.encode()) <= 72 for line in lines)  # the jar format's limit, or Java ignores the rest
    unfolded = manifest.replace("\r\n ", "")
    assert f"Main-Class: {MAIN_CLASS}\r\n" in unfolded
    class_path = next(line for line in unfolded.split("\r\n") if line.startswith("Class-Path: "))
    assert class_path.split()[1:] == [f"lib/{name}.jar" for name in sorted(names)]


def test_the_committed_lock_is_well_formed_and_holds_beams_flink_runner() -> None:
    lock = read_lock(LOCK)
    assert any(name.startswith("beam-runners-flink-1.19-") for name in lock)
    assert any(name.startswith("flink-runtime-") for name in lock)
