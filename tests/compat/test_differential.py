"""Side-by-side byte comparison: Tessera vs. a real redis-server.

For every ``Case``: both servers are flushed, a fresh raw connection is
opened on each, the ``setup`` commands run on both (their replies must match
too), then ``command`` is sent and exactly one reply is read from each server;
the raw bytes must be identical (after the optional ``normalize``).

Adding a case: append ``Case(name, command, setup=[...])`` to ``CASES``.

* ``command`` / setup items: a ``str`` (split on single spaces into args,
  sent as a RESP multibulk), a ``list`` of str/bytes args (multibulk), or raw
  ``bytes`` sent verbatim (inline commands, odd framing).
* ``resp3=True`` also runs the case after ``HELLO 3`` (both servers).
* ``normalize`` maps raw reply bytes to something comparable; use it for
  non-deterministic replies (``SHAPE``), hash-ordered replies (``SORTED``,
  ``SORTED_SCAN``) or replies with server-specific fields (``MASK_HELLO``).

The reference is the redis-server installed on the machine (7.0.x on Debian
bookworm); error texts are compared byte for byte against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

import pytest

from resp import Conn, parse, serialize, shape

Cmd = Union[str, list, bytes]


@dataclass
class Case:
    name: str
    command: Cmd
    setup: list[Cmd] = field(default_factory=list)
    resp3: bool = False
    normalize: Callable[[bytes], object] | None = None


# --- normalizers --------------------------------------------------------------

def SHAPE(raw: bytes):
    """Compare only types and aggregate sizes (TIME, INFO, CLIENT ID, ...)."""
    return shape(parse(raw))


def SORTED(raw: bytes):
    """Sort the elements of a top-level array (KEYS: order is hash-table order)."""
    prefix, kids = parse(raw)
    if prefix in (b"*", b"~") and kids:
        kids = sorted(kids, key=serialize)
    return serialize((prefix, kids))


def SORTED_SCAN(raw: bytes):
    """SCAN reply [cursor, [keys]]: sort the keys.  Only use when the whole
    keyspace fits in one call (cursor 0), since cursors are implementation-defined."""
    prefix, (cursor, (kp, keys)) = parse(raw)
    return serialize((prefix, [cursor, (kp, sorted(keys, key=serialize))]))


def SORTED_PAIRS(raw: bytes):
    """HGETALL of a hashtable-encoded hash: sort the (field, value) pairs of a map or flat array."""
    prefix, kids = parse(raw)
    if prefix in (b"*", b"%") and kids:
        pairs = sorted(zip(kids[0::2], kids[1::2]), key=lambda p: serialize(p[0]))
        kids = [x for pair in pairs for x in pair]
    return serialize((prefix, kids))


MASKED_HELLO_FIELDS = {b"server", b"version", b"id"}


def MASK_HELLO(raw: bytes):
    """HELLO map (RESP3) or flat array (RESP2): mask server/version/id values."""
    node = parse(raw)
    prefix, kids = node
    if prefix not in (b"%", b"*") or not kids:
        return raw  # an error reply: compare exactly
    out = list(kids)
    for i in range(0, len(out) - 1, 2):
        if out[i][1] in MASKED_HELLO_FIELDS:
            out[i + 1] = (out[i + 1][0], b"<masked>")
    return serialize((prefix, out))


# --- the table ----------------------------------------------------------------

LONG = "x" * 200
HELLO_WORLD = ["SET", "s", "Hello World"]

CASES: list[Case] = [
    # connection, arity, unknown commands, case-insensitivity
    Case("ping", "PING", resp3=True),
    Case("ping-arg", ["PING", "hello world"], resp3=True),
    Case("ping-too-many", "PING a b", resp3=True),
    Case("echo", ["ECHO", "hi there"], resp3=True),
    Case("echo-binary", ["ECHO", b"\x00\r\n\xff"]),
    Case("echo-empty", ["ECHO", ""]),
    Case("echo-no-arg", "ECHO"),
    Case("echo-two-args", "ECHO a b"),
    Case("get-no-arg", "GET", resp3=True),
    Case("get-two-args", "GET a b"),
    Case("set-one-arg", "SET k"),
    Case("unknown-no-args", "FOOBAR", resp3=True),
    Case("unknown-with-args", "FOOBAR a b c"),
    Case("unknown-long-arg", ["FOOBAR", LONG, "second"]),
    Case("unknown-many-args", ["NOPE"] + [f"arg{i}" for i in range(60)]),
    Case("unknown-arg-with-newline", ["FOOBAR", "a\r\nb"]),
    Case("unknown-empty-name", [""]),
    Case("mixed-case-set", "sEt k v"),
    Case("mixed-case-get", "gEt k", setup=["SeT k v"]),
    Case("lowercase-options", "set k v ex 100 nx"),
    # inline commands and framing
    Case("inline-ping", b"PING\r\n"),
    Case("inline-lf-only", b"PING\n"),
    Case("inline-echo-quoted", b'ECHO "hello world"\r\n'),
    Case("inline-single-quoted", b"ECHO 'single quoted'\r\n"),
    Case("inline-hex-escape", b'ECHO "\\x41\\x42\\n\\t\\\\"\r\n'),
    Case("inline-extra-spaces", b"ECHO    spaced    \r\n"),
    Case("inline-set-then-get", b"GET ik\r\n", setup=[b"SET ik iv\r\n"]),
    Case("inline-unknown", b"FOO bar baz\r\n"),
    Case("inline-arity", b"GET\r\n"),
    Case("empty-lines-skipped", b"\r\n\r\nPING\r\n"),
    Case("empty-multibulk-skipped", b"*0\r\n*1\r\n$4\r\nPING\r\n"),
    Case("null-multibulk-skipped", b"*-1\r\n*1\r\n$4\r\nPING\r\n"),
    Case("raw-multibulk", b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n"),
    Case("two-inline-one-packet", b"ECHO second\r\n", setup=[b"ECHO first\r\n"]),
    # SET and options
    Case("set", "SET k v", resp3=True),
    Case("set-ex-abc", "SET k v EX abc", resp3=True),
    Case("set-ex-0", "SET k v EX 0"),
    Case("set-ex-neg", "SET k v EX -1"),
    Case("set-px-0", "SET k v PX 0"),
    Case("set-ex-float", "SET k v EX 1.5"),
    Case("set-ex-huge", "SET k v EX 9999999999999999"),
    Case("set-px-huge", "SET k v PX 9223372036854775807"),
    Case("set-ex-missing", "SET k v EX"),
    Case("set-nx-xx", "SET k v NX XX"),
    Case("set-ex-px", "SET k v EX 10 PX 100"),
    Case("set-ex-keepttl", "SET k v EX 10 KEEPTTL"),
    Case("set-bad-option", "SET k v FOO"),
    Case("set-get-missing", "SET k v GET", resp3=True),
    Case("set-get-existing", "SET k v2 GET", setup=["SET k v1"]),
    Case("set-nx-existing", "SET k v2 NX", setup=["SET k v1"], resp3=True),
    Case("set-nx-get-existing", "SET k v2 NX GET", setup=["SET k v1"]),
    Case("set-xx-missing", "SET k v XX"),
    Case("set-xx-existing-ttl", "TTL k", setup=["SET k v EX 100", "SET k v2 XX"]),
    Case("set-keepttl", "TTL k", setup=["SET k v EX 100", "SET k v2 KEEPTTL"]),
    Case("set-exat-past", "EXISTS k", setup=["SET k v PXAT 1"]),
    Case("set-exat-0", "SET k v EXAT 0"),
    Case("set-empty-value", "GET k", setup=[["SET", "k", ""]]),
    Case("set-binary-value", "GET k", setup=[["SET", "k", b"a\r\n\x00b"]], resp3=True),
    Case("set-big-value", "GET big", setup=[["SET", "big", "z" * 100_000]]),
    Case("setnx", "SETNX k v2", setup=["SET k v"]),
    Case("setnx-arity", "SETNX k"),
    Case("setex", "SETEX k 100 v"),
    Case("setex-0", "SETEX k 0 v"),
    Case("setex-abc", "SETEX k abc v"),
    Case("psetex-neg", "PSETEX k -5 v"),
    Case("getset", "GETSET k new", setup=["SET k old"]),
    Case("getset-missing", "GETSET k new"),
    # GET / GETEX / GETDEL / MSET / MGET / STRLEN / APPEND
    Case("get-missing", "GET nope", resp3=True),
    Case("getex-missing", "GETEX nope EX 10", resp3=True),
    Case("getex-ex-0", "GETEX k EX 0", setup=["SET k v"]),
    Case("getex-ex-abc", "GETEX k EX abc", setup=["SET k v"]),
    Case("getex-persist-ex", "GETEX k PERSIST EX 10", setup=["SET k v"]),
    Case("getex-bad-option", "GETEX k FOO", setup=["SET k v"]),
    Case("getex-then-ttl", "TTL k", setup=["SET k v", "GETEX k EX 100"]),
    Case("getex-persist-then-ttl", "TTL k", setup=["SET k v EX 100", "GETEX k PERSIST"]),
    Case("getdel", "GETDEL k", setup=["SET k v"]),
    Case("getdel-missing", "GETDEL k", resp3=True),
    Case("getdel-arity", "GETDEL"),
    Case("mset-odd", "MSET a 1 b"),
    Case("mset-arity", "MSET a"),
    Case("mset-mget", "MGET a nope b", setup=["MSET a 1 b 2"], resp3=True),
    Case("mget-arity", "MGET"),
    Case("msetnx-partial", "MSETNX a 1 z 2", setup=["SET a x"]),
    Case("msetnx-ok", "MGET a b", setup=["MSETNX a 1 b 2"]),
    Case("msetnx-odd", "MSETNX a 1 b"),
    Case("strlen", "STRLEN s", setup=[HELLO_WORLD]),
    Case("strlen-missing", "STRLEN nope"),
    Case("append-new", ["APPEND", "k", b"\x00\r\n"]),
    Case("append-existing", "APPEND s !!", setup=[HELLO_WORLD]),
    # INCR family
    Case("incr-new", "INCR n", resp3=True),
    Case("incr-non-integer", "INCR s", setup=["SET s abc"], resp3=True),
    Case("incr-float-string", "INCR s", setup=["SET s 1.0"]),
    Case("incr-leading-space", "INCR s", setup=[["SET", "s", " 1"]]),
    Case("incr-plus-sign", "INCR s", setup=["SET s +1"]),
    Case("incr-leading-zero", "INCR s", setup=["SET s 01"]),
    Case("incr-minus-zero", "INCR s", setup=["SET s -0"]),
    Case("incr-empty", "INCR s", setup=[["SET", "s", ""]]),
    Case("incr-overflow", "INCR s", setup=["SET s 9223372036854775807"], resp3=True),
    Case("decr-overflow", "DECR s", setup=["SET s -9223372036854775808"]),
    Case("incr-too-big-string", "INCR s", setup=["SET s 9223372036854775808"]),
    Case("incrby-abc", "INCRBY n abc"),
    Case("incrby-huge", "INCRBY n 9223372036854775808"),
    Case("incrby-overflow", "INCRBY n 9223372036854775807", setup=["SET n 1"]),
    Case("decrby-min", "DECRBY n -9223372036854775808"),
    Case("decrby", "DECRBY n 5", setup=["SET n 3"]),
    Case("incr-then-get", "GET n", setup=["INCR n", "INCRBY n 41"]),
    Case("incr-arity", "INCR"),
    Case("incrbyfloat-simple", "INCRBYFLOAT f 10.5", setup=["SET f 0.1"], resp3=True),
    Case("incrbyfloat-exp", "INCRBYFLOAT f 5.0e3"),
    Case("incrbyfloat-small", "INCRBYFLOAT f 1.23e-5"),
    Case("incrbyfloat-to-int", "INCRBYFLOAT f 0.5", setup=["SET f 1.5"]),
    Case("incrbyfloat-negative", "INCRBYFLOAT f -3.25", setup=["SET f 1"]),
    Case("incrbyfloat-third", "INCRBYFLOAT f 0.1",
         setup=["INCRBYFLOAT f 0.1", "INCRBYFLOAT f 0.1"]),
    Case("incrbyfloat-inf", "INCRBYFLOAT f inf", resp3=True),
    Case("incrbyfloat-nan", "INCRBYFLOAT f nan"),
    # Note: Redis computes in C `long double` and formats with 17 significant digits,
    # so 0.1+0.1+0.1 is "0.3", not "0.30000000000000004".  (1e308+1e308 is finite in
    # long double, so that overflow case is platform-dependent and left out.)
    Case("incrbyfloat-abc", "INCRBYFLOAT f abc"),
    Case("incrbyfloat-on-text", "INCRBYFLOAT s 1", setup=["SET s abc"]),
    Case("incrbyfloat-large", "INCRBYFLOAT f 1e20"),
    # GETRANGE / SETRANGE
    Case("getrange-all", "GETRANGE s 0 -1", setup=[HELLO_WORLD], resp3=True),
    Case("getrange-neg", "GETRANGE s -5 -1", setup=[HELLO_WORLD]),
    Case("getrange-neg-past-start", "GETRANGE s -100 4", setup=[HELLO_WORLD]),
    Case("getrange-end-neg-past-start", "GETRANGE s 0 -100", setup=[HELLO_WORLD]),
    Case("getrange-start-after-end", "GETRANGE s 5 3", setup=[HELLO_WORLD]),
    Case("getrange-out-of-range", "GETRANGE s 100 200", setup=[HELLO_WORLD]),
    Case("getrange-end-too-far", "GETRANGE s 6 1000", setup=[HELLO_WORLD]),
    Case("getrange-neg-inverted", "GETRANGE s -1 -5", setup=[HELLO_WORLD]),
    Case("getrange-zero-zero", "GETRANGE s 0 0", setup=[HELLO_WORLD]),
    Case("getrange-missing", "GETRANGE nope 0 -1"),
    Case("getrange-not-int", "GETRANGE s a b", setup=[HELLO_WORLD]),
    Case("getrange-empty-string", "GETRANGE e 0 -1", setup=[["SET", "e", ""]]),
    Case("setrange-neg", "SETRANGE k -1 x"),
    Case("setrange-too-big", "SETRANGE k 536870912 x"),
    Case("setrange-not-int", "SETRANGE k abc x"),
    Case("setrange-missing-empty", ["SETRANGE", "k", "0", ""]),
    Case("setrange-missing-empty-exists", "EXISTS k", setup=[["SETRANGE", "k", "5", ""]]),
    Case("setrange-pad", "GET k", setup=["SETRANGE k 3 abc"]),
    Case("setrange-overwrite", "GET s", setup=[HELLO_WORLD, "SETRANGE s 6 Redis"]),
    Case("setrange-existing-empty", ["SETRANGE", "s", "100", ""], setup=[HELLO_WORLD]),
    # EXPIRE family, TTL
    Case("expire-nx-xx", "EXPIRE k 10 NX XX", setup=["SET k v"], resp3=True),
    Case("expire-gt-lt", "EXPIRE k 10 GT LT", setup=["SET k v"]),
    Case("expire-nx-gt", "EXPIRE k 10 NX GT", setup=["SET k v"]),
    Case("expire-bad-option", "EXPIRE k 10 FOO", setup=["SET k v"]),
    Case("expire-not-int", "EXPIRE k abc", setup=["SET k v"]),
    Case("expire-missing-key", "EXPIRE nope 10", resp3=True),
    Case("expire-huge", "EXPIRE k 9223372036854775807", setup=["SET k v"]),
    Case("pexpire-huge", "PEXPIRE k 9223372036854775807", setup=["SET k v"]),
    Case("expire-zero-deletes", "EXISTS k", setup=["SET k v", "EXPIRE k 0"]),
    Case("expire-neg-deletes", "EXPIRE k -5", setup=["SET k v"]),
    Case("expireat-past", "GET k", setup=["SET k v", "EXPIREAT k 1"]),
    Case("expire-nx-no-ttl", "EXPIRE k 10 NX", setup=["SET k v"]),
    Case("expire-xx-no-ttl", "EXPIRE k 10 XX", setup=["SET k v"]),
    Case("expire-gt-no-ttl", "EXPIRE k 10 GT", setup=["SET k v"]),
    Case("expire-lt-no-ttl", "EXPIRE k 10 LT", setup=["SET k v"]),
    Case("expire-gt-smaller", "EXPIRE k 50 GT", setup=["SET k v EX 100"]),
    Case("expire-lt-smaller", "EXPIRE k 50 LT", setup=["SET k v EX 100"]),
    Case("expire-arity", "EXPIRE k"),
    Case("ttl", "TTL k", setup=["SET k v", "EXPIRE k 100"], resp3=True),
    Case("ttl-no-expire", "TTL k", setup=["SET k v"]),
    Case("ttl-missing", "TTL nope"),
    Case("pttl-shape", "PTTL k", setup=["SET k v PX 100000"], normalize=SHAPE),
    Case("pttl-missing", "PTTL nope"),
    Case("expiretime", "EXPIRETIME k", setup=["SET k v", "EXPIREAT k 4102444800"]),
    Case("pexpiretime", "PEXPIRETIME k", setup=["SET k v", "PEXPIREAT k 4102444800123"]),
    Case("expiretime-none", "EXPIRETIME k", setup=["SET k v"]),
    Case("persist", "PERSIST k", setup=["SET k v EX 100"]),
    Case("persist-no-ttl", "PERSIST k", setup=["SET k v"]),
    # keyspace commands
    Case("del-multi", "DEL a b nope a", setup=["MSET a 1 b 2"], resp3=True),
    Case("del-arity", "DEL"),
    Case("unlink", "UNLINK a nope", setup=["SET a 1"]),
    Case("exists-multi", "EXISTS a a nope b", setup=["MSET a 1 b 2"]),
    Case("touch", "TOUCH a nope", setup=["SET a 1"]),
    Case("type-string", "TYPE a", setup=["SET a 1"], resp3=True),
    Case("type-none", "TYPE nope"),
    Case("rename-missing", "RENAME nope x", resp3=True),
    Case("rename", "GET b", setup=["SET a 1", "RENAME a b"]),
    Case("rename-same", "RENAME a a", setup=["SET a 1"]),
    Case("rename-keeps-ttl", "TTL b", setup=["SET a 1 EX 100", "RENAME a b"]),
    Case("rename-overwrites", "GET b", setup=["SET a 1", "SET b 2", "RENAME a b"]),
    Case("renamenx-exists", "RENAMENX a b", setup=["MSET a 1 b 2"]),
    Case("renamenx-same", "RENAMENX a a", setup=["SET a 1"]),
    Case("renamenx-missing", "RENAMENX nope b"),
    Case("rename-arity", "RENAME a"),
    Case("keys-all", "KEYS *", setup=["MSET a 1 b 2 c 3 user:1 x"], normalize=SORTED, resp3=True),
    Case("keys-empty", "KEYS *", resp3=True),
    Case("keys-question", "KEYS h?llo", setup=["MSET hello 1 hallo 2 hllo 3 heeello 4"],
         normalize=SORTED),
    Case("keys-class", "KEYS h[ae]llo", setup=["MSET hello 1 hallo 2 hxllo 3"], normalize=SORTED),
    Case("keys-negated-class", "KEYS h[^e]llo", setup=["MSET hello 1 hallo 2 hxllo 3"],
         normalize=SORTED),
    Case("keys-range", "KEYS h[a-f]llo", setup=["MSET hello 1 hallo 2 hxllo 3"], normalize=SORTED),
    Case("keys-escape", ["KEYS", "h\\*o"], setup=[["MSET", "h*o", "1", "hello", "2"]],
         normalize=SORTED),
    Case("keys-prefix", "KEYS user:*", setup=["MSET user:1 a user:2 b other c"], normalize=SORTED),
    Case("dbsize", "DBSIZE", setup=["MSET a 1 b 2"], resp3=True),
    Case("dbsize-arity", "DBSIZE x"),
    Case("randomkey-empty", "RANDOMKEY", resp3=True),
    Case("randomkey-one", "RANDOMKEY", setup=["SET only 1"]),
    Case("randomkey-many", "RANDOMKEY", setup=["MSET a 1 bb 2 ccc 3"], normalize=SHAPE),
    Case("flushall-async", "FLUSHALL ASYNC", setup=["SET a 1"]),
    Case("flushall-sync", "DBSIZE", setup=["SET a 1", "FLUSHALL SYNC"]),
    Case("flushall-bad", "FLUSHALL FOO"),
    Case("flushdb", "DBSIZE", setup=["SET a 1", "FLUSHDB"]),
    # SCAN
    Case("scan-bad-cursor", "SCAN abc", resp3=True),
    Case("scan-cursor-overflow", "SCAN 18446744073709551616"),
    Case("scan-count-zero", "SCAN 0 COUNT 0"),
    Case("scan-count-abc", "SCAN 0 COUNT abc"),
    Case("scan-match-missing", "SCAN 0 MATCH"),
    Case("scan-bad-option", "SCAN 0 FOO bar"),
    Case("scan-empty", "SCAN 0", resp3=True),
    Case("scan-small", "SCAN 0", setup=["MSET a 1 b 2 c 3"], normalize=SORTED_SCAN, resp3=True),
    Case("scan-match", "SCAN 0 MATCH u* COUNT 100", setup=["MSET u1 1 u2 2 x 3"],
         normalize=SORTED_SCAN),
    Case("scan-type-string", "SCAN 0 TYPE string", setup=["MSET a 1 b 2"], normalize=SORTED_SCAN),
    Case("scan-type-hash", "SCAN 0 TYPE hash", setup=["MSET a 1 b 2"]),
    # databases
    Case("select-99", "SELECT 99", resp3=True),
    Case("select-16", "SELECT 16"),
    Case("select-neg", "SELECT -1"),
    Case("select-abc", "SELECT abc"),
    Case("select-15", "SELECT 15"),
    Case("select-isolated", "GET k", setup=["SET k v", "SELECT 3"]),
    Case("select-dbsize", "DBSIZE", setup=["SELECT 2", "MSET a 1 b 2", "SELECT 0"]),
    Case("swapdb-bad-index", "SWAPDB 0 99"),
    Case("swapdb-first-abc", "SWAPDB a 0"),
    Case("swapdb-second-abc", "SWAPDB 0 b"),
    Case("swapdb", "GET k", setup=["SET k zero", "SELECT 1", "SET k one", "SWAPDB 0 1"]),
    Case("flushdb-other-db", "DBSIZE", setup=["SET k v", "SELECT 1", "SET k v", "FLUSHDB", "SELECT 0"]),
    # CLIENT, CONFIG, COMMAND, misc
    Case("client-getname-nil", "CLIENT GETNAME", resp3=True),
    Case("client-setname", "CLIENT GETNAME", setup=["CLIENT SETNAME worker"]),
    Case("client-setname-space", ["CLIENT", "SETNAME", "a b"]),
    Case("client-unknown-sub", "CLIENT FOO"),
    Case("client-arity", "CLIENT"),
    Case("client-id-shape", "CLIENT ID", normalize=SHAPE, resp3=True),
    Case("config-get-databases", "CONFIG GET databases", resp3=True),
    Case("config-get-unknown", "CONFIG GET no-such-param", resp3=True),
    Case("config-set-unknown", "CONFIG SET no-such-param 1"),
    Case("config-unknown-sub", "CONFIG FOO"),
    Case("command-unknown-sub", "COMMAND FOO"),
    Case("time-shape", "TIME", normalize=SHAPE, resp3=True),
    Case("info-shape", "INFO", normalize=SHAPE, resp3=True),
    Case("info-keyspace", "INFO keyspace", setup=["SET a 1"]),
    # HELLO
    Case("hello-4", "HELLO 4", resp3=True),
    Case("hello-1", "HELLO 1"),
    Case("hello-abc", "HELLO abc"),
    Case("hello-3", "HELLO 3", normalize=MASK_HELLO, resp3=True),
    Case("hello-2", "HELLO 2", normalize=MASK_HELLO, resp3=True),
    Case("hello-no-args", "HELLO", normalize=MASK_HELLO, resp3=True),
    Case("hello-setname", "CLIENT GETNAME", setup=["HELLO 3 SETNAME sess"]),
    Case("hello-bad-option", "HELLO 3 FOO"),
    # ACL and AUTH (users persist across cases on both servers: each case uses its own user names).
    Case("acl-setuser-getuser", "ACL GETUSER dcu1",
         setup=["ACL SETUSER dcu1 on >secret ~app1:* %R~r:* %W~w:* &ch* +@all -@dangerous"], resp3=True),
    Case("acl-getuser-categories", "ACL GETUSER dcu2",
         setup=["ACL SETUSER dcu2 -@all +@string +client|id nopass"]),
    Case("acl-getuser-missing", "ACL GETUSER dcnobody", resp3=True),
    Case("acl-getuser-default", "ACL GETUSER default", resp3=True),
    Case("acl-setuser-bad-rule", "ACL SETUSER dcbad on foo"),
    Case("acl-setuser-bad-hash", "ACL SETUSER dcbad #abc"),
    Case("acl-setuser-unknown-cmd", "ACL SETUSER dcbad +nosuch"),
    Case("acl-setuser-unknown-sub", "ACL SETUSER dcbad +client|nosuch"),
    Case("acl-setuser-firstarg-sub", "ACL SETUSER dcbad +client|id|x"),
    Case("acl-setuser-key-after-all", "ACL SETUSER dcbad allkeys ~x"),
    Case("acl-setuser-channel-after-all", "ACL SETUSER dcbad allchannels &x"),
    Case("acl-setuser-remove-missing-pass", "ACL SETUSER dcbad <nothere"),
    Case("acl-deluser-default", "ACL DELUSER default"),
    Case("acl-deluser-missing", "ACL DELUSER dcnobody1 dcnobody2"),
    Case("acl-whoami", "ACL WHOAMI"),
    Case("acl-cat", "ACL CAT"),
    Case("acl-cat-unknown", "ACL CAT nosuch"),
    Case("acl-genpass-range", "ACL GENPASS 0"),
    Case("acl-genpass-nan", "ACL GENPASS x"),
    Case("acl-genpass-shape", "ACL GENPASS 12", normalize=SHAPE),
    Case("acl-load-no-file", "ACL LOAD"),
    Case("acl-save-no-file", "ACL SAVE"),
    Case("acl-help", "ACL HELP"),
    Case("acl-dryrun-key", "ACL DRYRUN dcapp get app2:x",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous"]),
    Case("acl-dryrun-command", "ACL DRYRUN dcapp flushall",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous"]),
    Case("acl-dryrun-ok", "ACL DRYRUN dcapp set app1:x v",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous"]),
    Case("acl-dryrun-no-user", "ACL DRYRUN dcnobody get x"),
    Case("acl-dryrun-no-command", "ACL DRYRUN dcapp nocmd",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous"]),
    Case("auth-no-password-configured", "AUTH secret"),
    Case("auth-wrongpass", "AUTH dcapp nope", setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous"]),
    Case("auth-syntax", "AUTH a b c"),
    Case("acl-noperm-key", "GET app2:x",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous", "AUTH dcapp pw"]),
    Case("acl-noperm-command", "FLUSHALL",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous", "AUTH dcapp pw"]),
    Case("acl-allowed-key", "SET app1:x v",
         setup=["ACL SETUSER dcapp on >pw ~app1:* +@all -@dangerous", "AUTH dcapp pw"]),
    Case("acl-noperm-subcommand", "CLIENT KILL x",
         setup=["ACL SETUSER dcsub on >pw allkeys -@all +client|id", "AUTH dcsub pw"]),
    Case("acl-read-only-pattern", "SET r:1 v",
         setup=["ACL SETUSER dcro on >pw %R~r:* +@all", "AUTH dcro pw"]),

    # hashes (small hashes are listpacks in both servers: insertion order compares exactly)
    Case("hset-new", "HSET h a 1 b 2", resp3=True),
    Case("hset-odd", "HSET h a 1 b"),
    Case("hmset", "HMSET h a 1", resp3=True),
    Case("hget", "HGET h b", setup=["HSET h a 1 b 2"], resp3=True),
    Case("hget-missing", "HGET h z", setup=["HSET h a 1"], resp3=True),
    Case("hmget", "HMGET h a z b", setup=["HSET h a 1 b 2"], resp3=True),
    Case("hgetall", "HGETALL h", setup=["HSET h a 1 b 2 c 3", "HDEL h b"], resp3=True),
    Case("hgetall-missing", "HGETALL nokey", resp3=True),
    Case("hgetall-hashtable", "HGETALL h", setup=[["HSET", "h", "a", "x" * 65, "b", "2"]],
         resp3=True, normalize=SORTED_PAIRS),
    Case("hkeys-hvals", "HVALS h", setup=["HSET h a 1 b 2", "HSET h a 3"], resp3=True),
    Case("hdel-last", "EXISTS h", setup=["HSET h a 1", "HDEL h a z"]),
    Case("hlen-hexists", "HEXISTS h a", setup=["HSET h a 1"], resp3=True),
    Case("hstrlen", "HSTRLEN h a", setup=["HSET h a hello"]),
    Case("hsetnx", "HSETNX h a 2", setup=["HSET h a 1"]),
    Case("hincrby", "HINCRBY h n -7", setup=["HINCRBY h n 5"]),
    Case("hincrby-overflow", "HINCRBY h n 9223372036854775807", setup=["HSET h n 1"]),
    Case("hincrby-not-int", "HINCRBY h s 1", setup=["HSET h s xx"]),
    Case("hincrbyfloat", "HINCRBYFLOAT h f 0.1", setup=["HINCRBYFLOAT h f 10.5"], resp3=True),
    Case("hincrbyfloat-inf", "HINCRBYFLOAT h f inf"),
    Case("hincrbyfloat-not-float", "HINCRBYFLOAT h s 1", setup=["HSET h s xx"]),
    Case("hrandfield-all", "HRANDFIELD h 10 WITHVALUES", setup=["HSET h a 1 b 2"], resp3=True),
    Case("hrandfield-neg", "HRANDFIELD h -5 WITHVALUES", setup=["HSET h a 1"], resp3=True),
    Case("hrandfield-range", "HRANDFIELD h -9223372036854775808", setup=["HSET h a 1"]),
    Case("hrandfield-half-range", "HRANDFIELD h -4611686018427387904 WITHVALUES", setup=["HSET h a 1"]),
    Case("hrandfield-syntax", "HRANDFIELD h 1 foo", setup=["HSET h a 1"]),
    Case("hrandfield-missing", "HRANDFIELD nokey", resp3=True),
    Case("hscan", "HSCAN h 0 MATCH a*", setup=["HSET h a 1 ab 2 b 3"], resp3=True),
    Case("hscan-count-zero", "HSCAN h 0 COUNT 0", setup=["HSET h a 1"]),
    Case("hscan-bad-cursor", "HSCAN h x"),
    Case("hash-wrongtype", "HGET s a", setup=["SET s v"]),
    Case("get-on-hash", "GET h", setup=["HSET h a 1"]),
    Case("type-hash", "TYPE h", setup=["HSET h a 1"]),
    # sets (intsets are sorted in both; hashtable sets compare sorted)
    Case("sadd", "SADD s 3 1 2 3", resp3=True),
    Case("smembers-intset", "SMEMBERS s", setup=["SADD s 3 -1 2"], resp3=True),
    Case("smembers-hashtable", "SMEMBERS s", setup=["SADD s b a c"], resp3=True, normalize=SORTED),
    Case("smembers-missing", "SMEMBERS nokey", resp3=True),
    Case("srem", "SREM s 1 9", setup=["SADD s 1 2"]),
    Case("sismember", "SISMEMBER s a", setup=["SADD s a"], resp3=True),
    Case("smismember", "SMISMEMBER s a z", setup=["SADD s a"], resp3=True),
    Case("scard", "SCARD s", setup=["SADD s a b"]),
    Case("spop-one", "SPOP s", setup=["SADD s only"], resp3=True),
    Case("spop-count", "SPOP s 5", setup=["SADD s only"], resp3=True),
    Case("spop-negative", "SPOP s -1"),
    Case("spop-missing", "SPOP nokey", resp3=True),
    Case("srandmember-count", "SRANDMEMBER s 5", setup=["SADD s only"], resp3=True),
    Case("srandmember-neg", "SRANDMEMBER s -3", setup=["SADD s only"], resp3=True),
    Case("sinter", "SINTER a b", setup=["SADD a 1 2 3", "SADD b 2 3 4"], resp3=True),
    Case("sinter-missing", "SINTER a nokey", setup=["SADD a 1"], resp3=True),
    Case("sunion", "SUNION a b", setup=["SADD a x y", "SADD b y z"], resp3=True, normalize=SORTED),
    Case("sdiff", "SDIFF a b", setup=["SADD a 1 2 3", "SADD b 2"], resp3=True),
    Case("sinterstore", "SMEMBERS d", setup=["SADD a 1 2 3", "SADD b 2 3 4", "SINTERSTORE d a b"]),
    Case("sdiffstore-empty", "EXISTS d", setup=["SET d x", "SDIFFSTORE d nokey"]),
    Case("sunionstore-wrongtype", "SUNIONSTORE d a s", setup=["SADD a 1", "SET s v"]),
    Case("smove", "SMEMBERS b", setup=["SADD a 1 2", "SMOVE a b 1"]),
    Case("smove-wrongtype", "SMOVE a s 1", setup=["SADD a 1", "SET s v"]),
    Case("sintercard", "SINTERCARD 2 a b LIMIT 1", setup=["SADD a 1 2 3", "SADD b 2 3"]),
    Case("sintercard-numkeys", "SINTERCARD 0 a"),
    Case("sintercard-too-many", "SINTERCARD 3 a b"),
    Case("sintercard-limit", "SINTERCARD 1 a LIMIT -1"),
    Case("sscan", "SSCAN s 0", setup=["SADD s 5 1 3"]),
    Case("set-wrongtype", "SADD s a", setup=["SET s v"]),
    # OBJECT, MEMORY, COPY, MOVE, RENAME of collections, SCAN TYPE
    Case("object-encoding-listpack", "OBJECT ENCODING h", setup=["HSET h a 1"]),
    Case("object-encoding-hashtable", "OBJECT ENCODING h", setup=[["HSET", "h", "a", "x" * 65]]),
    Case("object-encoding-intset", "OBJECT ENCODING s", setup=["SADD s 1 2"]),
    Case("object-encoding-set-hashtable", "OBJECT ENCODING s", setup=["SADD s a"]),
    Case("object-encoding-int", "OBJECT ENCODING n", setup=["SET n 123"]),
    Case("object-encoding-embstr", "OBJECT ENCODING e", setup=["SET e hello"]),
    Case("object-encoding-missing", "OBJECT ENCODING nokey", resp3=True),
    Case("object-refcount", "OBJECT REFCOUNT h", setup=["HSET h a 1"]),
    Case("object-refcount-shared-int", "OBJECT REFCOUNT k", setup=["SET k 9999"]),
    Case("object-refcount-int-above-shared", "OBJECT REFCOUNT k", setup=["SET k 10000"]),
    Case("object-refcount-string", "OBJECT REFCOUNT k", setup=["SET k abc"]),
    Case("object-refcount-incr", "OBJECT REFCOUNT k", setup=["SET k -1", "INCR k"]),
    Case("object-freq", "OBJECT FREQ h", setup=["HSET h a 1"]),
    Case("object-help", "OBJECT HELP"),
    Case("object-unknown", "OBJECT FOO"),
    Case("memory-usage-missing", "MEMORY USAGE nokey"),
    Case("memory-usage-syntax", "MEMORY USAGE h foo", setup=["HSET h a 1"]),
    Case("memory-help", "MEMORY HELP"),
    Case("rename-hash", "HGETALL h2", setup=["HSET h a 1 b 2", "RENAME h h2"]),
    Case("rename-set-ttl", "TTL s2", setup=["SADD s a", "EXPIRE s 100", "RENAME s s2"]),
    Case("copy-hash", "HGETALL c", setup=["HSET h a 1", "COPY h c"]),
    Case("copy-exists", "COPY h c", setup=["HSET h a 1", "SET c x"]),
    Case("copy-replace-db", "COPY h c DB 1 REPLACE", setup=["HSET h a 1"]),
    Case("copy-same", "COPY h h", setup=["HSET h a 1"]),
    Case("copy-bad-db", "COPY h c DB 99", setup=["HSET h a 1"]),
    Case("move", "MOVE s 1", setup=["SADD s a", "SELECT 1", "DEL s", "SELECT 0"]),
    Case("move-same-db", "MOVE s 0", setup=["SADD s a"]),
    Case("move-bad-db", "MOVE s x"),
    Case("scan-type-hash-present", "SCAN 0 TYPE hash COUNT 100", setup=["HSET h a 1", "SADD s a", "SET k v"],
         normalize=SORTED_SCAN),
    Case("scan-type-set", "SCAN 0 TYPE set COUNT 100", setup=["HSET h a 1", "SADD s a", "SET k v"],
         normalize=SORTED_SCAN),
    # Transactions
    Case("exec-without-multi", "EXEC"),
    Case("discard-without-multi", "DISCARD"),
    Case("multi-nested", "MULTI", setup=["MULTI"], resp3=True),
    Case("multi-nested-exec", "EXEC", setup=["MULTI", "SET k v", "MULTI", "GET k"], resp3=True),
    Case("multi-queued", "SET k v", setup=["MULTI"]),
    Case("multi-empty-exec", "EXEC", setup=["MULTI"], resp3=True),
    Case("multi-exec-replies", "EXEC", setup=["MULTI", "SET k 1", "INCR k", "GET k", "DEL k", "GET k"], resp3=True),
    Case("multi-exec-runtime-error", "EXEC", setup=["SET s x", "MULTI", "INCR s", "SET t 1"], resp3=True),
    Case("multi-unknown-command", "FOO bar", setup=["MULTI"]),
    Case("multi-execabort-unknown", "EXEC", setup=["MULTI", "SET k v", "FOO"], resp3=True),
    Case("multi-execabort-arity", "EXEC", setup=["MULTI", "GET"], resp3=True),
    Case("multi-execabort-unknown-sub", "EXEC", setup=["MULTI", "CLIENT FOO"]),
    Case("multi-discard", "GET k", setup=["MULTI", "SET k v", "DISCARD"]),
    Case("multi-watch-inside", "WATCH k", setup=["MULTI"]),
    Case("multi-watch-inside-exec", "EXEC", setup=["MULTI", "SET k v", "WATCH k"]),
    Case("multi-exec-after-watch", "EXEC", setup=["WATCH k", "MULTI", "SET k v"]),
    Case("multi-watch-own-write", "EXEC", setup=["WATCH k", "SET k 1", "MULTI", "GET k"], resp3=True),
    Case("multi-unwatch", "EXEC", setup=["WATCH k", "SET k 1", "UNWATCH", "MULTI", "GET k"]),
    Case("multi-select", "GET k", setup=["MULTI", "SELECT 2", "SET k v", "EXEC"]),
    Case("watch-arity", "WATCH"),
    Case("unwatch-no-watch", "UNWATCH"),
    Case("multi-arity", "MULTI x"),
    Case("exec-arity", "EXEC x"),
    Case("exec-arity-in-multi", "EXEC x", setup=["MULTI", "SET k v"]),
    Case("exec-arity-discards", "EXEC", setup=["MULTI", "SET k v", "EXEC x"]),
    Case("exec-subscribed", "EXEC", setup=["SUBSCRIBE ch"]),
    Case("discard-subscribed", "DISCARD", setup=["SUBSCRIBE ch"]),
    # Pub/Sub
    Case("publish-none", "PUBLISH ch msg", resp3=True),
    Case("publish-arity", "PUBLISH ch"),
    Case("subscribe-arity", "SUBSCRIBE"),
    Case("psubscribe-arity", "PSUBSCRIBE"),
    Case("subscribe", "SUBSCRIBE ch", resp3=True),
    Case("unsubscribe-none", "UNSUBSCRIBE", resp3=True),
    Case("punsubscribe-none", "PUNSUBSCRIBE", resp3=True),
    Case("unsubscribe-unknown", "UNSUBSCRIBE nope", resp3=True),
    Case("subscribed-get", "GET k", setup=["SUBSCRIBE ch"], resp3=True),
    Case("subscribed-set", "SET k v", setup=["PSUBSCRIBE p*"]),
    Case("subscribed-ping", "PING", setup=["SUBSCRIBE ch"], resp3=True),
    Case("subscribed-ping-arg", "PING hi", setup=["SUBSCRIBE ch"], resp3=True),
    Case("subscribed-multi", "MULTI", setup=["SUBSCRIBE ch"]),
    Case("subscribed-unknown", "FOO", setup=["SUBSCRIBE ch"]),
    Case("subscribed-publish", "PUBLISH ch x", setup=["SUBSCRIBE ch"]),
    Case("subscribed-reset", "RESET", setup=["SUBSCRIBE ch"]),
    Case("pubsub-channels-empty", "PUBSUB CHANNELS", resp3=True),
    Case("pubsub-numsub", "PUBSUB NUMSUB a b", resp3=True),
    Case("pubsub-numsub-none", "PUBSUB NUMSUB"),
    Case("pubsub-numpat", "PUBSUB NUMPAT"),
    Case("pubsub-numpat-arity", "PUBSUB NUMPAT x"),
    Case("pubsub-channels-arity", "PUBSUB CHANNELS a b"),
    Case("pubsub-unknown", "PUBSUB FOO"),
    Case("pubsub-arity", "PUBSUB"),
    Case("pubsub-help", "PUBSUB HELP", resp3=True),
    Case("pubsub-help-arity", "PUBSUB HELP x"),
    Case("pubsub-channels-arity-case", "PUBSUB channels a b"),
    Case("multi-subscribe", "EXEC", setup=["MULTI", "PUBLISH ch x"]),
    # Keyspace-notification configuration
    Case("config-notify-bad", "CONFIG SET notify-keyspace-events KEQ"),
    # Cluster commands on a non-cluster server (clients probe these to pick standalone mode)
    Case("cluster-info", "CLUSTER INFO", resp3=True),
    Case("cluster-slots", "CLUSTER SLOTS"),
    Case("cluster-nodes", "CLUSTER NODES"),
    Case("cluster-shards", "CLUSTER SHARDS"),
    Case("cluster-myid", "CLUSTER MYID"),
    Case("cluster-keyslot", "CLUSTER KEYSLOT k"),
    Case("cluster-help", "CLUSTER HELP"),
    Case("cluster-bare", "CLUSTER"),
    Case("cluster-unknown", "CLUSTER FOO"),
    Case("cluster-info-arity", "CLUSTER INFO x"),
    Case("cluster-lowercase", "cluster info"),
    Case("readonly", "READONLY"),
    Case("readwrite", "READWRITE"),
    Case("readonly-arity", "READONLY x"),
    Case("asking", "ASKING"),
    Case("sentinel-unknown", "SENTINEL masters"),
    Case("command-info-cluster", "COMMAND INFO readonly asking", resp3=True),
    Case("command-docs-readonly", "COMMAND DOCS readonly", resp3=True),
    # MONITOR / CLIENT PAUSE argument checks (their behaviour: test_monitor_pause.py)
    Case("monitor-arity", "MONITOR x"),
    Case("monitor-in-exec", "EXEC", setup=["MULTI", "MONITOR"]),
    Case("client-pause-arity", "CLIENT PAUSE"),
    Case("client-pause-not-int", "CLIENT PAUSE x"),
    Case("client-pause-negative", "CLIENT PAUSE -1"),
    Case("client-pause-bad-mode", "CLIENT PAUSE 10 foo"),
    Case("client-pause-too-many", "CLIENT PAUSE 10 write x"),
    Case("client-pause-zero", "CLIENT PAUSE 0"),
    Case("client-unpause", "CLIENT UNPAUSE"),
    Case("command-info-monitor", "COMMAND INFO monitor client|pause"),
]

# COMMAND COUNT is deliberately absent: Tessera implements a different command set.

RESP3_CASES = [c for c in CASES if c.resp3]


def _names_unique():
    names = [c.name for c in CASES]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate case names: {dupes}"


_names_unique()


def _run(port: int, case: Case, protocol: int) -> tuple[list[bytes], bytes]:
    with Conn(port) as c:
        setup_replies = []
        if protocol == 3:
            setup_replies.append(MASK_HELLO(c.call(["HELLO", "3"])))
        for step in case.setup:
            # Masking is a no-op for anything but a HELLO reply.
            setup_replies.append(MASK_HELLO(c.call(_as_cmd(step))))
        return setup_replies, c.call(_as_cmd(case.command))


def _as_cmd(cmd: Cmd):
    if isinstance(cmd, str):
        return cmd.split(" ")
    return cmd


def _check(case: Case, protocol: int, tessera, redis) -> None:
    if not tessera.alive():
        pytest.fail(f"tessera is no longer running\n{tessera.stderr_text}", pytrace=False)
    for srv in (tessera, redis):
        with Conn(srv.port) as c:
            assert c.call(["FLUSHALL"]) == b"+OK\r\n"
    t_setup, t_reply = _run(tessera.port, case, protocol)
    r_setup, r_reply = _run(redis.port, case, protocol)
    for i, (t, r) in enumerate(zip(t_setup, r_setup)):
        assert t == r, f"setup step {i} differs:\n tessera: {t!r}\n redis:   {r!r}"
    norm = case.normalize or (lambda raw: raw)
    assert norm(t_reply) == norm(r_reply), (
        f"{case.name}: reply differs\n tessera: {t_reply[:500]!r}\n redis:   {r_reply[:500]!r}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_resp2(case, tessera, redis):
    _check(case, 2, tessera, redis)


@pytest.mark.parametrize("case", RESP3_CASES, ids=[c.name for c in RESP3_CASES])
def test_resp3(case, tessera, redis):
    _check(case, 3, tessera, redis)


def test_table_size():
    assert len(CASES) >= 150
