"""The append-only file when its files are damaged or cannot be written."""

from __future__ import annotations

import resource
import signal
import time

import pytest
import redis as redispy
from conftest import incr_file



def test_torn_tail_is_loaded_logged_and_truncated(launcher):
    server = launcher.start()
    c = server.client()
    for i in range(20):
        c.set(f"k{i}", i)
    server.terminate()
    path = incr_file(launcher.workdir)
    good = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nval")
    # With aof-load-truncated no, start-up stops.
    refused = launcher.start("--aof-load-truncated", "no", wait=False)
    assert refused.proc.wait(timeout=20) == 1
    assert path.name in refused.output() and "Unexpected end of file" in refused.output()
    restarted = launcher.start()
    client = restarted.client()
    assert [client.get(f"k{i}") for i in range(20)] == [str(i).encode() for i in range(20)]
    assert client.get("torn") is None
    assert "Truncating the AOF" in restarted.output()
    assert path.stat().st_size == good
    client.set("after", "1")  # appends continue after the cut
    restarted.terminate()
    again = launcher.start()
    assert again.client().get("after") == b"1"
    again.terminate()


def test_unfinished_transaction_at_the_tail_is_dropped(launcher):
    server = launcher.start()
    server.client().set("kept", "1")
    server.terminate()
    path = incr_file(launcher.workdir)
    good = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n")
    restarted = launcher.start()
    client = restarted.client()
    assert client.get("kept") == b"1" and client.get("q") is None
    assert path.stat().st_size == good
    restarted.terminate()


def test_unknown_command_stops_startup(launcher):
    server = launcher.start()
    server.client().set("k", "1")
    server.terminate()
    path = incr_file(launcher.workdir)
    with open(path, "ab") as f:
        f.write(b"*2\r\n$6\r\nNOSUCH\r\n$1\r\nk\r\n")
    broken = launcher.start(wait=False)
    assert broken.proc.wait(timeout=20) == 1
    assert "Unknown command 'NOSUCH'" in broken.output() and path.name in broken.output()


def small_file_limit():
    # Writes past 256 KB fail with EFBIG ("File too large") instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def test_write_errors_refuse_writes_with_misconf_under_everysec(launcher):
    server = launcher.start("--appendfsync", "everysec", preexec_fn=small_file_limit)
    client = server.client()
    refused = None
    for i in range(5000):
        try:
            client.set(f"k{i}", "x" * 200)
        except redispy.ResponseError as error:
            refused = str(error)
            break
        time.sleep(0.0005 if i % 100 == 0 else 0)
    assert refused == "MISCONF Errors writing to the AOF file: File too large", refused
    assert client.get("k0") == b"x" * 200  # reads still work
    info = client.info("persistence")
    assert info["aof_last_write_status"] == "err"
    assert "Error writing to the AOF file" in server.output()


def test_write_error_under_always_exits(launcher):
    server = launcher.start("--appendfsync", "always", preexec_fn=small_file_limit)
    client = server.client()
    with pytest.raises((redispy.ConnectionError, redispy.TimeoutError)):
        for i in range(5000):
            client.set(f"k{i}", "x" * 200)
    assert server.proc.wait(timeout=20) == 1
    assert "Can't recover from AOF write error when the AOF fsync policy is 'always'" in server.output()
    # Every acknowledged write is there after a restart (the torn tail is cut).
    restarted = launcher.start()
    acked = i  # k0 … k{i-1} were acknowledged
    values = restarted.client().mget([f"k{j}" for j in range(acked)])
    assert values == [b"x" * 200] * acked
    restarted.terminate()


def test_corruption_in_the_middle_stops_startup_naming_file_and_offset(launcher):
    server = launcher.start()
    c = server.client()
    for i in range(10):
        c.set(f"k{i}", i)
    server.terminate()
    path = incr_file(launcher.workdir)
    data = bytearray(path.read_bytes())
    offset = data.rindex(b"*", 0, data.index(b"$2\r\nk5\r\n"))
    data[offset] = ord("!")
    path.write_bytes(bytes(data))
    broken = launcher.start(wait=False)
    assert broken.proc.wait(timeout=20) == 1
    out = broken.output()
    assert path.name in out and f"byte {offset}" in out, out
