#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis against the real server, as an admin with an API token.
#
#   scripts/fuzz-api.sh                      # a fresh SQLite database in a temporary folder
#   scripts/fuzz-api.sh postgresql+psycopg://postgres@127.0.0.1:5432/DB   # an empty database
#
# Checks: no 5xx, every status and content type is documented in /openapi.json, and every
# response matches its documented schema. Bounded by FUZZ_EXAMPLES test cases per operation
# (default 10) and FUZZ_SECONDS of wall-clock time for the schemathesis run (default 170);
# running over the time is a failure. Exits non-zero on any failure; the server is always
# stopped. A shell script, not a Python module: it only starts processes and waits on them,
# and it runs the same `interp-service serve` an operator runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.venv/bin"
DATABASE_URL="${1:-}"
EXAMPLES="${FUZZ_EXAMPLES:-10}"
SECONDS_LIMIT="${FUZZ_SECONDS:-170}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1

WORK="$(mktemp -d "${TMPDIR:-/tmp}/interp-fuzz.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export INTERP_DATA_DIR="$WORK/data"
if [ -n "$DATABASE_URL" ]; then
  export INTERP_DATABASE_URL="$DATABASE_URL"
else
  unset INTERP_DATABASE_URL
fi
export INTERP_HOST=127.0.0.1
INTERP_PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export INTERP_PORT
# The first admin, with a password made for this run only (never stored anywhere).
export INTERP_ADMIN_USERNAME=fuzz-admin
INTERP_ADMIN_PASSWORD="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(24))')"
export INTERP_ADMIN_PASSWORD
mkdir -p "$INTERP_DATA_DIR"

"$BIN/interp-service" db upgrade >/dev/null
# An API token for the admin, made by the service code as the tests make theirs.
TOKEN="$("$BIN/python" - <<'PY'
from interp_service.config import Settings
from interp_service.db.session import make_engine, make_session_factory
from interp_service.users.repository import get_user_by_username
from interp_service.users.schemas import TokenCreate
from interp_service.users.service import create_api_token

settings = Settings()
engine = make_engine(settings)
with make_session_factory(engine)() as session:
    user = get_user_by_username(session, settings.admin_username or "")
    assert user is not None, "the first admin was not created"
    _, raw = create_api_token(session, user, TokenCreate(name="fuzz"))
    session.commit()
engine.dispose()
print(raw)
PY
)"

"$BIN/interp-service" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$INTERP_PORT"
for _ in $(seq 120); do
  if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$BASE/readyz" >/dev/null || { echo "the server never became ready" >&2; exit 1; }

# Operations left out, each because it would lock the fuzzer out of its own run:
# - DELETE /api/v1/me/tokens/{token_id}: ids are small integers; it would revoke its own token.
# - PATCH /api/v1/users/{user_id}: it could deactivate itself or drop its own admin role.
# (POST /api/v1/auth/logout stays: with a token it closes no session and revokes nothing.)
EXCLUDE=(
  --exclude-operation-id revoke_token_api_v1_me_tokens__token_id__delete
  --exclude-operation-id update_user_api_v1_users__user_id__patch
)

echo "=== schemathesis: $BASE, ${INTERP_DATABASE_URL:-SQLite}, $EXAMPLES examples per operation, ${SECONDS_LIMIT}s"
start=$SECONDS
status=0
# From the work folder, so schemathesis' own files stay out of the repository. One worker:
# with two, hypothesis' source inspection in threads trips CPython 3.11's parser
# ("AST constructor recursion depth mismatch"), reported as schemathesis runtime errors.
(cd "$WORK" && timeout --foreground "$SECONDS_LIMIT" "$BIN/schemathesis" run "$BASE/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" \
  --request-timeout 30 \
  --workers 1 \
  --seed "${FUZZ_SEED:-20261104}" \
  --no-shrink \
  --report junit --report-junit-path "$WORK/junit.xml" \
  "${EXCLUDE[@]}") || status=$?
elapsed=$((SECONDS - start))
if [ "$status" = 124 ]; then
  echo "FUZZ FAILED: the run took longer than ${SECONDS_LIMIT}s" >&2
fi
if grep -q "Traceback" "$WORK/server.log"; then
  echo "=== server errors logged during the run" >&2
  grep -B2 -A20 "Traceback" "$WORK/server.log" | tail -80 >&2
fi
echo "=== fuzz ${INTERP_DATABASE_URL:+(PostgreSQL) }finished in ${elapsed}s with exit status $status"
exit "$status"
