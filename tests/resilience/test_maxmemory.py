"""maxmemory under every policy, and used_memory tracking real usage."""

from __future__ import annotations

import pytest
import redis

MB = 1024 * 1024
VALUE = b"s" * 400  # a session-sized value


def used(client) -> int:
    return int(client.info("memory")["used_memory"])


def limit_above_current(client, headroom: int) -> int:
    limit = used(client) + headroom
    client.config_set("maxmemory", str(limit))
    return limit


def fill(client, prefix: str, count: int, ttl: int | None = None, errors: list | None = None):
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        if ttl is None:
            pipe.set(f"{prefix}:{i}", VALUE)
        else:
            pipe.set(f"{prefix}:{i}", VALUE, ex=ttl + i)
    results = pipe.execute(raise_on_error=False)
    if errors is not None:
        errors += [r for r in results if isinstance(r, Exception)]
    return results


def assert_evicted_but_hot_set_survived(client, hot: list, limit: int) -> None:
    assert int(client.info("stats")["evicted_keys"]) > 0
    assert used(client) <= limit * 1.05
    survivors = sum(v is not None for v in client.mget(hot))
    assert survivors >= 0.95 * len(hot), f"only {survivors}/{len(hot)} hot keys survived"


def test_info_and_config_fields(server):
    c = server.client(decode_responses=True)
    info = c.info("memory")
    assert info["maxmemory"] == 0 and info["maxmemory_human"] == "0B" and info["maxmemory_policy"] == "noeviction"
    c.config_set("maxmemory", "100mb")
    c.config_set("maxmemory-policy", "allkeys-lru")
    info = c.info("memory")
    assert info["maxmemory"] == 100 * MB and info["maxmemory_human"] == "100.00M"
    assert info["maxmemory_policy"] == "allkeys-lru"
    assert c.config_get("maxmemory-samples") == {"maxmemory-samples": "5"}
    with pytest.raises(redis.ResponseError, match="must be one of the following"):
        c.config_set("maxmemory-policy", "lru")
    assert "evicted_keys" in c.info("stats")


def test_noeviction_refuses_writes_but_serves_reads(server):
    c = server.client()
    c.set("before", "kept")
    limit_above_current(c, 4 * MB)
    errors: list = []
    for batch in range(20):
        fill(c, f"k{batch}", 2000, errors=errors)
        if errors:
            break
    assert errors, "writes past maxmemory must fail"
    assert isinstance(errors[0], redis.exceptions.OutOfMemoryError)
    assert str(errors[0]) == "command not allowed when used memory > 'maxmemory'."
    assert c.get("before") == b"kept"
    assert c.get("k0:1") == VALUE
    assert c.dbsize() > 0
    assert int(c.info("stats")["evicted_keys"]) == 0
    # Deleting makes room again.
    c.flushall()
    assert c.set("after", "ok")


def test_allkeys_lru_keeps_the_hot_set(server):
    c = server.client()
    c.config_set("maxmemory-policy", "allkeys-lru")
    hot = [f"hot:{i}" for i in range(300)]
    for key in hot:
        c.set(key, VALUE)
    limit = limit_above_current(c, 6 * MB)
    for batch in range(40):
        pipe = c.pipeline(transaction=False)
        for key in hot:
            pipe.get(key)
        pipe.execute()
        fill(c, f"cold{batch}", 1000)
    assert_evicted_but_hot_set_survived(c, hot, limit)


def test_allkeys_lfu_keeps_the_frequently_used(server):
    c = server.client()
    c.config_set("maxmemory-policy", "allkeys-lfu")
    hot = [f"hot:{i}" for i in range(300)]
    for key in hot:
        c.set(key, VALUE)
    for _ in range(20):
        c.mget(hot)
    assert int(c.object("freq", hot[0])) > 5
    limit = limit_above_current(c, 6 * MB)
    for batch in range(40):
        fill(c, f"cold{batch}", 1000)
    assert_evicted_but_hot_set_survived(c, hot, limit)


def test_allkeys_random_stays_under_the_limit(server):
    c = server.client()
    c.config_set("maxmemory-policy", "allkeys-random")
    limit = limit_above_current(c, 4 * MB)
    errors: list = []
    for batch in range(30):
        fill(c, f"r{batch}", 1000, errors=errors)
    assert not errors
    assert int(c.info("stats")["evicted_keys"]) > 0
    assert used(c) <= limit * 1.05


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"])
def test_volatile_policies_only_evict_keys_with_a_ttl(server, policy):
    c = server.client()
    c.config_set("maxmemory-policy", policy)
    fill(c, "persistent", 2000)
    limit_above_current(c, 4 * MB)
    errors: list = []
    for batch in range(16):
        fill(c, f"v{batch}", 1000, ttl=3600, errors=errors)
    assert not errors
    assert int(c.info("stats")["evicted_keys"]) > 0
    assert sum(v is not None for v in c.mget([f"persistent:{i}" for i in range(2000)])) == 2000
    if policy == "volatile-ttl":
        # Nearest expiry goes first. Like Redis the choice is sampled, so no single key is certain
        # to go (checking one key was flaky); check the shortest and longest TTLs as groups.
        shortest = [f"v{b}:{i}" for b in range(16) for i in range(100)]
        longest = [f"v{b}:{i}" for b in range(16) for i in range(900, 1000)]
        gone_short = sum(v is None for v in c.mget(shortest)) / len(shortest)
        gone_long = sum(v is None for v in c.mget(longest)) / len(longest)
        assert gone_short >= 0.7 and gone_long <= 0.05, (gone_short, gone_long)
    # With no keys left that have a TTL, writes of keys without one fail.
    for batch in range(30):
        fill(c, f"more{batch}", 1000, errors=errors)
        if errors:
            break
    assert errors and isinstance(errors[0], redis.exceptions.OutOfMemoryError)
    assert sum(v is not None for v in c.mget([f"persistent:{i}" for i in range(2000)])) == 2000


def test_used_memory_tracks_rss_growth_for_sessions(server):
    c = server.client()
    rss_before = server.rss()
    used_before = used(c)
    pipe = c.pipeline(transaction=False)
    for i in range(100_000):
        pipe.set(f"session:{i:08d}", VALUE, ex=3600)
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    rss_growth = server.rss() - rss_before
    used_growth = used(c) - used_before
    assert rss_growth > 30 * MB
    assert abs(used_growth - rss_growth) <= 0.10 * rss_growth, \
        f"used_memory grew {used_growth / MB:.1f} MB, RSS {rss_growth / MB:.1f} MB"


def test_lowering_maxmemory_evicts_at_once(server):
    c = server.client()
    c.config_set("maxmemory-policy", "allkeys-lru")
    fill(c, "k", 20_000)
    before = c.dbsize()
    c.config_set("maxmemory", str(used(c) - 2 * MB))
    # No write needed: CONFIG SET itself evicts (a bounded first pass), as Redis does.
    assert int(c.info("stats")["evicted_keys"]) > 0
    assert c.dbsize() < before
    assert "is smaller than the current memory usage" in server.output()
