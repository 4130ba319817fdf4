#!/usr/bin/env bash
# Runs every Fleet test on a fresh Debian or Ubuntu machine, as root:
#   installs what is missing, starts dockerd if no engine answers, builds the
#   local test images, runs `dotnet test` on the solution and prints one line
#   `N passed, N failed`.
# Safe to run again: nothing fails because the engine, images or packages exist.
set -euo pipefail
cd "$(dirname "$0")"

log() { echo "test.sh: $*" >&2; }

# --- packages --------------------------------------------------------------
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_cmd dockerd         || need+=(docker.io)
have_cmd mosquitto       || need+=(mosquitto)
have_cmd mosquitto_pub   || need+=(mosquitto-clients)
have_cmd docker-registry || need+=(docker-registry)
[ -x /bin/busybox ]      || need+=(busybox-static)
have_cmd docker-compose  || need+=(docker-compose)
have_cmd htpasswd        || need+=(apache2-utils)
have_cmd shellcheck      || need+=(shellcheck)
have_cmd systemd-analyze || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
have_cmd dotnet || { log "the .NET SDK 10 is required (dotnet not on PATH)"; exit 1; }

# The system broker service is not what the tests use (they start their own on
# free ports); keep it from holding port 1883 where the package started it.
if have_cmd systemctl && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl stop mosquitto || true
fi

# --- engine ----------------------------------------------------------------
engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! engine_up; then
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/fleet-test-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do engine_up && break; sleep 1; done
  engine_up || { log "dockerd did not answer within 60 s; see /var/log/fleet-test-dockerd.log"; tail -20 /var/log/fleet-test-dockerd.log >&2; exit 1; }
fi
log "engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

# --- images ----------------------------------------------------------------
deploy/test/build-test-images.sh

# --- native agent -----------------------------------------------------------
# The agent ships as NativeAOT; publishing it here proves it stays free of
# trim/AOT warnings (they are errors) and gives the tests the real binary.
log "publishing the NativeAOT agent"
publish_log="$(mktemp)"
if ! dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent --nologo \
     -p:FleetStrictAot=true -p:TreatWarningsAsErrors=false >"$publish_log" 2>&1; then
  cat "$publish_log" >&2; log "publishing the agent failed"; exit 1
fi
# Only LiteDB's known roll-up is allowed (see agent/Fleet.Agent/Fleet.Agent.csproj).
if grep -E 'warning [A-Z]+[0-9]+' "$publish_log" | grep -v "Assembly 'LiteDB' produced" | sort -u | grep .; then
  log "the NativeAOT agent must publish without trim/AOT warnings"; exit 1
fi
rm -f "$publish_log"
export FLEET_AGENT_NATIVE="$PWD/artifacts/agent/fleet-agent"

# --- tests -----------------------------------------------------------------
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
set +e
dotnet test Fleet.sln -c Release --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/out.log"
status=${PIPESTATUS[0]}
set -e

# Sum the counters of every test run (one .trx per test project).
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | tr -d '\r' | grep -o '<Counters [^>]*>' |
  awk '{
    for (i = 1; i <= NF; i++) {
      split($i, kv, "="); gsub(/"|\/?>/, "", kv[2])
      if (kv[1] == "passed") p += kv[2]
      if (kv[1] == "failed" || kv[1] == "error" || kv[1] == "timeout" || kv[1] == "aborted") f += kv[2]
      if (kv[1] == "notExecuted") s += kv[2]
    }
  } END { printf "%d %d %d\n", p, f, s }'
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or a test host failed outside any test
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "${CI:-}" = "true" ] && { log "no test may be skipped in CI"; exit 1; }
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
