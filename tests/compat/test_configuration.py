"""README, config/tessera.conf, --help and the code stay in step: every parameter CONFIG GET knows
is documented in the sample config file and listed by --help, and the sample file sets exactly the
built-in defaults (a server started from it reports the same CONFIG GET * as one started bare)."""

from __future__ import annotations

import re
import subprocess

import time

from conftest import REPO_ROOT, _ping, _tessera_cmdline, free_port
from resp import Conn, parse

CONFIG_FILE = REPO_ROOT / "config" / "tessera.conf"


def _config_get_all(port: int) -> dict[bytes, bytes]:
    with Conn(port) as c:
        _, items = parse(c.call(["CONFIG", "GET", "*"]))
    values = [kid[1] for kid in items]
    return dict(zip(values[0::2], values[1::2]))


def _help_text(binary: str) -> str:
    return subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10, check=True).stdout


def test_every_parameter_is_documented_and_listed(tessera):
    binary, _ = _tessera_cmdline()
    if binary.endswith("redis-server"):
        return
    names = {name.decode() for name in _config_get_all(tessera.port)}
    assert len(names) >= 40
    conf = CONFIG_FILE.read_text()
    documented = {m.group(1) for m in re.finditer(r"^#? ?([a-z][a-z0-9-]*) ", conf, re.M)}
    assert not names - documented, f"missing from config/tessera.conf: {sorted(names - documented)}"
    listed = set(re.findall(r"[a-z][a-z0-9-]+", _help_text(binary).split("Directives:")[1]))
    assert not names - listed, f"missing from tessera --help: {sorted(names - listed)}"


def test_sample_config_sets_the_builtin_defaults(tessera, tmp_path):
    binary, extra = _tessera_cmdline()
    if binary.endswith("redis-server"):
        return
    port = free_port()
    # As a user runs it: the file first, then overrides (the fixture's server has the same ones,
    # $TESSERA_ARGS included).
    proc = subprocess.Popen([binary, str(CONFIG_FILE), "--port", str(port), "--bind", "127.0.0.1", *extra],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not _ping(port) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")
        bare, sample = _config_get_all(tessera.port), _config_get_all(port)
    finally:
        proc.terminate()
        proc.wait(10)
    # The fixture runs with --port/--bind; the working directory is the server's own.
    for name in (b"port", b"bind", b"dir"):
        bare.pop(name), sample.pop(name)
    differing = {k: (bare[k], sample.get(k)) for k in bare if bare[k] != sample.get(k)}
    assert not differing, f"config/tessera.conf differs from the built-in defaults: {differing}"
