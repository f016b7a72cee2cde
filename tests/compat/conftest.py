"""Fixtures for the Tessera compatibility suite.

Two kinds of server are started, each on a free ephemeral port on 127.0.0.1:

* ``tessera`` -- the server under test, from ``.build/release/tessera`` or
  ``$TESSERA_BIN``.  It is started exactly like redis-server:
  ``tessera --port N --bind 127.0.0.1`` plus any extra ``$TESSERA_ARGS``.
* ``redis``   -- a real ``redis-server`` (``$REDIS_SERVER_BIN``, default
  ``redis-server`` on PATH) used as the reference for side-by-side checks.

To validate the harness itself without a working Tessera, point it at Redis:

    TESSERA_BIN=redis-server python3 -m pytest -q tests/compat

When the target binary is named ``redis-server`` the persistence-disabling
flags are added automatically.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from resp import Conn

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 10.0
REDIS_NO_PERSIST = ["--save", "", "--appendonly", "no", "--daemonize", "no"]


def free_port() -> int:
    """Ask the kernel for a free port by binding port 0 on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = s.recv(64)
                if not chunk:
                    return False
                data += chunk
            return data == b"+PONG\r\n"
    except OSError:
        return False


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    proc: subprocess.Popen
    workdir: Path
    host: str = "127.0.0.1"

    @property
    def stderr_text(self) -> str:
        parts = []
        for fname in ("stdout.log", "stderr.log"):
            p = self.workdir / fname
            if p.exists():
                txt = p.read_text(errors="replace").strip()
                if txt:
                    parts.append(f"--- {fname} ---\n{txt[-4000:]}")
        return "\n".join(parts) or "(no output)"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def _resolve_binary(raw: str) -> str:
    if os.sep in raw:
        p = Path(raw)
        if not p.is_absolute():
            p = REPO_ROOT / p
        return str(p)
    found = shutil.which(raw)
    return found or raw


def start_server(name: str, binary: str, extra: list[str], workdir: Path) -> Server:
    """Start ``binary`` on a free port and wait until it answers PING."""
    binary = _resolve_binary(binary)
    if not (Path(binary).is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"{name}: binary {binary!r} not found or not executable "
                    f"(build it with `swift build -c release` or set TESSERA_BIN)",
                    pytrace=False)
    workdir.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for attempt in range(3):  # the port may be grabbed between probe and bind
        port = free_port()
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", *extra]
        out = open(workdir / "stdout.log", "wb")
        err = open(workdir / "stderr.log", "wb")
        proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
        out.close()
        err.close()
        srv = Server(name, argv, port, proc, workdir)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if _ping(port):
                return srv
            time.sleep(0.05)
        exited = proc.poll() is not None
        srv.stop()
        why = (f"exited with code {proc.returncode} before answering PING" if exited
               else f"did not answer PING within {START_TIMEOUT:.0f}s (killed)")
        last_error = f"{name} {why}; argv={shlex.join(argv)}\n{srv.stderr_text}"
        if "in use" not in last_error.lower():
            break
    pytest.fail(last_error, pytrace=False)


def _tessera_cmdline() -> tuple[str, list[str]]:
    binary = os.environ.get("TESSERA_BIN") or str(REPO_ROOT / ".build/release/tessera")
    extra = shlex.split(os.environ.get("TESSERA_ARGS", ""))
    if Path(binary).name == "redis-server":
        extra = REDIS_NO_PERSIST + extra
    return binary, extra


@pytest.fixture(scope="session")
def tessera(tmp_path_factory):
    binary, extra = _tessera_cmdline()
    srv = start_server("tessera", binary, extra, tmp_path_factory.mktemp("tessera"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def redis(tmp_path_factory):
    binary = os.environ.get("REDIS_SERVER_BIN", "redis-server")
    srv = start_server("redis-server", binary, list(REDIS_NO_PERSIST),
                       tmp_path_factory.mktemp("redis"))
    yield srv
    srv.stop()


def raw_command(port: int, *args: bytes | str) -> bytes:
    """Send one command on a fresh connection and return the raw reply bytes."""
    with Conn(port) as c:
        return c.call(list(args))


@pytest.fixture
def flush_tessera(tessera):
    """Tessera with an empty keyspace (all databases) before the test."""
    if not tessera.alive():
        pytest.fail(f"tessera is no longer running\n{tessera.stderr_text}", pytrace=False)
    raw_command(tessera.port, "FLUSHALL")
    yield tessera
    assert tessera.alive(), f"tessera died during the test\n{tessera.stderr_text}"


def pytest_report_header(config):
    binary, extra = _tessera_cmdline()
    return [f"tessera target: {shlex.join([binary, *extra])}"]
