"""Beam's Flink job server: fetched from Maven Central by the set-up, checksum-verified, found at run time.

Beam's FlinkRunner starts its job server with `java -jar JAR`. Beam publishes that jar shaded
(beam-runners-flink-<flink>-job-server), but the registry this project is built against serves none, so the set-up
resolves the runner and its dependencies with Maven from deploy/flink/job-server/pom.xml and writes a small
launcher jar whose manifest names them all (Class-Path) and Beam's own entry point (Main-Class). Every jar must match
the SHA-256 of deploy/flink/job-server/jars.sha256: Maven checks the repository's SHA-1 files as it downloads
(--strict-checksums); the lock also catches a different artifact served under the same coordinates.

    python -m connectors.ops.flink fetch     # what `make setup` runs: resolve, verify, write the launcher
    python -m connectors.ops.flink lock      # after changing the pom: rewrite the lock from what Maven resolved
    python -m connectors.ops.flink cluster   # a standalone Flink 1.19.0 under .cache/flink-1.19.0 (tests, one host)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from pipeline.domain.errors import GuetteurError

_REPO = Path(__file__).resolve().parents[2]
POM = _REPO / "deploy" / "flink" / "job-server" / "pom.xml"
LOCK = _REPO / "deploy" / "flink" / "job-server" / "jars.sha256"
CACHE = _REPO / ".cache" / "flink-job-server"
LAUNCHER = "guetteur-flink-job-server.jar"
CLUSTER_REQUIREMENTS = _REPO / "deploy" / "flink" / "cluster-requirements.txt"
FLINK_VERSION = "1.19.0"
FLINK_HOME = _REPO / ".cache" / f"flink-{FLINK_VERSION}"
MAIN_CLASS = "org.apache.beam.runners.flink.FlinkJobServerDriver"


class FlinkSetupError(GuetteurError):
    """The job server cannot be fetched or does not match the lock; the message is one line."""


def job_server_jar() -> str:
    """The launcher jar the set-up wrote, or GUETTEUR_FLINK_JOB_SERVER (an explicit choice is never replaced)."""
    chosen = os.environ.get("GUETTEUR_FLINK_JOB_SERVER")
    if chosen is not None:
        if Path(chosen).is_file():
            return chosen
        raise GuetteurError(f"GUETTEUR_FLINK_JOB_SERVER={chosen}: no such job-server jar")
    launcher = CACHE / LAUNCHER
    if launcher.is_file():
        return str(launcher)
    raise GuetteurError("runner 'flink' needs Beam's Flink job server, which is not fetched: run `make setup` "
                        "(it runs `python -m connectors.ops.flink fetch`), or set GUETTEUR_FLINK_JOB_SERVER to a jar")


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """jar file name -> SHA-256, from lines `<hex>  <name>` as sha256sum prints them."""
    lock: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise FlinkSetupError(f"{path.name} line {number}: expected '<sha256>  <jar name>'")
        lock[name.strip()] = digest
    return lock


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(lib: Path, lock: dict[str, str]) -> None:
    """Every jar in `lib` is in the lock with the same digest, and every locked jar is there."""
    present = {path.name: path for path in lib.glob("*.jar")}
    missing = sorted(set(lock) - set(present))
    if missing:
        raise FlinkSetupError(f"{lib}: {len(missing)} locked jars missing, first {missing[0]}")
    unexpected = sorted(set(present) - set(lock))
    if unexpected:
        raise FlinkSetupError(f"{lib}: {unexpected[0]} is not in {LOCK.name} (the pom changed? run "
                              "`python -m connectors.ops.flink lock`)")
    for name, path in sorted(present.items()):
        if sha256(path) != lock[name]:
            raise FlinkSetupError(f"{path}: SHA-256 differs from {LOCK.name}; refusing to run it")


def resolve(lib: Path) -> None:
    """Maven copies the runner and its dependencies into `lib` (from ~/.m2 when already downloaded)."""
    if shutil.which("mvn") is None:
        raise FlinkSetupError("runner 'flink' is set up with Maven (mvn), which is not installed")
    if lib.exists():
        shutil.rmtree(lib)
    command = ["mvn", "-q", "-B", "--strict-checksums", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={lib}"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        errors = [line for line in done.stdout.splitlines() + done.stderr.splitlines() if "ERROR" in line]
        raise FlinkSetupError(f"Maven could not resolve the Flink job server: {(errors or ['no output'])[0]}")


def _manifest_line(text: str) -> bytes:
    # The jar manifest format wraps lines at 72 bytes, continuation lines starting with one space.
    data, lines = text.encode("utf-8"), []
    lines.append(data[:72])
    data = data[72:]
    while data:
        lines.append(b" " + data[:71])
        data = data[71:]
    return b"\r\n".join(lines) + b"\r\n"


def write_launcher(cache: Path, lib: Path) -> Path:
    """A jar with no classes: its manifest starts Beam's job server on the jars of `lib` (relative paths)."""
    class_path = " ".join(f"{lib.name}/{path.name}" for path in sorted(lib.glob("*.jar")))
    manifest = (b"Manifest-Version: 1.0\r\n" + _manifest_line(f"Main-Class: {MAIN_CLASS}")
                + _manifest_line(f"Class-Path: {class_path}") + b"\r\n")
    launcher = cache / LAUNCHER
    partial = launcher.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", manifest)
    partial.replace(launcher)  # a half-written launcher is never found by job_server_jar()
    return launcher


