"""Malformed frames, huge declared lengths, oversized queries, resets, idle crowds, maxclients.

Throughout, a well-behaved client (Prober) keeps reading back what it wrote with a bounded
latency, the server stays up with bounded memory, and data written before is intact."""

from __future__ import annotations

import random
import socket
import struct
import threading
import time

from conftest import Prober, raw, wait_until

MB = 1024 * 1024


def seed_data(client, count=2000):
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"seed:{i}", f"session-{i}" * 10)
    pipe.execute()


def assert_seed_intact(client, count=2000):
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        pipe.get(f"seed:{i}")
    values = pipe.execute()
    bad = [i for i, v in enumerate(values) if v != (f"session-{i}" * 10).encode()]
    assert not bad, f"{len(bad)} seeded keys changed, e.g. seed:{bad[0]}"


MALFORMED = [
    b"*-1\r\n*x\r\n", b"*1\r\n$x\r\n", b"*2\r\n$3\r\nGET\r\n:5\r\n", b"*1\r\n$4\r\nPI", b"\x00\x01\x02\xff" * 50,
    b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$-1\r\n", b'"unbalanced\r\n', b"*1\r\n$-5\r\n", b"$5\r\nhello\r\n",
    b"*99999999999999999999\r\n", b"*1\r\n$99999999999999999999\r\n", b"\r\n\r\n\r\n", b"*0\r\n*-5\r\n",
    b"SET a\r\n" * 3 + b"*1\r\n$3\r\nFOO\r\n",
]


def chaos_connection(port: int, rng: random.Random, results: list):
    try:
        frame = rng.choice(MALFORMED) if rng.random() < 0.6 else bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 600)))
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        s.sendall(frame)
        s.settimeout(0.5)
        try:
            s.recv(4096)
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
        results.append(True)
    except OSError as error:
        results.append(error)


def test_hundreds_of_connections_with_random_and_malformed_frames(server):
    good = server.client()
    seed_data(good)
    rng = random.Random(6)
    results: list = []
    with Prober(server):
        for wave in range(4):
            threads = [threading.Thread(target=chaos_connection, args=(server.port, random.Random(rng.random()), results))
                       for _ in range(100)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    failures = [r for r in results if r is not True]
    assert len(results) == 400 and not failures, failures[:3]
    assert server.alive()
    assert_seed_intact(good)


def test_protocol_error_texts_match_redis(server):
    port = server.port
    assert raw(port, b"*1\r\n$-5\r\n") == b"-ERR Protocol error: invalid bulk length\r\n"
    assert raw(port, b"*1\r\n$536870913\r\n") == b"-ERR Protocol error: invalid bulk length\r\n"
    assert raw(port, b"*99999999999999999999\r\n") == b"-ERR Protocol error: invalid multibulk length\r\n"
    assert raw(port, b"*1\r\nx\r\n") == b"-ERR Protocol error: expected '$', got 'x'\r\n"
    assert raw(port, b'SET "a b\r\n') == b"-ERR Protocol error: unbalanced quotes in request\r\n"
    # An inline request (no '*') may not exceed 64 KiB without a newline.
    assert raw(port, b"A" * (70 * 1024)) == b"-ERR Protocol error: too big inline request\r\n"
    assert raw(port, b"*" + b"1" * (70 * 1024)) == b"-ERR Protocol error: too big mbulk count string\r\n"


def test_huge_declared_lengths_allocate_nothing_up_front(server):
    """Declaring 500 MB bulks (under proto-max-bulk-len) and sending nothing must not reserve them."""
    good = server.client()
    seed_data(good, 200)
    before = server.rss()
    sockets = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=3)
        s.sendall(b"*2\r\n$3\r\nGET\r\n$500000000\r\nabc")
        sockets.append(s)
    with Prober(server):
        time.sleep(0.5)
    growth = server.rss() - before
    assert growth < 64 * MB, f"RSS grew by {growth / MB:.0f} MB for 50 stalled 500 MB bulks"
    for s in sockets:
        s.close()
    assert_seed_intact(good, 200)


def test_client_streaming_past_the_query_buffer_limit_is_closed(server):
    good = server.client()
    good.config_set("client-query-buffer-limit", "1mb")
    assert good.config_get("client-query-buffer-limit") == {"client-query-buffer-limit": str(MB)}
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n")
    sent = 0
    closed = False
    chunk = b"x" * 65536
    try:
        while sent < 16 * MB:
            s.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        s.settimeout(5)
        try:
            closed = s.recv(1) == b""
        except ConnectionResetError:
            closed = True
    s.close()
    assert closed, "a client past client-query-buffer-limit must be disconnected"
    assert sent < 12 * MB
    assert good.ping()
    assert "Closing client that reached max query buffer length" in server.output()


def test_unauthenticated_clients_get_the_stricter_limits(start):
    server = start("--requirepass", "s3cret", password="s3cret")
    port = server.port
    assert raw(port, b"*11\r\n") == b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    assert raw(port, b"*2\r\n$16385\r\n") == b"-ERR Protocol error: unauthenticated bulk length\r\n"
    assert raw(port, b"*1\r\n$4\r\nPING\r\n", timeout=0.5) == b"-NOAUTH Authentication required.\r\n"
    # After AUTH the normal limits apply.
    args = [b"MSET"] + [b"k%d" % (i // 2) if i % 2 == 0 else b"v" * 20000 for i in range(24)]
    frame = b"*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n" + b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    assert raw(port, frame, timeout=1) == b"+OK\r\n+OK\r\n"


def test_abrupt_resets_mid_pipeline(server):
    good = server.client()
    seed_data(good)
    frame = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n" % (len(k), k)
                     for k in (b"reset:%d" % i for i in range(2000)))
    with Prober(server):
        for i in range(100):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=3)
            s.sendall(frame[: random.Random(i).randint(1, len(frame))])
            # SO_LINGER 0: close sends a RST, discarding whatever is unsent or unread.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
    assert server.alive()
    assert_seed_intact(good)
    assert wait_until(lambda: int(good.info("clients")["connected_clients"]) <= 3)


