#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine with Go.
# Today: nothing beyond Go and gcc (for -race). The staff page's browser test adds
# Chromium here.
set -euo pipefail
if ! command -v gcc >/dev/null; then
  echo "install-test-deps: installing gcc (needed by go test -race)"
  apt-get update -qq && apt-get install -y -qq gcc >/dev/null
fi
