"""Drive Tessera with redis-py, over RESP2 and RESP3 (``protocol=3`` sends HELLO 3).

Every test runs twice (``r`` is parametrized on the protocol). Replies are
left undecoded (bytes) so binary safety is checked end to end.
"""

from __future__ import annotations

import time

import pytest
import redis as redispy

PROTOCOLS = [2, 3]


@pytest.fixture(params=PROTOCOLS, ids=lambda p: f"resp{p}")
def make_client(request, flush_tessera):
    clients = []

    def make(db: int = 0, **kw) -> redispy.Redis:
        c = redispy.Redis(host="127.0.0.1", port=flush_tessera.port, db=db,
                          protocol=request.param, socket_timeout=10, **kw)
        clients.append(c)
        return c

    make.protocol = request.param
    yield make
    for c in clients:
        c.close()


@pytest.fixture
def r(make_client) -> redispy.Redis:
    return make_client()


# --- strings -----------------------------------------------------------------

BINARY = b"a\r\nb\x00c\xff\xfe\r\n*1\r\n$3\r\n"


def test_binary_values_and_keys(r):
    assert r.set(b"bin:\x00\r\nkey", BINARY) is True
    assert r.get(b"bin:\x00\r\nkey") == BINARY
    assert r.strlen(b"bin:\x00\r\nkey") == len(BINARY)
    assert r.set("empty", b"") is True
    assert r.get("empty") == b""
    big = bytes(range(256)) * 4096  # 1 MiB, all byte values
    assert r.set("big", big)
    assert r.get("big") == big
    assert r.get("missing") is None


def test_set_options(r):
    assert r.set("k", "v1", ex=100)
    assert 99 <= r.ttl("k") <= 100
    assert r.set("k", "v2", px=50_000)
    assert 49_000 <= r.pttl("k") <= 50_000
    assert r.set("k", "v3", nx=True) is None
    assert r.get("k") == b"v2"
    assert r.set("k", "v3", xx=True, keepttl=True)
    assert 48 <= r.ttl("k") <= 50
    assert r.set("k", "v4", xx=True)  # no KEEPTTL: TTL cleared
    assert r.ttl("k") == -1
    assert r.set("nx-new", "x", xx=True) is None
    assert r.exists("nx-new") == 0
    assert r.set("k", "v5", get=True) == b"v4"
    assert r.set("fresh", "v", get=True) is None
    assert r.get("fresh") == b"v"
    assert r.set("fresh", "w", nx=True, get=True) == b"v"  # NX+GET allowed since 7.0
    assert r.get("fresh") == b"v"
    exat = int(time.time()) + 1000
    assert r.set("at", "x", exat=exat)
    assert r.expiretime("at") == exat
    assert r.set("pat", "x", pxat=exat * 1000 + 123)
    assert r.pexpiretime("pat") == exat * 1000 + 123
    with pytest.raises(redispy.ResponseError, match="invalid expire time"):
        r.set("k", "v", ex=0)
    with pytest.raises(redispy.ResponseError, match="syntax error"):
        r.execute_command("SET", "k", "v", "NX", "XX")


def test_getex_getdel(r):
    r.set("g", "val")
    assert r.getex("g", ex=100) == b"val"
    assert 99 <= r.ttl("g") <= 100
    assert r.getex("g", px=5000) == b"val"
    assert 4000 <= r.pttl("g") <= 5000
    assert r.getex("g", persist=True) == b"val"
    assert r.ttl("g") == -1
    assert r.getex("g") == b"val"
    assert r.getex("nope", ex=10) is None
    assert r.getdel("g") == b"val"
    assert r.getdel("g") is None
    assert r.exists("g") == 0


def test_incr_family(r):
    assert r.incr("n") == 1
    assert r.incr("n", 10) == 11
    assert r.decr("n", 20) == -9
    assert r.incrby("n", 2**62) == 2**62 - 9
    r.set("max", str(2**63 - 1))
    with pytest.raises(redispy.ResponseError, match="increment or decrement would overflow"):
        r.incr("max")
    r.set("s", "12a")
    with pytest.raises(redispy.ResponseError, match="not an integer"):
        r.incr("s")
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.incrbyfloat("f", -0.25) == 1.25
    assert r.get("f") == b"1.25"
    r.set("f2", "5.0e3")
    assert r.incrbyfloat("f2", 1) == 5001.0
    assert r.get("f2") == b"5001"
    with pytest.raises(redispy.ResponseError, match="not a valid float"):
        r.incrbyfloat("s", 1)


