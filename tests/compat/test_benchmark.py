"""Run the real ``redis-benchmark`` against Tessera.

This checks correctness under concurrent load (50 clients by default), never
speed: the run must finish, every test must report a requests-per-second
line, and nothing may mention an error.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import raw_command

pytestmark = pytest.mark.usefixtures("flush_tessera")

# -t ping runs both PING_INLINE and PING_MBULK; MSET is reported as "MSET (10 keys)".
EXPECTED_TESTS = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"]
RPS_LINE = re.compile(r"^(?P<name>[A-Z_]+(?: \(10 keys\))?): (?P<rps>[0-9.]+) requests per second")


def run_benchmark(server, *extra: str, n: int = 20000) -> list[str]:
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-q",
            "-n", str(n), "-t", "ping,set,get,incr,mset", *extra]
    proc = subprocess.run(argv, capture_output=True, timeout=150, stdin=subprocess.DEVNULL)
    text = (proc.stdout + proc.stderr).decode(errors="replace")
    # -q output redraws progress with '\r'; split on both to get final lines.
    out_lines = [l.strip() for l in re.split(r"[\r\n]+", text) if l.strip()]
    assert proc.returncode == 0, f"redis-benchmark exited {proc.returncode}:\n{text[-3000:]}"
    bad = [l for l in out_lines if "ERR" in l or "error" in l.lower()]
    assert not bad, "redis-benchmark reported errors:\n" + "\n".join(bad[:20])
    finals = {m["name"]: float(m["rps"]) for l in out_lines if (m := RPS_LINE.match(l))}
    missing = [t for t in EXPECTED_TESTS if t not in finals]
    assert not missing, f"no requests-per-second line for {missing}:\n{text[-3000:]}"
    assert server.alive(), f"server died during redis-benchmark\n{server.stderr_text}"
    return out_lines


def test_benchmark_default(tessera):
    run_benchmark(tessera)
    # Without -r every INCR hits the same literal key, so the count is exact.
    assert raw_command(tessera.port, "GET", "counter:__rand_int__") == b"$5\r\n20000\r\n"
    # SET payload is 3 bytes by default (-d 3); its content is arbitrary.
    assert raw_command(tessera.port, "STRLEN", "key:__rand_int__") == b":3\r\n"


def test_benchmark_pipelined_random_keys(tessera):
    # Pipelining (-P) stresses the request parser with many commands per read.
    run_benchmark(tessera, "-P", "16", "-r", "1000", "-d", "100")
    assert raw_command(tessera.port, "PING") == b"+PONG\r\n"