def test_idle_connections_are_harmless_and_closed_by_timeout(server):
    good = server.client()
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=3) for _ in range(300)]
    subscriber = server.client()
    pubsub = subscriber.pubsub()
    pubsub.subscribe("news")
    with Prober(server):
        assert int(good.info("clients")["connected_clients"]) >= 300
    good.config_set("timeout", "1")
    # Redis checks idle clients about once a second: allow a few seconds.
    assert wait_until(lambda: int(good.info("clients")["connected_clients"]) <= 3, timeout=8), \
        good.info("clients")["connected_clients"]
    for s in idle:
        s.settimeout(2)
        assert s.recv(1) == b""
        s.close()
    # Subscribers are exempt from the idle timeout.
    assert good.publish("news", "still here") == 1
    pubsub.close()


def test_maxclients_exhaustion(start):
    server = start("--maxclients", "20")
    good = server.client(single_connection_client=True)
    good.ping()
    crowd = [socket.create_connection(("127.0.0.1", server.port), timeout=3) for _ in range(19)]
    assert wait_until(lambda: int(good.info("clients")["connected_clients"]) == 20)
    assert raw(server.port, b"*1\r\n$4\r\nPING\r\n", timeout=2) == b"-ERR max number of clients reached\r\n"
    assert good.set("still", "served") and good.get("still") == b"served"
    for s in crowd[:5]:
        s.close()
    assert wait_until(lambda: raw(server.port, b"*1\r\n$4\r\nPING\r\n", timeout=1).startswith(b"+PONG"))
    assert int(good.info("stats")["rejected_connections"]) >= 1
    for s in crowd[5:]:
        s.close()


def _encode(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _churn_worker(port: int, worker: int, deadline: float, stats: dict, errors: list):
    """Connections that live a few requests each and end every way a connection can end. Each
    sets and reads back its own keys, so a reply meant for another socket (a reused descriptor
    still carrying an old connection's receive or send) shows up as a wrong value."""
    rng = random.Random(worker)
    n = 0
    while time.monotonic() < deadline and not errors:
        n += 1
        token = b"%d-%d-%d" % (worker, n, rng.getrandbits(32))
        count = rng.randint(1, 40)
        requests = [(_encode(b"CLIENT", b"SETNAME", b"churn"), b"+OK\r\n")]   # the killer's mark
        for i in range(count):
            key, value = b"churn:%s:%d" % (token, i), token * rng.randint(1, 40)
            requests.append((_encode(b"SET", key, value), b"+OK\r\n"))
            requests.append((_encode(b"GET", key), b"$%d\r\n%s\r\n" % (len(value), value)))
        payload = b"".join(r for r, _ in requests)
        ending = rng.choice(["read", "read", "quit", "reset", "half"])
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if ending == "half":           # a request cut in the middle, then gone
                s.sendall(payload[: rng.randint(1, len(payload) - 1)])
                s.close()
                stats["abandoned"] += 1
                continue
            s.sendall(payload + (_encode(b"QUIT") if ending == "quit" else b""))
            if ending == "reset":          # RST with replies unread
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
                stats["reset"] += 1
                continue
            expected = b"".join(e for _, e in requests) + (b"+OK\r\n" if ending == "quit" else b"")
            got = bytearray()
            while len(got) < len(expected):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            if len(got) < len(expected) and stats["killed"] > 0:
                stats["cut"] += 1          # CLIENT KILL got this one: a prefix is all we may see
                if not expected.startswith(bytes(got)):
                    errors.append(f"worker {worker}: a killed connection read bytes it did not ask for")
            elif bytes(got) != expected:
                errors.append(f"worker {worker}: replies differ from the requests' own values "
                              f"(got {len(got)} bytes, expected {len(expected)})")
            else:
                stats["verified"] += 1
            if ending == "quit" and len(got) == len(expected) and s.recv(1) != b"":
                errors.append(f"worker {worker}: QUIT did not close the connection")
            s.close()
        except (ConnectionResetError, BrokenPipeError) as error:
            if stats["killed"] == 0:       # CLIENT KILL may close a socket under us; nothing else may
                errors.append(f"worker {worker}: {error!r}")
        except OSError as error:           # a timeout: replies that never came
            errors.append(f"worker {worker}: {error!r}")


def test_connection_churn_never_crosses_replies(server):
    """Thousands of short connections ending by QUIT, RST, a half-sent request or CLIENT KILL, while
    others are accepted on the descriptors they free: every complete exchange reads exactly its
    own replies, and a killed one a prefix of them."""
    stats = {"verified": 0, "reset": 0, "abandoned": 0, "cut": 0, "killed": 0}
    errors: list[str] = []
    deadline = time.monotonic() + 6
    workers = [threading.Thread(target=_churn_worker, args=(server.port, w, deadline, stats, errors))
               for w in range(6)]
    admin = server.client()
    with Prober(server):
        for t in workers:
            t.start()
        rng = random.Random(99)
        while any(t.is_alive() for t in workers):
            clients = [c for c in admin.client_list() if c.get("name") == "churn"]
            for c in rng.sample(clients, min(2, len(clients))):
                stats["killed"] += admin.client_kill_filter(_id=c["id"])
            time.sleep(0.02)
        for t in workers:
            t.join()
    assert not errors, errors[:3]
    assert stats["verified"] > 200, stats
    assert server.alive()
