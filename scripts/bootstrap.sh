#!/usr/bin/env bash
# Installs what medcredit needs on a Debian/Ubuntu machine, skipping what is present:
# system packages (tesseract with Chinese data, CJK fonts, poppler, Redis, Chromium for the
# browser test, npm and openssl to fetch GraphiQL), Python 3.13, the virtual environment at
# .venv/ with the project and its dev tools, and GraphiQL's browser files in vendor/graphiql/.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk fonts-wqy-zenhei poppler-utils redis-server
  chromium openssl)
# npm fetches GraphiQL from the npm registry; a Node.js from elsewhere (nodesource, nvm) will do.
command -v npm >/dev/null || APT_PACKAGES+=(npm)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "bootstrap: need root to run: $*" >&2; return 1; fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if [ "$pkg" = redis-server ] && command -v redis-server >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    echo "bootstrap: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: please install: ${missing[*]} (no apt-get here)" >&2
    exit 1
  fi
fi

find_python() {
  for candidate in "${PYTHON:-}" python3.13 "$(command -v pyenv >/dev/null && echo "$(pyenv root)/versions/3.13.0/bin/python3.13")" \
      "$HOME/.pyenv/versions/3.13.0/bin/python3.13" /usr/local/bin/python3.13 /usr/bin/python3.13; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && \
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null && { echo "$candidate"; return 0; }
  done
  for candidate in "$HOME"/.pyenv/versions/3.1[3-9]*/bin/python3; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
  PY=$(find_python || true)
  if [ -z "$PY" ]; then
    echo "bootstrap: no Python 3.13 found; trying the distribution's python3.13" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.13 python3.13-venv >/dev/null 2>&1 || true
    PY=$(find_python || true)
  fi
  if [ -z "$PY" ]; then
    echo "bootstrap: Python 3.13 is required. Install it (pyenv install 3.13, or 'uv python install 3.13')" >&2
    echo "           and run again, or set PYTHON=/path/to/python3.13." >&2
    exit 1
  fi
  rm -rf .venv
  "$PY" -m venv .venv
fi

stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi

# GraphiQL, React and ReactDOM for the in-browser IDE, pinned and hash-checked; served by the app.
bash scripts/fetch-graphiql.sh
