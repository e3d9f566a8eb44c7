#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine with Go: gcc (for
# -race) and Chromium (the staff page's browser test, internal/cli/browser_test.go,
# which fails under CI=true when it cannot start a browser).
set -euo pipefail
missing=()
command -v gcc >/dev/null || missing+=(gcc)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# A PostgreSQL server for the PostgreSQL store's tests (internal/pgtest).
"$(dirname "$0")/install-postgres.sh"
