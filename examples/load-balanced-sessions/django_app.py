"""Django in one file: cache-based sessions over Django's built-in Redis cache.

``SESSION_ENGINE="django.contrib.sessions.backends.cache"`` keeps each
session only in the cache, and ``django.core.cache.backends.redis.RedisCache``
(Django >= 4.0) puts that cache in Tessera -- so any number of app servers
share logins with no database at all.  This client speaks RESP2.

Configured from the environment (the launcher, ``lbs_cluster.py``, sets these):
  TESSERA_URL   redis://127.0.0.1:PORT/0 -- the session store
  SESSION_TTL   session lifetime in seconds (default 1800)
  APP_INSTANCE  a name for this copy, echoed in every reply (default: pid)
"""

from __future__ import annotations

import os

import django
from django.conf import settings

INSTANCE = os.environ.get("APP_INSTANCE", f"pid-{os.getpid()}")

settings.configure(
    DEBUG=False,
    SECRET_KEY="example-only-not-secret",  # same on every instance (signing)
    ALLOWED_HOSTS=["127.0.0.1", "localhost", "[::1]"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    DATABASES={},
    # No CSRF middleware: this is an API demo driven by scripts, not a form site.
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("TESSERA_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": "django",
            # redis-py >= 8 would speak RESP3 by default; the Flask app already
            # does, so this one pins RESP2 and the example covers both.
            "OPTIONS": {"protocol": 2},
        }
    },
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    SESSION_CACHE_ALIAS="default",
    # The stored session's TTL (and the cookie's max-age).  Django only writes
    # the session when it changes, so reading it (whoami) does not extend it.
    SESSION_COOKIE_AGE=int(os.environ.get("SESSION_TTL", "1800")),
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after setup)
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_GET, require_POST  # noqa: E402


def _state(request, status=200, **extra):
    s = request.session
    return JsonResponse({"user": s.get("user"), "count": s.get("count", 0),
                         "instance": INSTANCE, **extra}, status=status)


@require_GET
def health(request):
    return JsonResponse({"ok": True, "instance": INSTANCE})


@require_POST
def login(request):
    user = request.POST.get("username", "").strip()
    if not user:
        return JsonResponse({"error": "username required", "instance": INSTANCE}, status=400)
    request.session.cycle_key()  # new id on login, as django.contrib.auth does
    request.session["user"] = user
    request.session["count"] = 0
    return _state(request)


@require_GET
def whoami(request):
    return _state(request)


@require_POST
def counter(request):
    if "user" not in request.session:
        return JsonResponse({"error": "not logged in", "instance": INSTANCE}, status=401)
    request.session["count"] = request.session.get("count", 0) + 1
    return _state(request)


@require_POST
def logout(request):
    request.session.flush()  # deletes the stored session and issues a new empty one
    return _state(request)


urlpatterns = [
    path("health", health),
    path("login", login),
    path("whoami", whoami),
    path("counter", counter),
    path("logout", logout),
]

application = get_wsgi_application()