def test_expire_variants(r):
    r.set("e", "x")
    assert r.expire("e", 100, xx=True) is False  # no TTL yet
    assert r.expire("e", 100, gt=True) is False  # no TTL counts as infinite
    assert r.expire("e", 100, nx=True) is True
    assert r.expire("e", 200, nx=True) is False
    assert r.expire("e", 200, gt=True) is True
    assert r.expire("e", 150, gt=True) is False
    assert r.expire("e", 50, lt=True) is True
    assert r.expire("e", 60, lt=True) is False
    assert r.expire("e", 70, xx=True) is True
    assert 69 <= r.ttl("e") <= 70
    assert r.pexpire("e", 90_000) is True
    assert 89_000 <= r.pttl("e") <= 90_000
    at = int(time.time()) + 500
    assert r.expireat("e", at) is True
    assert r.expiretime("e") == at
    assert r.pexpireat("e", at * 1000 + 5) is True
    assert r.pexpiretime("e") == at * 1000 + 5
    assert r.persist("e") is True
    assert r.persist("e") is False
    assert r.ttl("e") == -1 and r.pttl("e") == -1 and r.expiretime("e") == -1
    assert r.ttl("nope") == -2 and r.pttl("nope") == -2 and r.expiretime("nope") == -2
    assert r.expire("nope", 10) is False
    with pytest.raises(redispy.ResponseError):
        r.expire("e", 10, nx=True, xx=True)
    # A non-positive TTL deletes the key.
    assert r.expire("e", -1) is True
    assert r.exists("e") == 0
    r.set("p", "x", px=30)
    time.sleep(0.08)
    assert r.get("p") is None


def test_scan_iter(r):
    r.mset({f"sess:{i}": i for i in range(300)})
    r.mset({f"other:{i}": i for i in range(20)})
    assert set(r.scan_iter(match="sess:*", count=17)) == {b"sess:%d" % i for i in range(300)}
    assert len(set(r.scan_iter(count=1000))) == 320
    assert set(r.scan_iter(match="other:1?", _type="string")) == {b"other:%d" % i for i in range(10, 20)}
    assert list(r.scan_iter(_type="hash")) == []
    cursor, keys = r.scan(0, match="nomatch:*", count=10)
    assert isinstance(cursor, int) and all(k.startswith(b"nomatch") for k in keys)


def test_pipeline_1000(r):
    with r.pipeline(transaction=False) as p:
        for i in range(500):
            p.set(f"pk:{i}", i)
            p.incr("pcount")
        results = p.execute()
    assert len(results) == 1000
    assert results[0::2] == [True] * 500
    assert results[1::2] == list(range(1, 501))
    with r.pipeline(transaction=False) as p:
        for i in range(1000):
            p.get(f"pk:{i}")
        got = p.execute()
    assert got[:500] == [str(i).encode() for i in range(500)]
    assert got[500:] == [None] * 500
    # Errors inside a pipeline come back in place when raise_on_error=False.
    with r.pipeline(transaction=False) as p:
        p.set("x", "notnum")
        p.incr("x")
        p.get("x")
        res = p.execute(raise_on_error=False)
    assert res[0] is True and isinstance(res[1], redispy.ResponseError) and res[2] == b"notnum"


# --- connection / server ------------------------------------------------------

def test_hello(r, make_client):
    reply = r.execute_command("HELLO")
    if isinstance(reply, list):  # RESP2 flat array, depending on the redis-py callback
        reply = dict(zip(reply[0::2], reply[1::2]))
    h = {(k.decode() if isinstance(k, bytes) else k): v for k, v in reply.items()}
    assert set(h) >= {"server", "version", "proto", "id", "mode", "role", "modules"}
    assert h["proto"] == make_client.protocol
    assert isinstance(h["id"], int) and h["id"] == r.client_id()
    assert h["role"] in (b"master", "master")
    assert h["mode"] in (b"standalone", "standalone")
    assert h["modules"] == []


def test_client_commands(r, make_client):
    assert r.client_getname() is None
    assert r.client_setname("sess-worker-1") is True
    assert r.client_getname() in ("sess-worker-1", b"sess-worker-1")  # redis-py decodes this one
    my_id = r.client_id()
    assert isinstance(my_id, int) and my_id > 0
    other = make_client()
    other.client_setname("other-conn")
    assert other.client_id() != my_id
    listing = r.client_list()
    mine = [c for c in listing if int(c["id"]) == my_id]
    assert len(mine) == 1 and mine[0]["name"] == "sess-worker-1"
    assert any(c["name"] == "other-conn" for c in listing)
    assert all({"addr", "fd", "age", "db", "cmd"} <= set(c) for c in listing)
    assert "client|list" in mine[0]["cmd"]
    info = r.client_info()
    assert int(info["id"]) == my_id and info["name"] == "sess-worker-1" and int(info["db"]) == 0
    assert int(info["resp"]) == make_client.protocol
    with pytest.raises(redispy.ResponseError):
        r.client_setname("has space")


