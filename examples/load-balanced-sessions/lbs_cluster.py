#!/usr/bin/env python3
"""Start the load-balanced-sessions example: Tessera, app servers, nginx.

    python3 lbs_cluster.py [--ttl SECONDS] [--stacks flask,django] [--instances 3]

starts, all on free loopback ports:

* one session store -- ``.build/release/tessera`` (or ``$TESSERA_BIN``; with
  ``TESSERA_BIN=redis-server`` a real Redis, for comparison), plus any extra
  ``$TESSERA_ARGS``;
* for every stack, ``--instances`` copies of the app (gunicorn, one process
  each, so every copy has its own memory and only the store is shared);
* one nginx (as the current user, config/pid/logs/temp files in a temporary
  directory) with one round-robin upstream per stack -- no ``ip_hash``, no
  sticky cookies: consecutive requests go to different app servers.

It prints one URL per stack and runs until Ctrl-C (or SIGTERM), then stops
everything.  ``test_sessions.py`` uses the same ``Cluster`` class.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import pwd
import grp
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
START_TIMEOUT = 30.0  # two cores shared with builds: app start-up can be slow
REDIS_NO_PERSIST = ["--save", "", "--appendonly", "no", "--daemonize", "no"]

# stack name -> gunicorn WSGI target (module:callable in this directory)
STACKS = {"flask": "flask_app:app", "django": "django_app:application"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_cmdline() -> tuple[str, list[str]]:
    """The session store's binary and extra flags, as tests/compat resolves them."""
    raw = os.environ.get("TESSERA_BIN") or str(REPO_ROOT / ".build/release/tessera")
    if os.sep in raw:
        p = Path(raw)
        binary = str(p if p.is_absolute() else REPO_ROOT / p)
    else:
        binary = shutil.which(raw) or raw
    extra = shlex.split(os.environ.get("TESSERA_ARGS", ""))
    if Path(binary).name == "redis-server":
        extra = REDIS_NO_PERSIST + extra
    return binary, extra


def store_is_redis() -> bool:
    return Path(store_cmdline()[0]).name == "redis-server"


