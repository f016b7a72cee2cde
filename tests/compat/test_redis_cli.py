"""Drive Tessera with the real ``redis-cli``.

redis-cli prints in "raw" mode when stdout is not a TTY (as here): bulk
strings verbatim, integers as digits, nil as an empty line, errors as
``ERR ...`` (exit code stays 0 for server errors).
"""

from __future__ import annotations

import random
import subprocess

import pytest

pytestmark = pytest.mark.usefixtures("flush_tessera")


def cli(server, *args: str, stdin: bytes | None = None, timeout: float = 30) -> str:
    proc = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(server.port), *args],
                          input=stdin, capture_output=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"redis-cli {args} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode(errors="replace").rstrip("\n")


def lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def test_ping_echo(tessera):
    assert cli(tessera, "PING") == "PONG"
    assert cli(tessera, "PING", "hello there") == "hello there"
    assert cli(tessera, "ECHO", "abc def") == "abc def"


def test_set_get_del(tessera):
    assert cli(tessera, "SET", "k1", "v1") == "OK"
    assert cli(tessera, "GET", "k1") == "v1"
    assert cli(tessera, "GET", "missing") == ""
    assert cli(tessera, "SET", "k1", "v2", "NX") == ""
    assert cli(tessera, "SET", "k1", "v2", "XX", "GET") == "v1"
    assert cli(tessera, "EXISTS", "k1", "k1", "nope") == "2"
    assert cli(tessera, "DEL", "k1", "nope") == "1"
    assert cli(tessera, "GET", "k1") == ""


def test_expire_ttl(tessera):
    cli(tessera, "SET", "e", "x")
    assert cli(tessera, "TTL", "e") == "-1"
    assert cli(tessera, "TTL", "nokey") == "-2"
    assert cli(tessera, "EXPIRE", "e", "100") == "1"
    assert 98 <= int(cli(tessera, "TTL", "e")) <= 100
    assert 98_000 <= int(cli(tessera, "PTTL", "e")) <= 100_000
    assert cli(tessera, "PERSIST", "e") == "1"
    assert cli(tessera, "TTL", "e") == "-1"
    assert cli(tessera, "PEXPIRE", "e", "1") == "1"
    import time
    time.sleep(0.05)
    assert cli(tessera, "GET", "e") == ""
    assert cli(tessera, "EXISTS", "e") == "0"


def test_incr_family(tessera):
    assert cli(tessera, "INCR", "n") == "1"
    assert cli(tessera, "INCRBY", "n", "41") == "42"
    assert cli(tessera, "DECR", "n") == "41"
    assert cli(tessera, "DECRBY", "n", "50") == "-9"
    assert cli(tessera, "INCRBYFLOAT", "f", "1.5") == "1.5"
    cli(tessera, "SET", "s", "abc")
    assert cli(tessera, "INCR", "s") == "ERR value is not an integer or out of range"


def test_mset_mget(tessera):
    assert cli(tessera, "MSET", "a", "1", "b", "2", "c", "3") == "OK"
    assert lines(cli(tessera, "MGET", "a", "b", "nope", "c")) == ["1", "2", "", "3"]
    assert cli(tessera, "MSETNX", "a", "9", "d", "4") == "0"
    assert cli(tessera, "MSETNX", "d", "4", "e", "5") == "1"


def test_keys_scan_dbsize_flushall(tessera):
    for i in range(3):
        assert cli(tessera, "SET", f"user:{i}", str(i)) == "OK"
    cli(tessera, "MSET", *[x for i in range(3, 50) for x in (f"user:{i}", str(i))])
    cli(tessera, "MSET", "other:1", "x", "other:2", "y")
    assert cli(tessera, "DBSIZE") == "52"
    assert sorted(lines(cli(tessera, "KEYS", "other:*"))) == ["other:1", "other:2"]
    assert len(lines(cli(tessera, "KEYS", "user:*"))) == 50
    assert sorted(lines(cli(tessera, "KEYS", "user:1?"))) == [f"user:{i}" for i in range(10, 20)]
    # --scan iterates the whole cursor loop client-side.
    scanned = lines(cli(tessera, "--scan", "--pattern", "user:*"))
    assert sorted(set(scanned)) == sorted(f"user:{i}" for i in range(50))
    # A single SCAN call: first line is the cursor, then keys.
    out = lines(cli(tessera, "SCAN", "0", "COUNT", "1000"))
    assert out[0] == "0" and len(out) == 53
    # Small COUNT: walk the cursor by hand; every key is seen at least once.
    cursor, seen = "0", set()
    for _ in range(1000):
        out = lines(cli(tessera, "SCAN", cursor, "MATCH", "user:*", "COUNT", "7"))
        cursor, seen = out[0], seen | set(out[1:])
        if cursor == "0":
            break
    assert cursor == "0" and seen == {f"user:{i}" for i in range(50)}
    assert cli(tessera, "FLUSHALL") == "OK"
    assert cli(tessera, "DBSIZE") == "0"
    assert cli(tessera, "KEYS", "*") == ""


def test_info(tessera):
    info = cli(tessera, "INFO")
    assert "# Server" in info
    assert "redis_version:" in info
    fields = dict(l.strip().split(":", 1) for l in info.splitlines()
                  if ":" in l and not l.startswith("#"))
    assert fields["tcp_port"] == str(tessera.port)
    cli(tessera, "SET", "x", "1")
    assert "db0:keys=1" in cli(tessera, "INFO", "keyspace")


def test_errors_and_arity(tessera):
    assert cli(tessera, "GET") == "ERR wrong number of arguments for 'get' command"
    assert cli(tessera, "NOSUCHCMD", "a").startswith("ERR unknown command 'NOSUCHCMD'")


def test_select_and_db_option(tessera):
    assert cli(tessera, "-n", "3", "SET", "only3", "x") == "OK"
    assert cli(tessera, "-n", "3", "GET", "only3") == "x"
    assert cli(tessera, "GET", "only3") == ""
    assert cli(tessera, "-n", "3", "DBSIZE") == "1"


def test_stdin_batch(tessera):
    # Several commands, one per line, on stdin (redis-cli reads and sends them in order).
    out = cli(tessera, stdin=b"SET a 1\nINCR a\nGET a\nDEL a\n")
    assert lines(out) == ["OK", "2", "2", "1"]


def test_pipe_mass_insertion(tessera):
    n = 100_000
    payload = b"".join(
        b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v)
        for k, v in ((b"key:%d" % i, b"value:%d" % i) for i in range(n)))
    out = cli(tessera, "--pipe", stdin=payload, timeout=120)
    assert f"errors: 0, replies: {n}" in out, out
    assert cli(tessera, "DBSIZE") == str(n)
    rnd = random.Random(1234)
    for i in [0, n - 1, *rnd.sample(range(n), 10)]:
        assert cli(tessera, "GET", f"key:{i}") == f"value:{i}"


def test_resp3_hello(tessera):
    out = cli(tessera, "-3", "--no-raw", "HELLO", "3")
    # A RESP3 map is rendered as `1# "key" => value`.
    assert '1# "server" =>' in out, out
    assert '"proto" => (integer) 3' in out, out
    assert '"id" => (integer)' in out, out
    assert '"mode" =>' in out and '"role" => "master"' in out, out
    # A nil in RESP3 (the `_` type) is shown as (nil).
    assert cli(tessera, "-3", "--no-raw", "GET", "nope") == "(nil)"
    # A RESP3 double, e.g. INCRBYFLOAT still replies a bulk string (as in Redis).
    assert cli(tessera, "-3", "--no-raw", "INCRBYFLOAT", "fl", "2.5") == '"2.5"'
