"""Flask + Flask-Session: sessions live in Tessera, not in this process.

Run three copies of this app behind a round-robin load balancer and a login
made on one is known to all of them, because Flask-Session keeps the session
dict in the shared store (``SESSION_TYPE="redis"``) and only a random id in
the cookie.  The redis-py client speaks RESP3 (``protocol=3``) on purpose:
Tessera must serve real clients in both protocol versions.

Configured from the environment (the launcher, ``lbs_cluster.py``, sets these):
  TESSERA_URL   redis://127.0.0.1:PORT/0 -- the session store
  SESSION_TTL   session lifetime in seconds (default 1800)
  APP_INSTANCE  a name for this copy, echoed in every reply (default: pid)
"""

from __future__ import annotations

import os
from datetime import timedelta

import redis
from flask import Flask, jsonify, request, session
from flask_session import Session

INSTANCE = os.environ.get("APP_INSTANCE", f"pid-{os.getpid()}")

app = Flask(__name__)
app.config.update(
    SESSION_TYPE="redis",
    SESSION_REDIS=redis.Redis.from_url(
        os.environ.get("TESSERA_URL", "redis://127.0.0.1:6379/0"),
        protocol=3, socket_timeout=5),
    SESSION_KEY_PREFIX="flask-session:",
    PERMANENT_SESSION_LIFETIME=timedelta(seconds=int(os.environ.get("SESSION_TTL", "1800"))),
    # A session ends TTL seconds after its last *write*: reading it (whoami)
    # must not push the deadline back, or an idle-but-polled session would
    # never expire.  Writes (login, counter) store it again with a fresh TTL.
    SESSION_REFRESH_EACH_REQUEST=False,
)
Session(app)


def _state(**extra):
    return jsonify(user=session.get("user"), count=session.get("count", 0),
                   instance=INSTANCE, **extra)


@app.get("/health")
def health():
    return jsonify(ok=True, instance=INSTANCE)


@app.post("/login")
def login():
    user = request.form.get("username", "").strip()
    if not user:
        return jsonify(error="username required", instance=INSTANCE), 400
    # A new id on login (deleting any previous session): an id handed out
    # before login must not become a logged-in id (session fixation).
    app.session_interface.regenerate(session)
    session.clear()
    session["user"] = user
    session["count"] = 0
    return _state()


@app.get("/whoami")
def whoami():
    return _state()


@app.post("/counter")
def counter():
    if "user" not in session:
        return jsonify(error="not logged in", instance=INSTANCE), 401
    session["count"] = session.get("count", 0) + 1
    return _state()


@app.post("/logout")
def logout():
    # Empty + modified: Flask-Session deletes the stored session and the cookie.
    session.clear()
    return _state()
