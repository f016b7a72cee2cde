"""RDB snapshots: SAVE/BGSAVE/LASTSAVE, shutdown saves, save rules, start-up loading, and round
trips with Debian's redis-server 7.0 in both directions. Real servers, real clients, loopback."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import redis
import socket

from rdb_support import (Proc, assert_same_data, kill_spawned, populate, redis_binary, redis_check_rdb,
                         snapshot, tessera_binary, wait_bgsave_done, wait_for)


@pytest.fixture(autouse=True)
def no_leftover_servers():
    yield
    kill_spawned()


def raw_call(port: int, *args: str) -> bytes:
    """One command on a fresh connection; the whole reply (simple, error or bulk) as bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"".join([f"*{len(args)}\r\n".encode()]
                           + [f"${len(a)}\r\n{a}\r\n".encode() for a in args]))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
            if data[:1] in (b"+", b"-", b":") and data.endswith(b"\r\n"):
                return data
            if data[:1] in (b"$", b"=") and b"\r\n" in data:
                n = int(data[1:data.index(b"\r\n")])
                if n < 0 or len(data) >= data.index(b"\r\n") + 2 + n + 2:
                    return data


def tessera(tmp_path, *extra, name="t") -> Proc:
    return Proc(tessera_binary(), tmp_path / name, list(extra))


def test_save_then_restart_keeps_everything(tmp_path):
    t = tessera(tmp_path).start()
    c = t.client()
    populate(c)
    before = snapshot(t.port)
    assert c.save() is True
    assert abs(c.lastsave().timestamp() - time.time()) < 5
    info = c.info("persistence")
    assert info["rdb_changes_since_last_save"] == 0 and info["rdb_saves"] == 1
    c.shutdown(nosave=True)
    assert t.wait() == 0
    assert redis_check_rdb(t.dump).returncode == 0

    t2 = Proc(t.binary, t.workdir).start()
    assert_same_data(before, snapshot(t2.port))
    c2 = t2.client()
    assert c2.object("encoding", "set:int") == b"intset"
    assert c2.object("encoding", "h:wide") == b"hashtable"
    assert c2.object("encoding", "h:small") == b"listpack"
    info = c2.info("persistence")
    assert info["rdb_last_load_keys_loaded"] == len(before)
    assert t2.terminate() == 0


def test_sigterm_with_save_rules_saves(tmp_path):
    t = tessera(tmp_path, "--save", "3600 1").start()
    c = t.client()
    c.set("session:1", "alice", ex=600)
    c.hset("session:2", mapping={"user": "bob"})
    assert not t.dump.exists()
    assert t.terminate() == 0
    assert t.dump.exists()
    assert "Saving the final RDB snapshot before exiting." in t.log
    t2 = Proc(t.binary, t.workdir, t.extra).start()
    c2 = t2.client()
    assert c2.get("session:1") == b"alice" and 590 < c2.ttl("session:1") <= 600
    assert c2.hgetall("session:2") == {b"user": b"bob"}
    t2.kill()


def test_sigterm_under_write_load_keeps_every_acknowledged_write(tmp_path):
    # The final save holds every shard lock until exit: a write acknowledged before SIGTERM is in
    # the dump, and no write can be acknowledged after the dump was taken.
    t = tessera(tmp_path, "--save", "3600 1").start()
    acknowledged = [[] for _ in range(4)]
    ready = threading.Barrier(5)

    def writer(n):
        w = t.client()
        w.ping()
        ready.wait()
        i = 0
        try:
            while True:
                w.set(f"w{n}:{i}", i)
                acknowledged[n].append(i)
                i += 1
        except (redis.ConnectionError, redis.TimeoutError):
            pass

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    ready.wait()
    time.sleep(0.5)
    assert t.terminate() == 0
    for th in threads:
        th.join()
    assert all(acknowledged), "every writer got some writes in"
    t2 = Proc(t.binary, t.workdir).start()
    c2 = t2.client()
    for n, values in enumerate(acknowledged):
        keys = [f"w{n}:{i}" for i in values]
        for start in range(0, len(keys), 5000):
            chunk = keys[start:start + 5000]
            assert all(v is not None for v in c2.mget(chunk)), f"writer {n} lost an acknowledged write"
    t2.kill()


