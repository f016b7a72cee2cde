"""The new directives and protocol limits, side by side with a real redis-server 7.0."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from conftest import free_port, raw

COMMANDS = [
    ["CONFIG", "GET", "client-output-buffer-limit"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "maxmemory-policy"],
    ["CONFIG", "GET", "maxmemory-samples"],
    ["CONFIG", "GET", "protected-mode"],
    ["CONFIG", "GET", "acllog-max-len"],
    ["CONFIG", "GET", "requirepass"],
    ["CONFIG", "GET", "aclfile"],
    ["CONFIG", "GET", "lfu-log-factor"],
    ["CONFIG", "GET", "lfu-decay-time"],
    ["CONFIG", "GET", "user"],
    ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 3"],
    ["CONFIG", "GET", "client-output-buffer-limit"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"],
    ["CONFIG", "SET", "client-output-buffer-limit", "bogus 1 2 3"],
    ["CONFIG", "SET", "maxmemory-policy", "lru"],
    ["CONFIG", "SET", "maxmemory-policy", "VOLATILE-TTL"],
    ["CONFIG", "GET", "maxmemory-policy"],
    ["CONFIG", "SET", "maxmemory-samples", "0"],
    ["CONFIG", "SET", "maxmemory", "100mb"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "0"],
    ["CONFIG", "SET", "lfu-decay-time", "-1"],
    ["CONFIG", "SET", "aclfile", "/tmp/x"],
    ["CONFIG", "SET", "user", "x"],
    ["SET", "k", "v"],
    ["OBJECT", "FREQ", "k"],
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
    ["OBJECT", "IDLETIME", "k"],
    ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    ["CONFIG", "SET", "protected-mode", "no"],
    ["CONFIG", "SET", "acllog-max-len", "5"],
]


def reply(client: redis.Redis, argv: list[str]):
    try:
        return client.execute_command(*argv)
    except redis.ResponseError as error:
        return f"ERROR {error}"


@pytest.fixture
def reference(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=5)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_config_replies_match_redis(server, reference):
    ours = server.client()
    theirs = redis.Redis(port=reference, socket_timeout=5)
    for argv in COMMANDS:
        assert reply(ours, argv) == reply(theirs, argv), argv


@pytest.mark.parametrize("frame", [
    b"*11\r\n", b"*2\r\n$16385\r\n", b"*1\r\n$-5\r\n", b"*1\r\n$536870913\r\n", b"A" * 70000,
    b"*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n", b"*1\r\n$4\r\nPING\r\n",
])
def test_pre_auth_protocol_replies_match_redis(start, reference, frame):
    ours = start("--requirepass", "pw", password="pw")
    redis.Redis(port=reference).config_set("requirepass", "pw")
    assert raw(ours.port, frame, timeout=0.5) == raw(reference, frame, timeout=0.5)
