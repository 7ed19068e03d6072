#!/usr/bin/env bash
# Installs GraphiQL's browser files from the npm registry into vendor/graphiql/ (or $1),
# so the app serves its IDE with no CDN at run time. Versions and sha512 integrity are
# pinned here; a tarball whose hash differs is refused. Skips work already done.
#
# GraphiQL 3.x is the last line that ships a self-contained UMD build (graphiql.min.js
# over the React 18 UMD globals); 4.x deprecated it and 5.x needs a bundler.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${1:-vendor/graphiql}

PACKAGES=(
  "graphiql@3.9.0 sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA=="
  "react@18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
  "react-dom@18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)
# package-relative path inside the tarball -> file name served under /graphiql/
FILES=(
  "graphiql package/graphiql.min.js graphiql.min.js"
  "graphiql package/graphiql.min.css graphiql.min.css"
  "graphiql package/LICENSE LICENSE.graphiql"
  "react package/umd/react.production.min.js react.production.min.js"
  "react package/LICENSE LICENSE.react"
  "react-dom package/umd/react-dom.production.min.js react-dom.production.min.js"
  "react-dom package/LICENSE LICENSE.react-dom"
)

stamp="$DEST/.versions"
wanted=$(printf '%s\n' "${PACKAGES[@]}")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch-graphiql: npm is needed to fetch GraphiQL from the npm registry (apt-get install npm)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${PACKAGES[@]}"; do
  spec=${entry%% *}
  integrity=${entry#* }
  name=${spec%@*}
  echo "fetch-graphiql: $spec"
  (cd "$work" && npm pack --silent "$spec" >/dev/null 2>"$work/npm.log") || { cat "$work/npm.log" >&2; exit 1; }
  tarball=$(ls "$work"/"$name"-[0-9]*.tgz)
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "fetch-graphiql: $spec has integrity $actual, expected $integrity: refusing it" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$tarball" -C "$work/$name"
done

mkdir -p "$DEST"
for entry in "${FILES[@]}"; do
  read -r name inside served <<<"$entry"
  cp "$work/$name/$inside" "$DEST/$served"
done
printf '%s\n' "$wanted" > "$stamp"
echo "fetch-graphiql: installed in $DEST"
