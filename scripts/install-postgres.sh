#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers for the tests: nothing to do when
# ANKOMMEN_TEST_DATABASE_URL is set or a server answers on 127.0.0.1:5432;
# otherwise installs Debian's postgresql, starts its cluster and lets user postgres
# connect over 127.0.0.1 without a password (trust), which is what the test
# databases (internal/pgtest) use. For a test machine only.
set -euo pipefail
if [ -n "${ANKOMMEN_TEST_DATABASE_URL:-}" ]; then exit 0; fi
answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if answers; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "install-postgres: installing postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /etc/postgresql | sort -n | tail -1)
hba=/etc/postgresql/$ver/main/pg_hba.conf
if ! grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
  sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
fi
pg_ctlcluster "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main reload
for _ in $(seq 1 30); do answers && exit 0; sleep 1; done
echo "install-postgres: PostgreSQL does not answer on 127.0.0.1:5432" >&2
exit 1
