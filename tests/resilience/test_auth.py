"""Authentication from configuration, per-app ACL users, aclfile, protected mode."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from conftest import Server, binary, free_port, raw

DENIED_PREFIX = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."


def test_requirepass_from_the_command_line_and_config_set(start):
    server = start("--requirepass", "s3cret", password="s3cret")
    no_retry = Retry(NoBackoff(), 0)  # redis-py retries failed handshakes with a backoff otherwise
    anonymous = server.client(retry=no_retry)
    with pytest.raises(redis.AuthenticationError):
        anonymous.get("x")
    with pytest.raises(redis.AuthenticationError):
        server.client(password="wrong", retry=no_retry).ping()
    admin = server.client(password="s3cret")
    assert admin.set("x", "1")
    # Redis 7 shows the password to CONFIG GET; it never appears in the log.
    assert admin.config_get("requirepass") == {"requirepass": "s3cret"}
    admin.config_set("requirepass", "n3w")
    assert server.client(password="n3w").get("x") == b"1"
    assert admin.get("x") == b"1"  # already authenticated connections stay so
    assert "s3cret" not in server.output() and "n3w" not in server.output()


def test_app_user_is_confined_to_its_key_prefix(start, tmp_path):
    conf = tmp_path / "tessera.conf"
    conf.write_text("requirepass adminpw\n"
                    "user app1 on >app1pw ~app1:* +@all -@dangerous\n"
                    "user app2 on >app2pw ~app2:* +@read +@write\n")
    server = start(str(conf), password="adminpw")
    app1 = server.client(username="app1", password="app1pw")
    assert app1.set("app1:session:42", "alice")
    assert app1.get("app1:session:42") == b"alice"
    with pytest.raises(redis.exceptions.NoPermissionError, match="no permissions to access one of the keys"):
        app1.get("app2:session:7")
    with pytest.raises(redis.exceptions.NoPermissionError, match="no permissions to run the 'flushall' command"):
        app1.flushall()
    app2 = server.client(username="app2", password="app2pw")
    with pytest.raises(redis.exceptions.NoPermissionError):
        app2.get("app1:session:42")
    with pytest.raises(redis.AuthenticationError):
        server.client(username="app1", password="app2pw", retry=Retry(NoBackoff(), 0)).ping()
    admin = server.client(password="adminpw")
    log = admin.acl_log()
    assert any(entry["reason"] == "key" and entry["object"] == "app2:session:7" for entry in log)
    assert admin.config_get("user") == {}


def test_aclfile_load_and_save(start, tmp_path):
    acl = tmp_path / "users.acl"
    acl.write_text("user default on nopass ~* &* +@all\nuser app1 on >pw ~app1:* +@all\n")
    server = start("--aclfile", str(acl))
    admin = server.client()
    assert sorted(admin.acl_users()) == ["app1", "default"]
    admin.acl_setuser("app2", enabled=True, passwords=["+pw2"], keys=["app2:*"], commands=["+@all"])
    assert admin.acl_save()
    saved = acl.read_text()
    assert "user app2 on" in saved and "~app2:*" in saved and "pw2" not in saved  # stored hashed
    acl.write_text("user default on nopass ~* &* +@all\n")
    assert admin.acl_load()
    assert admin.acl_users() == ["default"]


def start_failure(*args: str, tmp_path) -> str:
    port = free_port()
    proc = subprocess.run([binary(), *args, "--port", str(port), "--bind", "127.0.0.1"],
                          capture_output=True, timeout=10, cwd=tmp_path)
    assert proc.returncode != 0
    return (proc.stdout + proc.stderr).decode(errors="replace")


def test_user_directives_and_aclfile_together_are_a_startup_error(tmp_path):
    acl = tmp_path / "users.acl"
    acl.write_text("user app1 on >pw ~app1:* +@all\n")
    output = start_failure("--aclfile", str(acl), "--user", "app2", "on", ">pw", tmp_path=tmp_path)
    assert "users defined in redis.conf and at the same setting an ACL file path is invalid" in output
    output = start_failure("--aclfile", str(tmp_path / "missing.acl"), tmp_path=tmp_path)
    assert "Aborting Redis startup because of ACL errors" in output
    output = start_failure("--user", "bad", "on", "+nosuchcommand", tmp_path=tmp_path)
    assert "Error in user declaration 'bad'" in output
    # One quoted argument is one word: a user name with spaces, which Redis refuses.
    output = start_failure("--user", "app3 on >pw ~app3:* +@all", tmp_path=tmp_path)
    assert "Spaces not allowed in ACL usernames" in output


def connect_from(source: str, port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(3)
    s.connect(("127.0.0.1", port))
    return s


def test_protected_mode_denies_non_loopback_clients_without_a_password(start):
    # 127.0.0.2 is on the loopback device but is not "local" to Redis (connIsLocal compares the
    # address with 127.0.0.1 and ::1), which lets us test protected mode without leaving the host.
    server = start()
    reply = raw(server.port, b"*1\r\n$4\r\nPING\r\n", source="127.0.0.2")
    assert reply.startswith(DENIED_PREFIX) and reply.endswith(b"from the outside.\r\n"), reply[:120]
    assert raw(server.port, b"*1\r\n$4\r\nPING\r\n", timeout=0.5) == b"+PONG\r\n"
    admin = server.client()
    admin.config_set("protected-mode", "no")
    assert raw(server.port, b"*1\r\n$4\r\nPING\r\n", timeout=0.5, source="127.0.0.2") == b"+PONG\r\n"
    admin.config_set("protected-mode", "yes")
    admin.config_set("requirepass", "pw")
    # With a password the outside client is served (and must authenticate).
    assert raw(server.port, b"*1\r\n$4\r\nPING\r\n", timeout=0.5, source="127.0.0.2") == \
        b"-NOAUTH Authentication required.\r\n"
    assert raw(server.port, b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*1\r\n$4\r\nPING\r\n", timeout=0.5,
               source="127.0.0.2") == b"+OK\r\n+PONG\r\n"


def test_the_sample_config_file_loads(start):
    """config/tessera.conf documents every directive with its default; it must start as is."""
    from conftest import REPO_ROOT
    server = start(str(REPO_ROOT / "config/tessera.conf"))
    c = server.client(decode_responses=True)
    assert c.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert c.config_get("protected-mode") == {"protected-mode": "yes"}
    assert c.config_get("client-output-buffer-limit")["client-output-buffer-limit"] == \
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
