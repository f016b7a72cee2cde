"""Both event engines, io_uring (the default) and epoll (io-engine epoll, and the fallback where
the kernel refuses io_uring), under the traffic whose handling differs between them: many sockets
delivering at once, a reader too
slow for its replies (short sends, POLLOUT, output backpressure), a bulk pipeline beside a
latency-sensitive client (receives cancelled while requests wait for their turn), a request larger
than any buffer arriving in pieces, and sockets closed by QUIT and CLIENT KILL while a receive is
armed."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import _tessera_cmdline, start_server
from resp import Conn, encode_command, parse, read_reply

ENGINES = ["io_uring", "epoll"]


def io_uring_expected() -> bool:
    """io_uring with DEFER_TASKRUN needs Linux 6.1; /proc/sys/kernel/io_uring_disabled (6.6+)
    may forbid it."""
    try:
        if Path("/proc/sys/kernel/io_uring_disabled").read_text().strip() != "0":
            return False
    except OSError:
        pass
    major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    return (major, minor) >= (6, 1)


@pytest.fixture(params=ENGINES)
def server(request, tmp_path):
    binary, extra = _tessera_cmdline()
    if binary.endswith("redis-server"):
        pytest.skip("io-engine is Tessera's own directive")
    srv = start_server(f"tessera-{request.param}", binary, [*extra, "--io-engine", request.param], tmp_path)
    srv.engine = request.param
    yield srv
    assert srv.alive(), srv.stderr_text
    srv.stop()


def connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def test_the_engine_in_use_is_reported(server):
    with Conn(server.port) as c:
        info = c.call(["INFO", "server"]).decode()
    api = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)["multiplexing_api"]
    expected = "io_uring" if server.engine == "io_uring" and io_uring_expected() else "epoll"
    assert api == expected
    with Conn(server.port) as c:
        assert parse(c.call(["CONFIG", "GET", "io-engine"]))[1][1][1] == server.engine.encode()


def test_many_sockets_delivering_at_once(server):
    # More sockets than io_uring's 64 provided buffers, all with a request in the same instant:
    # the server is stopped while they send, so its next wait finds all of them at once. (The
    # kernel runs ~20 receives per wait here, so the pool is not exhausted; RingTests covers
    # what happens when it is.)
    sockets = [connect(server.port) for _ in range(600)]
    try:
        with Conn(server.port) as c:
            assert c.call(["PING"]) == b"+PONG\r\n"      # every socket accepted and armed
        os.kill(server.proc.pid, signal.SIGSTOP)
        try:
            for i, s in enumerate(sockets):
                s.sendall(encode_command(["SET", f"many:{i}", f"v{i}"]) + encode_command(["GET", f"many:{i}"]))
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        for i, s in enumerate(sockets):
            f = s.makefile("rb")
            assert read_reply(f) == b"+OK\r\n"
            value = f"v{i}".encode()
            assert read_reply(f) == b"$%d\r\n%s\r\n" % (len(value), value)
    finally:
        for s in sockets:
            s.close()
    with Conn(server.port) as c:
        assert c.call(["DBSIZE"]) == b":600\r\n"


def test_a_slow_reader_gets_every_byte(server):
    big = bytes(range(256)) * 4096       # 1 MiB
    with Conn(server.port) as c:
        assert c.call(["SET", "big", big]) == b"+OK\r\n"
    s = connect(server.port)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        s.sendall(encode_command(["GET", "big"]) * 24 + encode_command(["PING"]))
        time.sleep(0.5)                  # 24 MiB of replies wait: short sends, POLLOUT, backpressure
        f = s.makefile("rb")
        expected = b"$%d\r\n%s\r\n" % (len(big), big)
        for _ in range(24):
            assert read_reply(f) == expected
        assert read_reply(f) == b"+PONG\r\n"
    finally:
        s.close()


def test_one_reply_many_times_the_socket_buffer(server):
    # Nothing else happens on the loop: only POLLOUT, again and again, moves this reply along.
    value = bytes(range(256)) * (32 * 1024)       # 8 MiB
    with Conn(server.port) as c:
        assert c.call(["SET", "huge", value]) == b"+OK\r\n"
    s = connect(server.port)
    try:
        s.sendall(encode_command(["GET", "huge"]))
        time.sleep(0.3)
        s.settimeout(10)
        assert read_reply(s.makefile("rb")) == b"$%d\r\n%s\r\n" % (len(value), value)
    finally:
        s.close()


def test_a_bulk_pipeline_beside_an_interactive_client(server):
    n = 100_000
    payload = b"".join(encode_command(["SET", f"bulk:{i}", "x" * 40]) for i in range(n))
    loader = connect(server.port)
    replies: list[bytes] = []

    def drain():
        f = loader.makefile("rb")
        for _ in range(n):
            replies.append(read_reply(f))

    reader = threading.Thread(target=drain)
    reader.start()
    sender = threading.Thread(target=loader.sendall, args=(payload,))
    sender.start()
    with Conn(server.port) as c:
        for _ in range(200):
            assert c.call(["PING"]) == b"+PONG\r\n"
    sender.join(60)
    reader.join(60)
    loader.close()
    assert len(replies) == n and all(r == b"+OK\r\n" for r in replies)
    with Conn(server.port) as c:
        assert c.call(["DBSIZE"]) == b":%d\r\n" % n


def test_a_large_request_arriving_in_pieces(server):
    value = os.urandom(3 * 1024 * 1024)
    request = encode_command(["SET", "pieces", value])
    s = connect(server.port)
    try:
        for start in range(0, len(request), 64 * 1024):
            s.sendall(request[start:start + 64 * 1024])
            time.sleep(0.001)
        f = s.makefile("rb")
        assert read_reply(f) == b"+OK\r\n"
        s.sendall(encode_command(["GET", "pieces"]))
        assert read_reply(f) == b"$%d\r\n%s\r\n" % (len(value), value)
    finally:
        s.close()


def test_quit_and_client_kill_close_the_socket(server):
    s = connect(server.port)
    s.sendall(encode_command(["QUIT"]))
    f = s.makefile("rb")
    assert read_reply(f) == b"+OK\r\n"
    assert f.read(1) == b""              # end of file right after the reply
    s.close()

    victim = connect(server.port)
    vf = victim.makefile("rb")
    victim.sendall(encode_command(["CLIENT", "ID"]))
    victim_id = int(read_reply(vf)[1:-2])
    with Conn(server.port) as c:
        assert c.call(["CLIENT", "KILL", "ID", str(victim_id)]) == b":1\r\n"
    victim.settimeout(5)
    assert vf.read(1) == b""
    victim.close()
    with Conn(server.port) as c:
        assert c.call(["PING"]) == b"+PONG\r\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_unix_socket_serves_like_tcp(engine, tmp_path):
    binary, extra = _tessera_cmdline()
    if binary.endswith("redis-server"):
        pytest.skip("io-engine is Tessera's own directive")
    path = tmp_path / "tessera.sock"
    srv = start_server(f"tessera-unix-{engine}", binary, [*extra, "--io-engine", engine, "--unixsocket", str(path)],
                       tmp_path / "server")
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(str(path))
        f = s.makefile("rb")
        value = os.urandom(256 * 1024)
        batch = [encode_command(["SET", f"u:{i}", f"v{i}"]) for i in range(100)]
        s.sendall(b"".join(batch) + encode_command(["SET", "big", value]) + encode_command(["GET", "big"]))
        for _ in range(100):
            assert read_reply(f) == b"+OK\r\n"
        assert read_reply(f) == b"+OK\r\n"
        assert read_reply(f) == b"$%d\r\n%s\r\n" % (len(value), value)
        s.sendall(encode_command(["CLIENT", "INFO"]))
        assert b"addr=%s:0" % str(path).encode() in read_reply(f)
        s.close()
    finally:
        srv.stop()


IO_URING_SYSCTL = Path("/proc/sys/kernel/io_uring_disabled")


def without_engine(args: list[str]) -> list[str]:
    """$TESSERA_ARGS minus an --io-engine choice: this test is about the default start."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "--io-engine":
            skip = True
        else:
            out.append(a)
    return out