def test_config_get_set(r, flush_tessera):
    assert r.config_get("port") == {"port": str(flush_tessera.port)}
    old = r.config_get("proto-max-bulk-len")["proto-max-bulk-len"]
    try:
        assert r.config_set("proto-max-bulk-len", "100mb") is True
        assert r.config_get("proto-max-bulk-len") == {"proto-max-bulk-len": str(100 * 1024 * 1024)}
    finally:
        r.config_set("proto-max-bulk-len", old)
    assert r.config_get("proto-max-bulk-len") == {"proto-max-bulk-len": old}
    assert r.config_get("no-such-parameter-*") == {}
    with pytest.raises(redispy.ResponseError):
        r.config_set("no-such-parameter", "1")


def test_info(r, flush_tessera):
    info = r.info()
    assert isinstance(info["redis_version"], str) and info["redis_version"]
    assert info["tcp_port"] == flush_tessera.port
    assert isinstance(info["uptime_in_seconds"], int)
    assert "connected_clients" in info and "used_memory" in info
    r.set("a", 1)
    r.set("b", 2, ex=100)
    ks = r.info("keyspace")
    assert ks["db0"]["keys"] == 2 and ks["db0"]["expires"] == 1
    assert "db1" not in ks
    server = r.info("server")
    assert "redis_version" in server and "used_memory" not in server
    everything = r.info("all")
    assert "redis_version" in everything and "db0" in everything


def test_command_count_and_time(r):
    n = r.command_count()
    assert isinstance(n, int) and n > 20
    secs, usecs = r.time()
    assert abs(secs + usecs / 1e6 - time.time()) < 5
    assert 0 <= usecs < 1_000_000


def test_multiple_databases(make_client):
    r0, r1, r5 = make_client(0), make_client(1), make_client(5)
    r0.set("k", "zero")
    r1.set("k", "one")
    r1.set("k1only", "x")
    assert r0.get("k") == b"zero" and r1.get("k") == b"one" and r5.get("k") is None
    assert (r0.dbsize(), r1.dbsize(), r5.dbsize()) == (1, 2, 0)
    assert r0.swapdb(0, 1) is True
    assert r0.get("k") == b"one" and r0.dbsize() == 2
    assert r1.get("k") == b"zero" and r1.dbsize() == 1
    assert r1.flushdb() is True
    assert r1.dbsize() == 0 and r0.dbsize() == 2
    with pytest.raises(redispy.ResponseError, match="DB index is out of range"):
        r0.execute_command("SELECT", 99)
    assert r0.flushall() is True
    assert r0.dbsize() == 0


def test_keys_misc(r):
    r.mset({"a": "1", "b": "2", "c": "3"})
    assert r.exists("a", "b", "a", "zz") == 3
    assert r.type("a") == b"string" and r.type("zz") == b"none"
    assert r.rename("a", "a2") is True
    assert r.get("a2") == b"1" and r.exists("a") == 0
    with pytest.raises(redispy.ResponseError, match="no such key"):
        r.rename("a", "x")
    assert r.renamenx("a2", "b") is False
    assert r.renamenx("a2", "a3") is True
    r.expire("a3", 100)
    r.rename("a3", "a4")
    assert 99 <= r.ttl("a4") <= 100  # RENAME keeps the TTL
    assert r.unlink("a4", "b", "nope") == 2
    assert r.touch("c", "nope") == 1
    assert r.randomkey() == b"c"
    r.delete("c")
    assert r.randomkey() is None
    r.set("x", "1")
    assert r.delete("x", "x") == 1


def test_string_ranges(r):
    r.set("s", "Hello World")
    assert r.strlen("s") == 11 and r.strlen("nope") == 0
    assert r.getrange("s", 0, 4) == b"Hello"
    assert r.getrange("s", -5, -1) == b"World"
    assert r.getrange("s", 5, 2) == b""
    assert r.getrange("s", 0, 100) == b"Hello World"
    assert r.getrange("nope", 0, 10) == b""
    assert r.setrange("s", 6, "Redis") == 11
    assert r.get("s") == b"Hello Redis"
    assert r.setrange("pad", 5, "x") == 6
    assert r.get("pad") == b"\x00\x00\x00\x00\x00x"
    assert r.append("s", "!!") == 13
    assert r.append("new", b"\x00\r\n") == 3
    assert r.get("new") == b"\x00\r\n"
    with pytest.raises(redispy.ResponseError, match="offset is out of range"):
        r.setrange("s", -1, "x")


def test_msetnx_mget(r):
    assert r.msetnx({"m1": "a", "m2": "b"}) is True
    assert r.msetnx({"m2": "x", "m3": "c"}) is False
    assert r.mget("m1", "m2", "m3") == [b"a", b"b", None]
    assert r.mset({"m3": "c", "m1": "z"}) is True
    assert r.mget(["m1", "m3"]) == [b"z", b"c"]
