"""Real client libraries of other languages against Tessera, the same script against redis-server
as the reference (so a script that cannot pass is caught there): PHP's phpredis (its native
session handler and its API), node-redis 4 and redis-rb 4.8. `.ci/run` installs them from Debian
(php-cli php-redis node-redis ruby ruby-redis); a missing interpreter fails the test loudly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from resp import Conn

HERE = Path(__file__).resolve().parent / "clients"
NODE_PATH = "/usr/share/nodejs"


def _run(argv: list[str], env: dict | None = None) -> dict:
    tool = argv[0]
    assert shutil.which(tool), f"{tool} is not installed (.ci/run installs it)"
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ttl(port: int, key: str) -> int:
    with Conn(port) as c:
        return int(c.call(["TTL", key])[1:-2])


@pytest.mark.parametrize("server_name", ["tessera", "redis"])
def test_php_native_session_handler(server_name, request):
    server = request.getfixturevalue(server_name)
    sid = uuid.uuid4().hex
    script = str(HERE / "php_session.php")
    written = _run(["php", script, str(server.port), sid, "write"])
    assert written == {"user": 42, "cart": ["apple", "bé"]}
    # A second request (another PHP process, as on another app server) sees the session.
    assert _run(["php", script, str(server.port), sid, "read"]) == written
    assert 1400 <= _ttl(server.port, f"PHPREDIS_SESSION:{sid}") <= 1440
    assert _run(["php", script, str(server.port), sid, "destroy"]) == {"destroyed": True}
    assert _ttl(server.port, f"PHPREDIS_SESSION:{sid}") == -2
    assert _run(["php", script, str(server.port), sid, "read"]) == []


@pytest.mark.parametrize("server_name", ["tessera", "redis"])
def test_phpredis_api(server_name, request):
    server = request.getfixturevalue(server_name)
    out = _run(["php", str(HERE / "php_client.php"), str(server.port)])
    assert out == {
        "ping": True, "set": True, "set_again": False, "get": "v1", "ttl": 100, "hset": True,
        "hgetall": {"a": "1", "b": "2"}, "incr": 5, "multi": [6, "6"], "pipeline": [True, "x", 1],
        "sadd": 2, "smembers": ["x", "y"], "exists": 2, "del": 4,
    }


@pytest.mark.parametrize("server_name", ["tessera", "redis"])
def test_node_redis(server_name, request):
    server = request.getfixturevalue(server_name)
    out = _run(["node", str(HERE / "node_client.js"), str(server.port)], env={"NODE_PATH": NODE_PATH})
    assert out == {
        "ping": "PONG", "set": "OK", "get": {"user": 7}, "touch": True, "ttl": 900, "hset": 2,
        "hgetall": {"a": "1", "b": "2"}, "multi": [1, 11], "scan": ["sess:node1"], "receivers": 1,
        "message": "hello", "del": 3,
    }


@pytest.mark.parametrize("server_name", ["tessera", "redis"])
def test_redis_rb(server_name, request):
    server = request.getfixturevalue(server_name)
    out = _run(["ruby", str(HERE / "ruby_client.rb"), str(server.port)])
    assert out == {
        "ping": "PONG", "setex": "OK", "get": {"user": 9}, "ttl": 1800, "multi": [True, "x"],
        "pipelined": [1, True, 100], "scan": ["rack:session:abc", "rack:session:def"], "del": 3,
        "exists": False,
    }