def fetch(cache: Path = CACHE) -> Path:
    """Resolve (unless the verified jars are already there), verify against the lock, write the launcher."""
    lock = read_lock()
    lib = cache / "lib"
    cache.mkdir(parents=True, exist_ok=True)
    try:
        verify(lib, lock)
    except FlinkSetupError:
        (cache / LAUNCHER).unlink(missing_ok=True)
        resolve(lib)
        verify(lib, lock)
    return write_launcher(cache, lib)


def relock(cache: Path = CACHE) -> Path:
    lib = cache / "lib"
    cache.mkdir(parents=True, exist_ok=True)
    resolve(lib)
    lines = [f"{sha256(path)}  {path.name}" for path in sorted(lib.glob("*.jar"))]
    header = "# SHA-256 of every jar of Beam's Flink job server; written by `python -m connectors.ops.flink lock`\n"
    LOCK.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return LOCK


def _pip_download(requirement_lines: list[str], into: Path, *extra: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requirements:
        requirements.write("\n".join(requirement_lines) + "\n")
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                               "-r", requirements.name, "-d", str(into), *extra], capture_output=True, text=True)
    finally:
        os.unlink(requirements.name)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise FlinkSetupError(f"pip could not download Flink {FLINK_VERSION}: {(lines or ['no output'])[-1]}")


def fetch_cluster(home: Path = FLINK_HOME) -> Path:
    """A standalone Flink distribution assembled from its two PyPI packages, hashes checked by pip."""
    if (home / "bin" / "start-cluster.sh").is_file():
        return home
    pinned = [line for line in CLUSTER_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    wheel, sdist = (next(line for line in pinned if line.startswith(name + "=="))
                    for name in ("apache-flink", "apache-flink-libraries"))
    with tempfile.TemporaryDirectory() as tmp:
        downloads = Path(tmp)
        # The wheel is only read for its scripts and config, which are the same on every platform: pin one file.
        _pip_download([wheel], downloads, "--only-binary=:all:", "--platform=manylinux1_x86_64",
                      "--python-version=3.11", "--implementation=cp", "--abi=cp311")
        _pip_download([sdist], downloads, "--no-binary=:all:")
        partial = home.with_name(home.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        with zipfile.ZipFile(next(downloads.glob("apache_flink-*.whl"))) as archive:
            for member in archive.namelist():
                if member.startswith(("pyflink/bin/", "pyflink/conf/")):
                    archive.extract(member, partial)
        for folder in ("bin", "conf"):
            (partial / "pyflink" / folder).rename(partial / folder)
        (partial / "pyflink").rmdir()
        with tarfile.open(next(downloads.glob("apache-flink-libraries-*.tar.gz"))) as archive:
            prefix = f"apache-flink-libraries-{FLINK_VERSION}/deps/"
            members = [m for m in archive.getmembers() if m.name.startswith(prefix) and m.isfile()
                       and m.name[len(prefix):].split("/")[0] in ("lib", "opt", "plugins", "bin")]
            for entry in members:
                entry.name = entry.name[len(prefix):]
            archive.extractall(partial, members=members, filter="data")
    for script in (partial / "bin").glob("*.sh"):
        script.chmod(0o755)
    (partial / "bin" / "flink").chmod(0o755)
    shutil.rmtree(home, ignore_errors=True)
    partial.rename(home)
    return home


def main(argv: list[str]) -> int:
    commands = {"fetch": fetch, "lock": relock, "cluster": fetch_cluster}
    if len(argv) != 2 or argv[1] not in commands:
        print("usage: python -m connectors.ops.flink fetch|lock|cluster", file=sys.stderr)
        return 2
    try:
        done = commands[argv[1]]()
    except GuetteurError as error:
        print(f"guetteur: {error}", file=sys.stderr)
        return 1
    print(done)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