_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if the launcher (or pytest) is
    # killed outright, the kernel sends SIGTERM to every child, so no server
    # outlives a crashed or SIGKILLed test run.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Proc:
    name: str
    argv: list[str]
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def terminate(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def finish(self, deadline: float) -> None:
        """Wait for a terminated process until ``deadline``, then SIGKILL its group."""
        try:
            self.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        # Each child leads its own process group (start_new_session), so this
        # also reaches workers (gunicorn's, nginx's) that a master left behind.
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def stop_together(procs: list[Proc], grace: float = 5.0) -> None:
    """SIGTERM all of ``procs`` at once, then wait for them under one deadline."""
    for p in procs:
        p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        p.finish(deadline)


class StartError(RuntimeError):
    pass


@dataclass
class Cluster:
    stacks: list[str] = field(default_factory=lambda: list(STACKS))
    ttl: int = 1800
    instances: int = 3
    workdir: Path | None = None
    store_port: int = 0
    urls: dict[str, str] = field(default_factory=dict)             # stack -> nginx URL
    app_ports: dict[str, list[int]] = field(default_factory=dict)  # stack -> instance ports
    procs: list[Proc] = field(default_factory=list)
    _own_tmp: tempfile.TemporaryDirectory | None = None

    # -- lifecycle -----------------------------------------------------------

    def __enter__(self) -> "Cluster":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        for s in self.stacks:
            if s not in STACKS:
                raise StartError(f"unknown stack {s!r} (have: {', '.join(STACKS)})")
        if self.workdir is None:
            self._own_tmp = tempfile.TemporaryDirectory(prefix="tessera-lbs-")
            self.workdir = Path(self._own_tmp.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._start_store()
        self._start_apps()
        self._start_nginx()

    def stop(self) -> None:
        # Front to back: nginx, then the apps, then the store they write to.
        layers = [[p for p in self.procs if p.name == "nginx"],
                  [p for p in self.procs if p.name not in ("nginx", "store")],
                  [p for p in self.procs if p.name == "store"]]
        for layer in layers:
            stop_together(layer)
        self.procs.clear()
        if self._own_tmp is not None:
            self._own_tmp.cleanup()
            self._own_tmp = None

    def dead(self) -> list[Proc]:
        return [p for p in self.procs if not p.alive()]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({shlex.join(p.argv[:3])} ...) ---\n{p.tail()}"
                         for p in self.procs)

    # -- pieces --------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.workdir / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(argv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})},
                                     start_new_session=True, preexec_fn=_die_with_parent)
        p = Proc(name, argv, popen, log)
        self.procs.append(p)
        return p

    def _wait(self, p: Proc, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not p.alive():
                raise StartError(f"{p.name} exited with code {p.popen.returncode} before "
                                 f"{what}; argv={shlex.join(p.argv)}\n{p.tail()}")
            if ready():
                return
            time.sleep(0.05)
        raise StartError(f"{p.name}: no {what} within {START_TIMEOUT:.0f}s; "
                         f"argv={shlex.join(p.argv)}\n{p.tail()}")

    def _start_store(self) -> None:
        binary, extra = store_cmdline()
        if not (Path(binary).is_file() and os.access(binary, os.X_OK)):
            raise StartError(f"session store {binary!r} not found or not executable (build "
                             "it with `swift build -c release` or set TESSERA_BIN)")
        self.store_port = free_port()
        p = self._spawn("store", [binary, "--port", str(self.store_port),
                                  "--bind", "127.0.0.1", *extra])
        self._wait(p, lambda: _ping(self.store_port), "PONG")

    def _start_apps(self) -> None:
        started = []
        for stack in self.stacks:
            ports = self.app_ports[stack] = []
            for i in range(self.instances):
                port = free_port()
                ports.append(port)
                argv = [sys.executable, "-m", "gunicorn", STACKS[stack],
                        "--chdir", str(HERE), "--bind", f"127.0.0.1:{port}",
                        "--workers", "1", "--threads", "8",  # gthread: 8 requests at once
                        "--graceful-timeout", "2", "--log-level", "warning"]
                env = {"TESSERA_URL": f"redis://127.0.0.1:{self.store_port}/0",
                       "SESSION_TTL": str(self.ttl),
                       "APP_INSTANCE": f"{stack}-{i + 1}@127.0.0.1:{port}",
                       "PYTHONDONTWRITEBYTECODE": "1"}
                started.append((self._spawn(f"{stack}-{i + 1}", argv, env), port))
        # Spawned all at once, waited for afterwards: they boot in parallel.
        for p, port in started:
            self._wait(p, lambda port=port: _http_ok(f"http://127.0.0.1:{port}/health"),
                       "answer on /health")

    def _start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.access(nginx, os.X_OK):
            raise StartError("nginx not found (run examples/load-balanced-sessions/install-deps.sh)")
        d = self.workdir / "nginx"
        d.mkdir(exist_ok=True)
        for stack in self.stacks:
            self.urls[stack] = f"http://127.0.0.1:{free_port()}"
        conf = d / "nginx.conf"
        conf.write_text(self._nginx_conf(d))
        p = self._spawn("nginx", [nginx, "-p", str(d), "-c", str(conf),
                                  "-e", str(d / "error.log")])
        for stack, url in self.urls.items():
            self._wait(p, lambda url=url: _http_ok(url + "/health"), f"proxying {stack}")

    def _nginx_conf(self, d: Path) -> str:
        # Without a "user" line a root master would drop its workers to
        # "nobody", who cannot write the temp dirs below; run them as us.
        user = ""
        if os.geteuid() == 0:
            user = (f"user {pwd.getpwuid(os.getuid()).pw_name} "
                    f"{grp.getgrgid(os.getgid()).gr_name};")
        upstreams, servers = [], []
        for stack in self.stacks:
            members = "\n".join(f"        server 127.0.0.1:{port};"
                                for port in self.app_ports[stack])
            # Plain round-robin: no ip_hash, no hash $cookie_..., no sticky.
            upstreams.append(f"    upstream {stack}_app {{\n{members}\n        keepalive 16;\n    }}")
            port = self.urls[stack].rsplit(":", 1)[1]
            servers.append(f"""    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{stack}_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}""")
        nl = "\n"
        return f"""# generated by examples/load-balanced-sessions/lbs_cluster.py
{user}
daemon off;
master_process on;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
{nl.join(upstreams)}
{nl.join(servers)}
}}
"""


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64) == b"+PONG\r\n"
    except OSError:
        return False


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.status == 200 and json.load(r).get("ok") is True
    except (OSError, ValueError):
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ttl", type=int, default=1800, help="session lifetime in seconds")
    ap.add_argument("--stacks", default=",".join(STACKS), help="comma-separated: flask,django")
    ap.add_argument("--instances", type=int, default=3, help="app servers per stack")
    args = ap.parse_args()

    # SIGTERM takes the same way out as Ctrl-C, so everything is stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    cluster = Cluster(stacks=[s for s in args.stacks.split(",") if s],
                      ttl=args.ttl, instances=args.instances)
    try:
        cluster.start()
        binary, _ = store_cmdline()
        print(f"session store: {binary} on 127.0.0.1:{cluster.store_port}")
        for stack, url in cluster.urls.items():
            ports = ", ".join(str(p) for p in cluster.app_ports[stack])
            print(f"{stack:7} {url}   (round-robin over app servers on ports {ports})")
        first = next(iter(cluster.urls.values()))
        print(f"\ntry:  curl -c jar -b jar -d username=alice {first}/login\n"
              f"      curl -b jar {first}/whoami   # repeat: same user, another instance\n"
              f"sessions expire {args.ttl}s after their last write.  Ctrl-C stops everything.",
              flush=True)
        while not cluster.dead():
            time.sleep(0.5)
        for p in cluster.dead():
            print(f"\n{p.name} exited unexpectedly (code {p.popen.returncode}):\n{p.tail()}",
                  file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    except StartError as e:
        print(f"start-up failed: {e}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip cleanup
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
