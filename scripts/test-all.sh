#!/usr/bin/env bash
# The project's checks. `full`: lint, types, the suite on SQLite with the browser
# journeys, then the suite on a fresh PostgreSQL database. `fast`: lint, types, SQLite
# without the browser. Prints how long each stage took.
set -euo pipefail
MODE="${1:-full}"
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
BIN=.venv/bin
TIMES=()

stage() {
  local name="$1"; shift
  local start=$SECONDS
  echo "=== $name"
  "$@"
  TIMES+=("$(printf '%-28s %4ds' "$name" $((SECONDS - start)))")
}

report() {
  echo "=== stage times"
  printf '%s\n' "${TIMES[@]}"
}
trap report EXIT

stage "ruff" $BIN/ruff check interp_service tests bench
stage "ruff format" $BIN/ruff format --check interp_service tests bench
stage "mypy" $BIN/mypy
# Declared dependencies (see [tool.deptry] in pyproject.toml): the whole tree, then the
# service alone with the test extra counted as test-only.
deptry_both() {
  $BIN/deptry . && $BIN/deptry . -ee tests -ee bench -oddg test
}
stage "deptry" deptry_both

if [ "$MODE" = "fast" ]; then
  stage "pytest (SQLite)" $BIN/pytest -q -m "not browser and not postgres"
  exit 0
fi

stage "system packages" scripts/system-packages.sh
stage "services" scripts/services.sh
stage "pytest (SQLite + browser)" $BIN/pytest -q -m "not postgres"
stage "fuzz (SQLite)" scripts/fuzz-api.sh

DB="interp_test_$(date +%s)_$$"
export INTERP_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
drop_db() { psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true; }
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
trap 'drop_db; report' EXIT
stage "pytest (PostgreSQL)" $BIN/pytest -q -m "not browser"
# The fuzzer gets an empty database of its own, created and dropped like $DB.
FUZZ_DB="${DB}_fuzz"
drop_fuzz_db() { psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$FUZZ_DB\" WITH (FORCE)" >/dev/null 2>&1 || true; }
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE \"$FUZZ_DB\"" >/dev/null
trap 'drop_fuzz_db; drop_db; report' EXIT
stage "fuzz (PostgreSQL)" scripts/fuzz-api.sh "postgresql+psycopg://postgres@127.0.0.1:5432/$FUZZ_DB"
