"""MONITOR and CLIENT PAUSE over real sockets, each checked against a real redis-server.

MONITOR lines carry a timestamp and the client's port, so they are compared after masking those;
CLIENT PAUSE is about *when* replies arrive, so the tests look for a reply before and after the
pause ends (with generous windows: no timing is asserted tightly)."""

from __future__ import annotations

import re
import select
import socket
import time

import pytest

from resp import Conn

LINE = re.compile(rb"^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$")


def _monitor_lines(port: int, commands: list[list[bytes | str]]) -> list[bytes]:
    """Starts a monitor, runs `commands` on another connection, returns the masked lines."""
    with Conn(port) as monitor, Conn(port) as client:
        assert monitor.call(["MONITOR"]) == b"+OK\r\n"
        for command in commands:
            client.call(command)
        client.call(["ECHO", "end-of-test"])
        lines = []
        while True:
            raw = monitor.read()
            match = LINE.match(raw.rstrip(b"\r\n"))
            assert match, f"not a monitor line: {raw!r}"
            seconds, _, db, address, args = match.groups()
            assert abs(int(seconds) - time.time()) < 60
            assert re.match(rb"^127\.0\.0\.1:\d+$", address), address
            if args == b'"ECHO" "end-of-test"':
                return lines
            lines.append(b"[" + db + b"] " + args)


MONITORED = [
    ["SET", "k", b'a"b\x01\\\n'],
    ["AUTH", "secret"],
    ["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n"],
    ["MULTI"], ["INCR", "n"], ["GET", "k"], ["EXEC"],
    ["SELECT", "2"], ["PING"], ["UNKNOWN"], ["GET"], ["CONFIG", "SET", "timeout", "0"],
    ["GET", ""], ["SELECT", "0"],
]


def test_monitor_lines_match_redis(tessera, redis):
    ours = _monitor_lines(tessera.port, MONITORED)
    theirs = _monitor_lines(redis.port, MONITORED)
    assert ours == theirs
    assert b'[0] "AUTH" "(redacted)"' in ours


def test_monitor_client_rules(tessera, redis):
    for server in (tessera, redis):
        with Conn(server.port) as monitor:
            assert monitor.call(["MONITOR"]) == b"+OK\r\n"
            assert monitor.call(["GET", "k"]) == b"-ERR Replica can't interact with the keyspace\r\n"
            # PING is allowed, and the monitor sees its own PING afterwards.
            assert monitor.call(["PING"]) == b"+PONG\r\n"
            assert LINE.match(monitor.read().rstrip(b"\r\n"))
            assert monitor.call(["RESET"]) == b"+RESET\r\n"
            assert monitor.call(["SET", "k", "v"]) == b"+OK\r\n"


def _reply_within(conn: Conn, seconds: float) -> bytes | None:
    """One reply if it arrives within `seconds`, else None (the request stays pending).
    Only used when no earlier reply is still unread, so the socket (not the file buffer) tells."""
    ready, _, _ = select.select([conn.sock], [], [], seconds)
    return conn.read() if ready else None


@pytest.mark.parametrize("server_name", ["tessera", "redis"])
def test_client_pause_all_and_write(server_name, request):
    server = request.getfixturevalue(server_name)
    with Conn(server.port) as pauser, Conn(server.port) as other:
        assert other.call(["SET", "paused:k", "1"]) == b"+OK\r\n"
        # ALL: every command waits, reads too, and runs when the pause ends.
        assert pauser.call(["CLIENT", "PAUSE", "600", "ALL"]) == b"+OK\r\n"
        started = time.monotonic()
        other.send_raw(b"*2\r\n$3\r\nGET\r\n$8\r\npaused:k\r\n")
        assert _reply_within(other, 0.2) is None
        assert other.read() == b"$1\r\n1\r\n"
        assert time.monotonic() - started >= 0.4
        # WRITE: reads are served, writes wait until CLIENT UNPAUSE.
        assert pauser.call(["CLIENT", "PAUSE", "5000", "WRITE"]) == b"+OK\r\n"
        assert other.call(["GET", "paused:k"]) == b"$1\r\n1\r\n"
        other.send_raw(b"*2\r\n$4\r\nINCR\r\n$8\r\npaused:k\r\n")
        assert _reply_within(other, 0.2) is None
        assert pauser.call(["GET", "paused:k"]) == b"$1\r\n1\r\n"
        assert pauser.call(["CLIENT", "UNPAUSE"]) == b"+OK\r\n"
        assert _reply_within(other, 3.0) == b":2\r\n"
        # A MULTI whose queue writes waits at the write, reads inside MULTI do not.
        assert pauser.call(["CLIENT", "PAUSE", "5000", "WRITE"]) == b"+OK\r\n"
        assert other.call(["MULTI"]) == b"+OK\r\n"
        assert other.call(["GET", "paused:k"]) == b"+QUEUED\r\n"
        other.send_raw(b"*2\r\n$4\r\nINCR\r\n$8\r\npaused:k\r\n*1\r\n$4\r\nEXEC\r\n")
        assert _reply_within(other, 0.2) is None
        assert pauser.call(["CLIENT", "UNPAUSE"]) == b"+OK\r\n"
        assert _reply_within(other, 3.0) == b"+QUEUED\r\n"
        assert other.read() == b"*2\r\n$1\r\n2\r\n:3\r\n"
