# Sourced by test.sh and quickstart.sh: bring a fresh Debian or Ubuntu machine (as root) to where
# Fleet runs. Nothing here fails because a package, engine or image is already there.

host_log() { echo "${HOST_LOG_PREFIX:-fleet}: $*" >&2; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

# install_missing CMD:PACKAGE ... installs each package whose command is missing, in one apt run.
install_missing() {
  local need=() pair cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    if [ "${cmd#/}" != "$cmd" ]; then [ -x "$cmd" ] || need+=("$pkg"); else have_cmd "$cmd" || need+=("$pkg"); fi
  done
  if [ ${#need[@]} -gt 0 ]; then
    host_log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  have_cmd ip || { host_log "iproute2 (ip) is required"; return 1; }
  have_cmd dotnet || { host_log "the .NET SDK 10 is required (dotnet not on PATH)"; return 1; }
}

engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# ensure_engine LOGFILE starts dockerd in the background unless an engine answers already.
ensure_engine() {
  local logfile="$1"
  if ! engine_up; then
    host_log "starting dockerd (log: $logfile)"
    mkdir -p "$(dirname "$logfile")"
    nohup dockerd >"$logfile" 2>&1 &
    for _ in $(seq 1 60); do engine_up && break; sleep 1; done
    engine_up || { host_log "dockerd did not answer within 60 s; see $logfile"; tail -20 "$logfile" >&2; return 1; }
  fi
  host_log "engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
}

# publish_agent DIR publishes the NativeAOT agent and fails on any trim/AOT warning but LiteDB's
# known roll-up (see agent/Fleet.Agent/Fleet.Agent.csproj).
publish_agent() {
  local out="$1" publish_log
  publish_log="$(mktemp)"
  if ! dotnet publish agent/Fleet.Agent -c Release -o "$out" --nologo \
       -p:FleetStrictAot=true -p:TreatWarningsAsErrors=false >"$publish_log" 2>&1; then
    cat "$publish_log" >&2; host_log "publishing the agent failed"; return 1
  fi
  if grep -E 'warning [A-Z]+[0-9]+' "$publish_log" | grep -v "Assembly 'LiteDB' produced" | sort -u | grep .; then
    host_log "the NativeAOT agent must publish without trim/AOT warnings"; return 1
  fi
  rm -f "$publish_log"
}