def test_sigterm_without_save_rules_does_not_save(tmp_path):
    t = tessera(tmp_path).start()
    t.client().set("k", "v")
    assert t.terminate() == 0
    assert not t.dump.exists()


def test_shutdown_nosave_does_not_save_and_shutdown_saves(tmp_path):
    t = tessera(tmp_path, "--save", "3600 1").start()
    t.client().set("k", "v")
    t.client().shutdown(nosave=True)
    assert t.wait() == 0
    assert not t.dump.exists()

    t = Proc(t.binary, t.workdir, []).start()     # no save rules: SHUTDOWN alone does not save...
    t.client().set("k", "v")
    t.client().shutdown(save=True)                  # ...SHUTDOWN SAVE does
    assert t.wait() == 0
    assert t.dump.exists()


def test_failed_save_refuses_shutdown_and_misconf(tmp_path):
    sub = tmp_path / "t" / "data"
    sub.mkdir(parents=True)
    t = Proc(tessera_binary(), tmp_path / "t", ["--dir", str(sub), "--save", "3600 1"]).start()
    c = t.client()
    c.set("k", "v")
    shutil.rmtree(sub)                               # the working directory is gone: saves fail
    with pytest.raises(redis.ResponseError, match="^$|ERR"):
        c.save()
    assert c.bgsave() is True
    info = wait_bgsave_done(c)
    assert info["rdb_last_bgsave_status"] == "err"
    with pytest.raises(redis.ResponseError, match="MISCONF Redis is configured to save RDB snapshots"):
        c.set("k2", "v")
    assert c.get("k") == b"v"                        # reads still work
    with pytest.raises(redis.ResponseError, match="Errors trying to SHUTDOWN. Check logs."):
        c.execute_command("SHUTDOWN")
    assert t.alive()
    c.config_set("stop-writes-on-bgsave-error", "no")
    assert c.set("k2", "v") is True
    t.kill()


def test_config_directives(tmp_path):
    t = tessera(tmp_path).start()
    c = t.client()
    assert c.config_get("save") == {"save": ""}
    assert c.config_set("save", "3600 1 300 100") is True
    assert c.config_get("save") == {"save": "3600 1 300 100"}
    with pytest.raises(redis.ResponseError, match="Invalid save parameters"):
        c.config_set("save", "0 1")
    assert c.config_get("save") == {"save": "3600 1 300 100"}
    assert c.config_set("save", "") is True
    assert c.config_get("save") == {"save": ""}
    assert c.config_get("dbfilename") == {"dbfilename": "dump.rdb"}
    assert c.config_get("dir") == {"dir": str(t.workdir)}
    assert c.config_get("rdbcompression") == {"rdbcompression": "yes"}
    assert c.config_get("rdbchecksum") == {"rdbchecksum": "yes"}
    assert c.config_get("stop-writes-on-bgsave-error") == {"stop-writes-on-bgsave-error": "yes"}
    with pytest.raises(redis.ResponseError, match="can't set protected config"):
        c.config_set("dir", "/tmp")
    with pytest.raises(redis.ResponseError, match="argument must be 'yes' or 'no'"):
        c.config_set("rdbcompression", "maybe")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        c.execute_command("BGSAVE", "NOW")
    t.kill()

    t = tessera(tmp_path, "--enable-protected-configs", "yes", name="p").start()
    c = t.client()
    with pytest.raises(redis.ResponseError, match="No such file or directory"):
        c.config_set("dir", str(tmp_path / "nope"))
    with pytest.raises(redis.ResponseError, match="dbfilename can't be a path, just a filename"):
        c.config_set("dbfilename", "a/b.rdb")
    other = tmp_path / "other"
    other.mkdir()
    assert c.config_set("dir", str(other)) is True
    assert c.config_set("dbfilename", "sessions.rdb") is True
    c.set("k", "v")
    assert c.save() is True
    assert (other / "sessions.rdb").exists()
    t.kill()


