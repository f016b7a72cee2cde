"""Malformed requests, side by side with redis-server, over raw sockets.

For each bad request the server must send the same error bytes as Redis and
then close the connection, while another client connected to the same server
keeps being served.  Also checks that requests split at arbitrary byte
boundaries are parsed like Redis parses them.
"""

from __future__ import annotations

import socket
import time

import pytest

from resp import Conn, encode_command

EOF_MARK = b"<EOF>"
RST_MARK = b"<RST>"
TIMEOUT_MARK = b"<TIMEOUT: connection still open>"

PROTO_ERROR_CASES = [
    # (name, bytes sent, expected reply before the close)
    ("invalid-multibulk-length", b"*abc\r\n",
     b"-ERR Protocol error: invalid multibulk length\r\n"),
    ("multibulk-length-too-big", b"*3000000000\r\n",
     b"-ERR Protocol error: invalid multibulk length\r\n"),
    ("expected-dollar", b"*1\r\nx\r\n",
     b"-ERR Protocol error: expected '$', got 'x'\r\n"),
    ("expected-dollar-second-arg", b"*2\r\n$4\r\nECHO\r\n:1\r\n",
     b"-ERR Protocol error: expected '$', got ':'\r\n"),
    ("invalid-bulk-length", b"*1\r\n$abc\r\n",
     b"-ERR Protocol error: invalid bulk length\r\n"),
    ("negative-bulk-length", b"*1\r\n$-1\r\n",
     b"-ERR Protocol error: invalid bulk length\r\n"),
    ("bulk-length-too-big", b"*1\r\n$600000000\r\n",
     b"-ERR Protocol error: invalid bulk length\r\n"),
    ("unbalanced-double-quotes", b'SET "a b\r\n',
     b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    ("unbalanced-single-quotes", b"ECHO 'abc\r\n",
     b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    ("quote-not-followed-by-space", b'ECHO "a"b\r\n',
     b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    # 64 KiB + 1 byte without a newline: exactly one byte over PROTO_INLINE_MAX_SIZE,
    # so the server has consumed everything we sent when it closes (no RST race).
    ("too-big-inline", b"a" * (64 * 1024 + 1),
     b"-ERR Protocol error: too big inline request\r\n"),
    ("too-big-mbulk-count", b"*" + b"1" * (64 * 1024 + 1),
     b"-ERR Protocol error: too big mbulk count string\r\n"),
    ("good-then-bad", b"PING\r\n*abc\r\n",
     b"+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"),
]


def read_until_closed(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything the server sends, then a marker saying how the stream ended."""
    sock.settimeout(timeout)
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return out + EOF_MARK
            out += chunk
    except socket.timeout:
        return out + TIMEOUT_MARK
    except ConnectionResetError:
        return out + RST_MARK


def send_bad(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        return read_until_closed(s)


@pytest.mark.parametrize("name,payload,expected", PROTO_ERROR_CASES,
                         ids=[c[0] for c in PROTO_ERROR_CASES])
def test_protocol_error_closes_connection(name, payload, expected, tessera, redis):
    results = {}
    for srv in (redis, tessera):
        with Conn(srv.port) as bystander:
            assert bystander.call(["SET", "bystander", name]) == b"+OK\r\n"
            results[srv.name] = send_bad(srv.port, payload)
            # The other client is unaffected.
            assert bystander.call(["PING"]) == b"+PONG\r\n"
            assert bystander.call(["GET", "bystander"]) == encode_bulk(name)
        assert srv.alive(), f"{srv.name} died\n{srv.stderr_text}"
    assert results["redis-server"] == expected + EOF_MARK, "reference redis changed behaviour?"
    assert results["tessera"] == results["redis-server"], (
        f"tessera: {results['tessera'][:300]!r}\nredis:   {results['redis-server'][:300]!r}")


def encode_bulk(s: str) -> bytes:
    b = s.encode()
    return b"$%d\r\n%s\r\n" % (len(b), b)


def test_partial_big_inline_does_not_block_others(tessera, redis):
    """A client stuck mid-way through a huge inline request must not stall anyone."""
    for srv in (redis, tessera):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as bad, \
                Conn(srv.port) as other:
            bad.sendall(b"a" * 40_000)  # under the limit, no newline: server must wait
            time.sleep(0.2)
            assert other.call(["PING"]) == b"+PONG\r\n"
            assert other.call(["SET", "k", "v"]) == b"+OK\r\n"
            bad.settimeout(0.3)
            with pytest.raises(socket.timeout):
                bad.recv(100)  # nothing yet, connection still open
            bad.sendall(b"a" * 25_537)  # now 64 KiB + 1 without a newline
            got = read_until_closed(bad)
            assert got == b"-ERR Protocol error: too big inline request\r\n" + EOF_MARK, srv.name
            assert other.call(["GET", "k"]) == b"$1\r\nv\r\n"


def test_inline_at_limit_is_accepted(tessera, redis):
    # An inline line of exactly 64 KiB (plus CRLF) is still parsed as a command.
    line = b"ECHO " + b"b" * (64 * 1024 - 5) + b"\r\n"
    replies = {}
    for srv in (redis, tessera):
        with Conn(srv.port) as c:
            c.send_raw(line[:40_000])
            time.sleep(0.1)
            c.send_raw(line[40_000:])
            replies[srv.name] = c.read()
            assert c.call(["PING"]) == b"+PONG\r\n"
    assert replies["redis-server"] == b"$65531\r\n" + b"b" * 65531 + b"\r\n"
    assert replies["tessera"] == replies["redis-server"]


PIPELINE = (
    encode_command(["SET", "split", "a\r\nb"])
    + b"GET split\r\n"
    + encode_command(["APPEND", "split", b"\x00" * 300])
    + encode_command(["STRLEN", "split"])
    + b"\r\n"
    + encode_command(["MSET", "x", "1", "y", "2"])
    + b"MGET x y nope\n"
    + encode_command(["ECHO", "z" * 5000])
    + encode_command(["INCR", "x"])
)
PIPELINE_REPLIES = 8  # the bare CRLF line produces no reply


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 4096, len(PIPELINE)])
def test_split_requests(chunk, tessera, redis):
    """The same pipeline sent in chunks of `chunk` bytes gives Redis' exact replies."""
    out = {}
    for srv in (redis, tessera):
        with Conn(srv.port) as c:
            assert c.call(["FLUSHALL"]) == b"+OK\r\n"
            for i in range(0, len(PIPELINE), chunk):
                c.send_raw(PIPELINE[i:i + chunk])
                if chunk < 8 and i % 256 == 0:
                    time.sleep(0.001)  # let the server see genuinely partial reads
            out[srv.name] = b"".join(c.read() for _ in range(PIPELINE_REPLIES))
    assert out["tessera"] == out["redis-server"]


def test_many_clients_interleaved(tessera, redis):
    """Many connections with half-sent requests, completed in reverse order."""
    for srv in (redis, tessera):
        conns = [Conn(srv.port) for _ in range(50)]
        try:
            reqs = [encode_command(["SET", f"c{i}", f"v{i}"]) + encode_command(["GET", f"c{i}"])
                    for i in range(len(conns))]
            for c, req in zip(conns, reqs):
                c.send_raw(req[: len(req) // 2])
            for c, req in reversed(list(zip(conns, reqs))):
                c.send_raw(req[len(req) // 2:])
            for i, c in enumerate(conns):
                assert c.read() == b"+OK\r\n"
                assert c.read() == encode_bulk(f"v{i}")
        finally:
            for c in conns:
                c.close()
