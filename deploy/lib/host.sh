# shellcheck shell=bash
# Sourced by test.sh, quickstart.sh and deploy/build-agent.sh: bring a fresh Debian or Ubuntu machine
# (as root) to where Fleet runs. Nothing here fails because a package, engine or image is already there.

host_log() { echo "${HOST_LOG_PREFIX:-fleet}: $*" >&2; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

# install_missing CMD:PACKAGE ... installs each package whose command (or, given as an absolute path,
# file) is missing, in one apt run. PACKAGE may name an architecture (libssl3:arm64).
install_missing() {
  local need=() pair cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    if [ "${cmd#/}" != "$cmd" ]; then [ -e "$cmd" ] || need+=("$pkg"); else have_cmd "$cmd" || need+=("$pkg"); fi
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
  # A dockerd started elsewhere with --bridge none deletes the host's docker0, and the running engine
  # then fails every container on the default network; put the bridge back as dockerd made it.
  if have_cmd ip && ! ip link show docker0 >/dev/null 2>&1 \
     && docker network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}' >/dev/null 2>&1; then
    local gateway subnet
    gateway="$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}')"
    subnet="$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Subnet}}')"
    host_log "docker0 is missing; recreating it as ${gateway}/${subnet#*/}"
    ip link add docker0 type bridge && ip addr add "${gateway}/${subnet#*/}" dev docker0 && ip link set docker0 up
  fi
  host_log "engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
}

# install_arm64_toolchain installs what cross-linking the agent for linux-arm64 on an x64 machine and
# running it under qemu need: clang with lld and llvm-objcopy, and Debian's arm64 C runtime and
# OpenSSL (multiarch, so the sysroot is / and qemu finds /lib/ld-linux-aarch64.so.1 where an arm64
# Debian has it). Adds the arm64 dpkg architecture once.
install_arm64_toolchain() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    host_log "adding the arm64 dpkg architecture"
    dpkg --add-architecture arm64
  fi
  install_missing clang:clang ld.lld:lld llvm-objcopy:llvm qemu-aarch64-static:qemu-user-static \
    /usr/lib/aarch64-linux-gnu/libc.so:libc6-dev:arm64 \
    /usr/lib/gcc/aarch64-linux-gnu/12/crtbeginS.o:libgcc-12-dev:arm64 \
    /usr/lib/aarch64-linux-gnu/libssl.so.3:libssl3:arm64
}

# publish_agent DIR [RID] publishes the NativeAOT agent (RID linux-x64 by default, or linux-arm64)
# and fails on any trim/AOT warning but LiteDB's known roll-up (see agent/Fleet.Agent/Fleet.Agent.csproj).
# A RID of another architecture than this machine's is cross-linked with clang and lld against the
# multiarch sysroot / (install_arm64_toolchain).
publish_agent() {
  local out="$1" rid="${2:-linux-x64}" publish_log cross=()
  case "$(uname -m):$rid" in
    x86_64:linux-x64|aarch64:linux-arm64) ;;
    *:linux-x64|*:linux-arm64) cross=(-p:LinkerFlavor=lld) ;;
    *) host_log "unknown runtime '$rid' (linux-x64 or linux-arm64)"; return 1 ;;
  esac
  publish_log="$(mktemp)"
  if ! dotnet publish agent/Fleet.Agent -c Release -r "$rid" -o "$out" --nologo "${cross[@]}" \
       -p:FleetStrictAot=true -p:TreatWarningsAsErrors=false >"$publish_log" 2>&1; then
    cat "$publish_log" >&2; host_log "publishing the agent for $rid failed"; return 1
  fi
  if grep -E 'warning [A-Z]+[0-9]+' "$publish_log" | grep -v "Assembly 'LiteDB' produced" | sort -u | grep .; then
    host_log "the NativeAOT agent must publish without trim/AOT warnings"; return 1
  fi
  rm -f "$publish_log"
}