def test_save_rule_triggers_background_save(tmp_path):
    t = tessera(tmp_path, "--save", "1 2").start()
    c = t.client()
    c.set("a", "1")
    time.sleep(1.3)
    assert not t.dump.exists()                       # one change < 2
    c.set("b", "2")
    wait_for(lambda: t.dump.exists() and c.info("persistence")["rdb_changes_since_last_save"] == 0,
             timeout=5, what="the save rule to fire")
    assert "2 changes in 1 seconds. Saving..." in t.log
    t.kill()


def test_bgsave_inside_exec_is_scheduled(tmp_path):
    t = tessera(tmp_path).start()
    c = t.client()
    c.set("k", "v")
    with socket.create_connection(("127.0.0.1", t.port), timeout=10) as s:
        s.sendall(b"MULTI\r\nBGSAVE\r\nEXEC\r\n")
        expected = b"+OK\r\n+QUEUED\r\n*1\r\n+Background saving scheduled\r\n"
        data = b""
        while len(data) < len(expected):
            data += s.recv(4096)
        assert data == expected
    wait_for(lambda: t.dump.exists() and c.info("persistence")["rdb_bgsave_in_progress"] == 0,
             timeout=5, what="the scheduled BGSAVE")
    assert c.info("persistence")["rdb_last_bgsave_status"] == "ok"
    t.kill()


def test_bgsave_under_concurrent_writes(tmp_path):
    t = tessera(tmp_path).start()
    c = t.client()
    pipe = c.pipeline(transaction=False)
    for i in range(200_000):
        pipe.set(f"base:{i}", "x" * 100)
        if i % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()
    stop = threading.Event()
    written = [0] * 4
    errors = []

    def writer(n):
        w = t.client()
        try:
            i = 0
            while not stop.is_set():
                w.set(f"live:{n}:{i}", i)
                w.hset(f"hash:{n}", f"f{i % 50}", i)
                i += 1
            written[n] = i
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    time.sleep(0.2)
    assert c.bgsave() is True
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        c.bgsave()
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        c.save()
    served_during = 0
    while c.info("persistence")["rdb_bgsave_in_progress"] == 1:
        assert c.ping() is True
        served_during += 1
    stop.set()
    for th in threads:
        th.join()
    assert not errors, errors
    info = c.info("persistence")
    assert info["rdb_last_bgsave_status"] == "ok"
    assert sum(written) > 0
    check = redis_check_rdb(t.dump)
    assert check.returncode == 0, check.stdout + check.stderr
    t.kill()
    t2 = Proc(t.binary, t.workdir).start()
    c2 = t2.client()
    assert c2.dbsize() >= 200_000 + 4
    assert c2.get("base:199999") == b"x" * 100
    t2.kill()


def test_redis_dump_loads_in_tessera(tmp_path):
    r = Proc(redis_binary(), tmp_path / "r", ["--save", ""]).start()
    rc = r.client()
    populate(rc)
    expected = snapshot(r.port)
    assert rc.save() is True
    r.kill()
    t = Proc(tessera_binary(), r.workdir).start()
    assert_same_data(expected, snapshot(t.port))
    t.kill()


def test_tessera_dump_loads_in_redis(tmp_path):
    t = tessera(tmp_path).start()
    populate(t.client())
    expected = snapshot(t.port)
    assert t.client().save() is True
    t.kill()
    check = redis_check_rdb(t.dump)
    assert check.returncode == 0 and "RDB looks OK" in check.stdout, check.stdout + check.stderr
    r = Proc(redis_binary(), t.workdir, ["--save", ""]).start()
    assert_same_data(expected, snapshot(r.port))
    r.kill()