def test_io_uring_refused_falls_back_to_epoll(tmp_path):
    """What a container with Docker's seccomp profile, or a host with io_uring disabled, gets: the
    default start logs why and serves on epoll. Needs root, to flip kernel.io_uring_disabled."""
    binary, extra = _tessera_cmdline()
    if binary.endswith("redis-server"):
        pytest.skip("io-engine is Tessera's own directive")
    if not os.access(IO_URING_SYSCTL, os.W_OK):
        pytest.skip("needs root and a kernel with kernel.io_uring_disabled (6.6+)")
    before = IO_URING_SYSCTL.read_text().strip()
    IO_URING_SYSCTL.write_text("2")
    try:
        srv = start_server("tessera-fallback", binary, without_engine(extra), tmp_path)
    finally:
        IO_URING_SYSCTL.write_text(before)
    try:
        with Conn(srv.port) as c:
            assert b"multiplexing_api:epoll" in c.call(["INFO", "server"])
            assert c.call(["SET", "k", "v"]) == b"+OK\r\n"
            assert c.call(["GET", "k"]) == b"$1\r\nv\r\n"
        log = (tmp_path / "stdout.log").read_text() + (tmp_path / "stderr.log").read_text()
        assert "io_uring is not available" in log and "io-engine=epoll" in log
    finally:
        srv.stop()
