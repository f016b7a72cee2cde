"""Tiny RESP2/RESP3 helpers for raw-socket tests (stdlib only).

``read_reply`` returns the *exact raw bytes* of one complete reply, so two
servers can be compared byte for byte.  ``parse`` turns raw bytes into a
small tree for shape-only comparisons.
"""

from __future__ import annotations

import socket
from typing import BinaryIO, Iterable

# Aggregate types: prefix -> number of child replies per announced element.
_AGGREGATES = {b"*": 1, b"~": 1, b">": 1, b"%": 2, b"|": 2}
_LINE_TYPES = {b"+", b"-", b":", b"_", b",", b"#", b"("}
_BULK_TYPES = {b"$", b"!", b"="}


class ProtocolViolation(Exception):
    pass


def encode_command(args: Iterable[bytes | str | int]) -> bytes:
    """Encode argv as a RESP multibulk request."""
    out = []
    items = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    out.append(b"*%d\r\n" % len(items))
    for a in items:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def _readline(f: BinaryIO) -> bytes:
    line = f.readline()
    if not line:
        raise ConnectionError("connection closed while reading a reply")
    if not line.endswith(b"\r\n"):
        raise ProtocolViolation(f"line not terminated by CRLF: {line!r}")
    return line


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if data is None or len(data) != n:
        raise ConnectionError(f"short read: wanted {n} bytes, got {len(data or b'')}")
    return data


def read_reply(f: BinaryIO) -> bytes:
    """Read exactly one RESP2/RESP3 reply from buffered reader ``f``; return its raw bytes."""
    line = _readline(f)
    prefix, body = line[:1], line[1:-2]
    if prefix in _LINE_TYPES:
        return line
    if prefix in _BULK_TYPES:
        n = int(body)
        if n < 0:
            if prefix != b"$" or n != -1:
                raise ProtocolViolation(f"bad bulk length {line!r}")
            return line
        payload = _read_exact(f, n + 2)
        if payload[-2:] != b"\r\n":
            raise ProtocolViolation(f"bulk not terminated by CRLF: {payload[-10:]!r}")
        return line + payload
    if prefix in _AGGREGATES:
        n = int(body)
        if n < 0:
            if prefix != b"*" or n != -1:
                raise ProtocolViolation(f"bad aggregate length {line!r}")
            return line
        parts = [line]
        for _ in range(n * _AGGREGATES[prefix]):
            parts.append(read_reply(f))
        if prefix == b"|":  # an attribute is followed by the actual reply
            parts.append(read_reply(f))
        return b"".join(parts)
    raise ProtocolViolation(f"unknown reply type {line!r}")


def parse(raw: bytes):
    """Parse raw bytes of one reply into (type_prefix, value) tuples.

    Aggregates become (prefix, [children]); maps keep a flat child list.
    """
    import io
    f = io.BytesIO(raw)
    node = _parse(f)
    rest = f.read()
    if rest:
        raise ProtocolViolation(f"trailing bytes after reply: {rest[:40]!r}")
    return node


def _parse(f):
    line = _readline(f)
    prefix, body = line[:1], line[1:-2]
    if prefix in _LINE_TYPES:
        return (prefix, body)
    if prefix in _BULK_TYPES:
        n = int(body)
        if n < 0:
            return (prefix, None)
        return (prefix, _read_exact(f, n + 2)[:-2])
    if prefix in _AGGREGATES:
        n = int(body)
        if n < 0:
            return (prefix, None)
        kids = [_parse(f) for _ in range(n * _AGGREGATES[prefix])]
        if prefix == b"|":
            kids.append(_parse(f))
        return (prefix, kids)
    raise ProtocolViolation(f"unknown reply type {line!r}")


def serialize(node) -> bytes:
    """Inverse of ``parse`` (used after normalizing a tree)."""
    prefix, value = node
    if prefix in _LINE_TYPES:
        return prefix + value + b"\r\n"
    if prefix in _BULK_TYPES:
        if value is None:
            return prefix + b"-1\r\n"
        return prefix + b"%d\r\n" % len(value) + value + b"\r\n"
    if value is None:
        return prefix + b"-1\r\n"
    per = _AGGREGATES[prefix]
    count = (len(value) - (1 if prefix == b"|" else 0)) // per
    return prefix + b"%d\r\n" % count + b"".join(serialize(k) for k in value)


def shape(node):
    """Types and aggregate sizes only -- for non-deterministic replies."""
    prefix, value = node
    if prefix in _AGGREGATES and value is not None:
        return (prefix, [shape(k) for k in value])
    if prefix == b"-" and value is not None:
        return (prefix, value)  # errors must still match exactly
    return (prefix, "<nil>" if value is None else "<value>")


class Conn:
    """A raw connection: send commands (multibulk or verbatim bytes), read raw replies."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.f = self.sock.makefile("rb")

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def call(self, cmd) -> bytes:
        """``cmd`` is a list of args (sent as multibulk) or bytes (sent verbatim)."""
        self.send_raw(cmd if isinstance(cmd, bytes) else encode_command(cmd))
        return read_reply(self.f)

    def read(self) -> bytes:
        return read_reply(self.f)

    def close(self) -> None:
        try:
            self.f.close()
        finally:
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
