#!/usr/bin/env bash
# Runs every Fleet test on a fresh Debian or Ubuntu machine, as root:
#   installs what is missing, starts dockerd if no engine answers, builds the
#   local test images, runs `dotnet test` on the solution and prints one line
#   `N passed, N failed`.
# Safe to run again: nothing fails because the engine, images or packages exist.
set -euo pipefail
cd "$(dirname "$0")"

HOST_LOG_PREFIX=test.sh
. deploy/lib/host.sh
log() { host_log "$@"; }

# --- packages --------------------------------------------------------------
install_missing dockerd:docker.io mosquitto:mosquitto mosquitto_pub:mosquitto-clients \
  docker-registry:docker-registry /bin/busybox:busybox-static docker-compose:docker-compose \
  htpasswd:apache2-utils shellcheck:shellcheck systemd-analyze:systemd
# Cross-linking the linux-arm64 agent and running it under qemu-aarch64-static.
install_arm64_toolchain

# The system broker service is not what the tests use (they start their own on
# free ports); keep it from holding port 1883 where the package started it.
if have_cmd systemctl && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl stop mosquitto || true
fi

# --- engine and images -----------------------------------------------------
ensure_engine /var/log/fleet-test-dockerd.log
deploy/test/build-test-images.sh

# --- native agent -----------------------------------------------------------
# The agent ships as NativeAOT; publishing it here proves it stays free of
# trim/AOT warnings (they are errors) and gives the tests the real binary.
log "publishing the NativeAOT agent"
publish_agent artifacts/agent
export FLEET_AGENT_NATIVE="$PWD/artifacts/agent/fleet-agent"
# The same agent cross-compiled for linux-arm64, which the tests run under qemu.
deploy/build-agent.sh --arch arm64 --out artifacts/agent-arm64
export FLEET_AGENT_ARM64="$PWD/artifacts/agent-arm64/fleet-agent"

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
