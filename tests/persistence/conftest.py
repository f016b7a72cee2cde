"""Fixtures for the persistence crash tests.

Each test gets its own directory and starts Tessera (``.build/release/tessera`` or
``$TESSERA_BIN``) on a free loopback port with ``--dir <tmp> --appendonly yes`` plus the
test's own directives, then crashes it (SIGKILL), stops it (SIGTERM) and restarts it on the
same directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis as redispy

# One definition of the binary, ports and timeouts for every persistence test (rdb_support.py).
from rdb_support import START_TIMEOUT, free_port, tessera_binary


class Proc:
    """One server process on a directory."""

    def __init__(self, argv: list[str], workdir: Path, port: int, preexec_fn=None):
        self.argv = argv
        self.workdir = workdir
        self.port = port
        self.log = workdir / f"server-{port}.log"
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT, preexec_fn=preexec_fn)

    def client(self, **kw) -> redispy.Redis:
        return redispy.Redis(host="127.0.0.1", port=self.port, **kw)

    def wait_ready(self) -> "Proc":
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if self.client(socket_timeout=1).ping():
                    return self
            except (redispy.ConnectionError, redispy.TimeoutError):
                pass
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"server did not answer PING:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""

    def kill(self) -> None:
        """kill -9: nothing is flushed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Launcher:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.procs: list[Proc] = []

    def start(self, *extra: str, wait: bool = True, binary: str | None = None, preexec_fn=None) -> Proc:
        port = free_port()
        argv = [binary or tessera_binary(), "--port", str(port), "--bind", "127.0.0.1",
                "--dir", str(self.workdir), "--appendonly", "yes", *extra]
        if binary and Path(binary).name == "redis-server":
            argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
                    "--save", "", "--daemonize", "no", *extra]
        proc = Proc(argv, self.workdir, port, preexec_fn)
        self.procs.append(proc)
        return proc.wait_ready() if wait else proc

    def close(self) -> None:
        for p in self.procs:
            p.kill()


@pytest.fixture
def launcher(tmp_path):
    binary = tessera_binary()
    if not (Path(binary).is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"{binary} missing: run `swift build -c release` first", pytrace=False)
    launch = Launcher(tmp_path)
    yield launch
    launch.close()


def incr_file(workdir: Path) -> Path:
    manifest = (workdir / "appendonlydir" / "appendonly.aof.manifest").read_text()
    name = [line.split()[1] for line in manifest.splitlines() if line.endswith("type i")][-1]
    return workdir / "appendonlydir" / name
