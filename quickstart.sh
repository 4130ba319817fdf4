#!/usr/bin/env bash
# Fleet in one command, on a fresh Debian or Ubuntu machine, as root (with the .NET 10 SDK):
# installs the Docker engine if it is missing, builds Fleet, starts the controller (embedded MQTT
# broker, embedded LiteDB) and one agent against the local engine, pushes the example stack in
# deploy/examples/hello, deploys it and follows the rollout until the device committed it.
#
#   ./quickstart.sh          start (or, run again: rebuild, restart what the build changed, make sure
#                            everything runs and deploy again; state, keys and the device stay)
#   ./quickstart.sh --down   stop the controller and the agent, remove the example stack and all state
#
# Ports: FLEET_HTTP_PORT (default 8080) for the REST API, FLEET_MQTT_PORT (1883) for the broker.
set -euo pipefail
cd "$(dirname "$0")"
repo="$PWD"

HOST_LOG_PREFIX=quickstart
. deploy/lib/host.sh
log() { host_log "$@"; }

state="${FLEET_QUICKSTART_DIR:-/var/lib/fleet-quickstart}"
http_port="${FLEET_HTTP_PORT:-8080}"
mqtt_port="${FLEET_MQTT_PORT:-1883}"
controller_url="http://127.0.0.1:$http_port"
bin="$repo/artifacts/quickstart"
device="quickstart-device"

export FLEET_CONTROLLER="$controller_url"
export FLEET_CONTROLLER_DATA="$state/controller"
fleet() { "$bin/cli/fleet" "$@"; }

# running PIDFILE: the process in it runs, and it is ours (after a reboot the number may be another's).
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && grep -qaF "$bin/" "/proc/$(cat "$1")/cmdline"; }

# rebuilt PIDFILE DIR: DIR holds code built after that process started (a run after a change): the
# process still runs the old build, whose files the publish replaced.
rebuilt() { [ -n "$(find "$2" -type f \( -name '*.dll' -o -perm -u+x \) -newer "$1" -print -quit)" ]; }

stop() {
  local pidfile="$1" pid
  running "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$pidfile"
}

if [ "${1:-}" = "--down" ]; then
  stop "$state/agent.pid"
  stop "$state/controller.pid"
  if [ -x "$bin/agent/fleet-agent" ] && engine_up; then
    "$bin/agent/fleet-agent" down -p hello >/dev/null 2>&1 || true
  fi
  rm -rf "$state"
  log "stopped; the example stack and $state are gone (the key file you moved away is yours to keep)"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: ./quickstart.sh [--down]" >&2; exit 2; }

# --- host ------------------------------------------------------------------------------------
install_missing dockerd:docker.io /bin/busybox:busybox-static curl:curl
ensure_engine /var/log/fleet-quickstart-dockerd.log

# --- build -----------------------------------------------------------------------------------
log "building Fleet (the agent as a NativeAOT binary; the first build takes a few minutes)"
publish_agent "$bin/agent"
for project in controller/Fleet.Controller:controller controller/Fleet.Cli:cli; do
  dotnet publish "${project%%:*}" -c Release -o "$bin/${project#*:}" --nologo -v quiet >/dev/null
done
deploy/examples/build-images.sh

# --- controller ------------------------------------------------------------------------------
mkdir -p "$state/controller" "$state/agent"
for process in controller agent; do
  if running "$state/$process.pid" && rebuilt "$state/$process.pid" "$bin/$process"; then
    log "restarting fleet-$process on the new build (its state stays)"
    stop "$state/$process.pid"
  fi
done
if ! running "$state/controller.pid"; then
  log "starting fleet-controller on $controller_url (MQTT on 127.0.0.1:$mqtt_port), log: $state/controller.log"
  # The gen 0 budget the service unit and the image set (docs/controller.md, "Memory").
  DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x1000000} nohup "$bin/controller/fleet-controller" run --data "$state/controller" \
    --urls "$controller_url" --mqtt-port "$mqtt_port" >>"$state/controller.log" 2>&1 &
  echo $! >"$state/controller.pid"
fi
for _ in $(seq 1 60); do curl -fsS "$controller_url/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "$controller_url/healthz" >/dev/null || { log "the controller did not start; see $state/controller.log"; tail -20 "$state/controller.log" >&2; exit 1; }

# --- keys: the root key is the operator's, not the controller's --------------------------------
if [ ! -f "$state/root-key.json" ]; then
  fleet keys init --out "$state/root-key.json"
fi

# --- device ----------------------------------------------------------------------------------
if [ ! -f "$state/agent/enrollment.json" ]; then
  token="$(fleet token create --labels site=quickstart --uses 1 --expires 1h --json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')"
  "$bin/agent/fleet-agent" enroll --controller "$controller_url" --token "$token" \
    --device-id "$device" --labels role=demo --data "$state/agent"
fi
if ! running "$state/agent.pid"; then
  log "starting fleet-agent as device $device, log: $state/agent.log"
  nohup "$bin/agent/fleet-agent" run --data "$state/agent" >>"$state/agent.log" 2>&1 &
  echo $! >"$state/agent.pid"
fi

# --- the example stack -----------------------------------------------------------------------
fleet stack push hello -f deploy/examples/hello/compose.yaml
fleet deploy hello --target site=quickstart --wait

cat <<TRY

Fleet runs: the controller at $controller_url and one device ($device) on this machine's engine.
Try next (the console is $bin/cli/fleet; FLEET_CONTROLLER_DATA=$state/controller lets it find the token):

  export PATH="$bin/cli:\$PATH" FLEET_CONTROLLER_DATA=$state/controller
  fleet devices                                   # the device, its stack and phase
  curl http://127.0.0.1:8088/                     # the example's page: hello from fleet, v1
  fleet stack push hello -f deploy/examples/hello/compose.yaml --env-file deploy/examples/hello/v2.env
  fleet deploy hello --target site=quickstart --wait  # version 2, health-gated on the device
  fleet rollout ls; fleet rollout rollback ID    # back to version 1
  ./quickstart.sh --down                          # stop everything and clean up

Move $state/root-key.json somewhere safe and offline: it is the fleet's root of trust.
TRY
