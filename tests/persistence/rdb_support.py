"""Shared helpers for the RDB snapshot tests (test_rdb*.py).

Kept out of conftest.py on purpose: the append-only-file tests live in the same directory with
their own helpers. Every server runs in its own temporary directory on a free loopback port;
Tessera comes from ``$TESSERA_BIN`` (default ``.build/release/tessera``), the reference server
from ``$REDIS_SERVER_BIN`` (default ``redis-server``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


def tessera_binary() -> str:
    raw = os.environ.get("TESSERA_BIN") or str(REPO_ROOT / ".build/release/tessera")
    p = Path(raw)
    return str(p if p.is_absolute() or os.sep not in raw else REPO_ROOT / p)


def redis_binary() -> str:
    return os.environ.get("REDIS_SERVER_BIN", "redis-server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every process spawned by these helpers, so a failing test still leaves none behind
# (test_rdb*.py kill them in an autouse fixture).
SPAWNED: list["Proc"] = []


def kill_spawned() -> None:
    while SPAWNED:
        SPAWNED.pop().kill()


@dataclass
class Proc:
    """A server process in `workdir`, started with `--dir workdir`."""
    binary: str
    workdir: Path
    extra: list[str] = field(default_factory=list)
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def dump(self) -> Path:
        return self.workdir / "dump.rdb"

    def spawn(self) -> "Proc":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        if Path(self.binary).name == "redis-server":
            argv += ["--appendonly", "no", "--daemonize", "no"]
        argv += self.extra
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(argv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT)
        SPAWNED.append(self)
        return self

    def start(self, loaded: bool = True) -> "Proc":
        """Spawn and wait until it accepts connections (and, if `loaded`, finished loading)."""
        self.spawn()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}\n{self.log}")
            try:
                c = self.client()
                info = c.info("persistence")
                if not loaded or info.get("loading") == 0:
                    return self
            except (redis.ConnectionError, redis.TimeoutError):
                pass
            except redis.ResponseError as e:
                if "LOADING" not in str(e):
                    raise
            time.sleep(0.02)
        raise AssertionError(f"server not ready within {START_TIMEOUT}s\n{self.log}")

    def client(self, db: int = 0, **kw) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=10, **kw)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float = 20.0) -> int:
        return self.proc.wait(timeout=timeout)

    def terminate(self, timeout: float = 20.0) -> int:
        if not self.alive():
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=10)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.02, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def wait_bgsave_done(c: redis.Redis, timeout: float = 60.0) -> dict:
    return wait_for(lambda: (lambda i: i if i["rdb_bgsave_in_progress"] == 0 else None)(c.info("persistence")),
                    timeout=timeout, what="BGSAVE to finish")


def redis_check_rdb(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["redis-check-rdb", str(path)], capture_output=True, text=True, timeout=120)


# --- the dataset every round trip uses ---------------------------------------------------------

def populate(c: redis.Redis) -> None:
    """Strings (int, short, long/compressible, binary), hashes (listpack and hashtable), sets
    (intset, mixed/hashtable, large intset→hashtable), TTLs, several databases."""
    p = c.pipeline(transaction=False)
    p.set("s:int", "12345")
    p.set("s:neg", "-70000")
    p.set("s:big-int", "123456789012345")
    p.set("s:short", "hello")
    p.set("s:empty", "")
    p.set("s:long", "session-" * 200)                     # LZF-compressible
    p.set("s:random", os.urandom(300))                    # not compressible
    p.set("s:bin", bytes(range(256)))
    p.set("s:ttl", "expiring", px=3_600_000)
    p.set("s:ttl-short", "soon", ex=120)
    p.hset("h:small", mapping={"user": "42", "name": "ada", "n": "7"})
    p.hset("h:wide", mapping={f"f{i}": f"v{i}" for i in range(300)})       # > 128 entries: hashtable
    p.hset("h:longval", mapping={"k": "x" * 100})                           # value > 64: hashtable
    p.hset("h:ttl", mapping={"a": "1"})
    p.pexpire("h:ttl", 7_200_000)
    p.sadd("set:int", *range(10))                                          # intset
    p.sadd("set:neg", -5, 70000, -2_000_000_000, 9_000_000_000)            # intset, wide ints
    p.sadd("set:str", "a", "b", "c")                                       # hashtable
    p.sadd("set:many", *range(1000))                                       # > 512: hashtable
    p.sadd("set:ttl", "x")
    p.expire("set:ttl", 5000)
    p.execute()
    for db in (1, 5, 15):
        cd = c.__class__(host=c.connection_pool.connection_kwargs["host"],
                         port=c.connection_pool.connection_kwargs["port"], db=db)
        cd.set(f"db{db}:k", f"value-in-{db}")
        cd.hset(f"db{db}:h", "f", "v")
        cd.sadd(f"db{db}:s", "m1", "m2")
        cd.set(f"db{db}:ttl", "t", ex=1000)
        cd.close()


def snapshot(port: int) -> dict:
    """Every key of every database: (type, value, pttl rounded to seconds) — comparable across servers."""
    result = {}
    for db in range(16):
        c = redis.Redis(host="127.0.0.1", port=port, db=db)
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "hash":
                v = c.hgetall(key)
            elif t == "set":
                v = c.smembers(key)
            else:
                v = f"<{t}>"
            pttl = c.pttl(key)
            result[(db, key)] = (t, v, pttl)
        c.close()
    return result


def assert_same_data(expected: dict, actual: dict, ttl_slack_ms: int = 30_000) -> None:
    assert set(expected) == set(actual), (
        f"missing: {sorted(set(expected) - set(actual))[:10]} extra: {sorted(set(actual) - set(expected))[:10]}")
    for k, (t, v, pttl) in expected.items():
        t2, v2, pttl2 = actual[k]
        assert (t, v) == (t2, v2), f"{k}: {t}/{v!r:.80} != {t2}/{v2!r:.80}"
        if pttl < 0:
            assert pttl2 == pttl, f"{k}: ttl {pttl} != {pttl2}"
        else:
            assert 0 < pttl2 <= pttl and pttl - pttl2 < ttl_slack_ms, f"{k}: pttl {pttl} vs {pttl2}"
