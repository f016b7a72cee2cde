#!/usr/bin/env bash
# Installs what examples/load-balanced-sessions needs: nginx (Debian package) and
# the Python packages in requirements.txt.  Idempotent; CI runs it as root.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# Debian's system Python is "externally managed" (PEP 668); CI machines are throwaway.
export PIP_BREAK_SYSTEM_PACKAGES=1

if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq
        # The example starts its own nginx as the current user with a generated
        # config; the system service is not used.
        apt-get install -y -qq --no-install-recommends nginx >/dev/null
    else
        echo "nginx is missing: install it (e.g. sudo apt-get install nginx)" >&2
        exit 1
    fi
fi
python3 -m pip install --quiet -r "$here/requirements.txt"
python3 - <<'PY'
import django, flask, flask_session, gunicorn, redis, requests
from importlib.metadata import version
print("load-balanced-sessions deps:", ", ".join(
    f"{p} {version(p)}" for p in ("flask", "flask-session", "redis", "django", "gunicorn", "requests")))
PY
"$(command -v nginx || echo /usr/sbin/nginx)" -v