def test_uncompressed_unchecksummed_dump_loads_in_redis(tmp_path):
    t = tessera(tmp_path, "--rdbcompression", "no", "--rdbchecksum", "no").start()
    t.client().set("long", "ab" * 500)
    assert t.client().save() is True
    t.kill()
    assert t.dump.read_bytes().count(b"ab" * 500) == 1          # stored verbatim
    assert t.dump.read_bytes()[-8:] == bytes(8)                  # no checksum
    r = Proc(redis_binary(), t.workdir, ["--save", ""]).start()
    assert r.client().get("long") == b"ab" * 500
    r.kill()


def test_expired_keys_are_dropped_at_load(tmp_path):
    t = tessera(tmp_path).start()
    c = t.client()
    c.set("gone", "x", px=300)
    c.set("kept", "y")
    assert c.save() is True
    t.kill()
    time.sleep(0.4)
    t2 = Proc(t.binary, t.workdir).start()
    assert t2.client().keys("*") == [b"kept"]
    assert t2.client().info("persistence")["rdb_last_load_keys_expired"] in (0, 1)
    t2.kill()


def test_loading_state_with_a_large_dump(tmp_path):
    # A dump big enough that loading takes a noticeable moment: clients get -LOADING meanwhile.
    r = Proc(redis_binary(), tmp_path / "r", ["--save", "", "--enable-debug-command", "yes"]).start()
    rc = r.client()
    rc.execute_command("DEBUG", "POPULATE", 1_000_000, "key", 64)
    assert rc.save() is True
    r.kill()
    t = Proc(tessera_binary(), r.workdir).spawn()
    saw_loading = saw_info = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # Raw RESP on a fresh socket: redis-py retries -LOADING (a ConnectionError subclass) with backoff.
        try:
            reply = raw_call(t.port, "GET", "key:1")
        except OSError:
            time.sleep(0.005)
            continue
        if not reply.startswith(b"-LOADING"):
            break                                     # loaded
        assert reply == b"-LOADING Redis is loading the dataset in memory\r\n"
        saw_loading = True
        info = raw_call(t.port, "INFO", "persistence").decode()   # INFO is allowed while loading
        fields = dict(line.split(":", 1) for line in info.split("\r\n") if ":" in line)
        if fields.get("loading") == "1":
            saw_info = True
            assert int(fields["loading_total_bytes"]) == r.dump.stat().st_size
            assert 0 <= float(fields["loading_loaded_perc"]) <= 100
            assert "loading_eta_seconds" in fields and "loading_start_time" in fields
    assert saw_loading and saw_info, t.log
    wait_for(lambda: t.client().info("persistence")["loading"] == 0, timeout=60, what="loading to end")
    c = t.client()
    assert c.dbsize() == 1_000_000
    assert c.get("key:999999") is not None
    assert "Done loading RDB, keys loaded: 1000000" in t.log
    t.kill()


def test_corrupt_dump_stops_startup(tmp_path):
    t = tessera(tmp_path).start()
    c = t.client()
    for i in range(100):
        c.set(f"k{i}", f"value-{i}" * 3)
    assert c.save() is True
    t.kill()
    data = bytearray(t.dump.read_bytes())
    # A byte in the middle flipped: the checksum catches it; truncated: the reader names the offset.
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    t.dump.write_bytes(bytes(flipped))
    bad = Proc(t.binary, t.workdir).spawn()
    assert bad.wait() == 1
    assert "Fatal error loading the DB" in bad.log
    t.dump.write_bytes(bytes(data[: len(data) // 2]))
    bad = Proc(t.binary, t.workdir).spawn()
    assert bad.wait() == 1
    assert "unexpected end of file in the record at byte" in bad.log


def test_unsupported_type_is_reported_by_key(tmp_path):
    r = Proc(redis_binary(), tmp_path / "r", ["--save", ""]).start()
    rc = r.client()
    rc.set("fine", "1")
    rc.rpush("mylist", "a", "b")
    assert rc.save() is True
    r.kill()
    t = Proc(tessera_binary(), r.workdir).spawn()
    assert t.wait() == 1
    assert "key 'mylist'" in t.log and "unsupported type" in t.log, t.log
