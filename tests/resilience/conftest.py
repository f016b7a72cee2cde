"""Fixtures for the resilience suite: hostile networks and bad clients.

Each test starts its own Tessera (``.build/release/tessera`` or ``$TESSERA_BIN``) on a free port
of 127.0.0.1 with the directives it needs, so limits changed by one test never leak into another.
``$TESSERA_ARGS`` is added to every start (CI runs the suite again with ``--io-engine epoll``).
Everything talks to loopback only.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary() -> str:
    return os.environ.get("TESSERA_BIN") or str(REPO_ROOT / ".build/release/tessera")


class Server:
    def __init__(self, workdir: Path, args: list[str], bind: str = "127.0.0.1"):
        self.workdir = workdir
        self.port = free_port()
        self.argv = [binary(), *args[:1]] if args and not args[0].startswith("--") else [binary()]
        rest = args[1:] if len(self.argv) == 2 else args
        self.argv += ["--port", str(self.port), "--bind", bind,
                      *shlex.split(os.environ.get("TESSERA_ARGS", "")), *rest]
        self.log = open(workdir / "server.log", "wb")
        self.proc = subprocess.Popen(self.argv, cwd=workdir, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, password: str | None = None) -> "Server":
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"tessera exited ({self.proc.returncode}):\n{self.output()}")
            try:
                if self.client(password=password).ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise AssertionError(f"tessera did not answer PING:\n{self.output()}")

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return (self.workdir / "server.log").read_text(errors="replace")[-4000:]

    def client(self, **kwargs) -> redis.Redis:
        kwargs.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    def rss(self) -> int:
        with open(f"/proc/{self.proc.pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


@pytest.fixture
def start(tmp_path):
    """start(*directives, password=None) -> a running Server (stopped after the test)."""
    servers: list[Server] = []

    def _start(*args: str, password: str | None = None, bind: str = "127.0.0.1", ready: bool = True) -> Server:
        workdir = tmp_path / f"server{len(servers)}"
        workdir.mkdir()
        server = Server(workdir, list(args), bind=bind)
        servers.append(server)
        return server.wait_ready(password) if ready else server

    yield _start
    for server in servers:
        alive = server.alive()
        server.stop()
        assert alive, f"tessera died during the test:\n{server.output()}"


@pytest.fixture
def server(start):
    return start("--protected-mode", "yes")


class Prober:
    """A well-behaved client running beside the chaos: writes keys, reads them back, records the
    worst round-trip. `check()` fails the test on any wrong answer."""

    def __init__(self, server: Server, prefix: str = "probe"):
        self.client = server.client(socket_timeout=10)
        self.prefix = prefix
        self.errors: list[str] = []
        self.worst = 0.0
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)
        self.check()

    def _run(self):
        i = 0
        while not self._stop.is_set():
            key = f"{self.prefix}:{i % 500}"
            value = f"value-{i}".encode()
            try:
                t0 = time.monotonic()
                self.client.set(key, value)
                got = self.client.get(key)
                self.worst = max(self.worst, time.monotonic() - t0)
                if got != value:
                    self.errors.append(f"{key}: got {got!r}, want {value!r}")
            except Exception as error:  # noqa: BLE001 - every failure is a finding
                self.errors.append(f"{key}: {error!r}")
            i += 1
            self.rounds += 1
            time.sleep(0.002)

    def check(self):
        assert not self.errors, self.errors[:5]
        assert self.rounds > 0
        # Generous: only a stall (a loop blocked by a bad client) would come near this.
        assert self.worst < 2.0, f"worst round trip {self.worst:.3f}s"


def raw(port: int, data: bytes, timeout: float = 2.0, source: str | None = None) -> bytes:
    """Sends `data` on a fresh connection and returns everything read until close or timeout."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if source:
        s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        return out
    finally:
        s.close()


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
