"""Clients that never read their replies: backpressure for normal clients, disconnection at
client-output-buffer-limit for subscribers. Server memory stays bounded either way."""

from __future__ import annotations

import socket
import time

from conftest import Prober, wait_until

MB = 1024 * 1024


def test_normal_client_that_never_reads_is_throttled_not_buffered(server):
    good = server.client()
    good.set("big", b"v" * 100_000)
    before = server.rss()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    request = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 100
    s.settimeout(0.2)
    sent = 0
    # Each GET returns 100 kB: 2000 of them would be 200 MB of replies if the server buffered them.
    with Prober(server):
        deadline = time.monotonic() + 10
        while sent < 2000 and time.monotonic() < deadline:
            try:
                s.sendall(request)
                sent += 100
            except socket.timeout:
                break  # the server stopped reading from us: backpressure works
        time.sleep(0.3)
    growth = server.rss() - before
    assert growth < 48 * MB, f"RSS grew {growth / MB:.0f} MB for a client that never reads"
    # Normal clients have no output limit by default: it is throttled, not disconnected.
    clients = good.client_list()
    assert len(clients) >= 2
    s.close()


def test_subscriber_that_never_reads_is_disconnected_at_the_pubsub_limit(server):
    good = server.client()
    good.config_set("client-output-buffer-limit", "pubsub 2mb 1mb 60")
    assert "pubsub 2097152 1048576 60" in good.config_get("client-output-buffer-limit")["client-output-buffer-limit"]
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n")
    time.sleep(0.2)
    before = server.rss()
    payload = b"p" * 10_000
    receivers = []
    with Prober(server):
        pipe = good.pipeline(transaction=False)
        for batch in range(60):
            for _ in range(100):
                pipe.publish("feed", payload)
            receivers += pipe.execute()
            if receivers[-1] == 0:
                break
    # 60 MB published; the subscriber reads nothing and is dropped once ~2 MB are pending.
    assert receivers[0] == 1 and receivers[-1] == 0, "the subscriber should have been disconnected"
    assert good.pubsub_numsub("feed") == [(b"feed", 0)]
    assert server.rss() - before < 48 * MB
    assert "overcoming of output buffer limits" in server.output()
    s.close()


def test_subscriber_over_the_soft_limit_for_too_long_is_disconnected(server):
    good = server.client()
    good.config_set("client-output-buffer-limit", "pubsub 64mb 512kb 1")
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nslow\r\n")
    time.sleep(0.2)
    payload = b"p" * 10_000

    def still_subscribed():
        # Keep some output pending so each publish re-checks the soft limit.
        return good.publish("slow", payload) == 0

    for _ in range(400):
        good.publish("slow", payload)
    assert wait_until(still_subscribed, timeout=8)
    s.close()


def test_subscriber_that_reads_is_kept(server):
    good = server.client()
    good.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 60")
    reader = server.client().pubsub()
    reader.subscribe("ok")
    reader.get_message(timeout=1)
    got = 0
    for i in range(300):
        assert good.publish("ok", b"x" * 1000) == 1
        while (message := reader.get_message(timeout=0.01)) is not None:
            got += message["type"] == "message"
    while (message := reader.get_message(timeout=0.2)) is not None:
        got += message["type"] == "message"
    assert got == 300
    reader.close()
