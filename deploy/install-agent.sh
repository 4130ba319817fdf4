#!/usr/bin/env bash
# Installs the Fleet agent on a device, as root: puts the native fleet-agent in /usr/local/bin,
# enrolls the device with its controller (one-time token), and enables the systemd service.
#
#   install-agent.sh --controller URL --token TOKEN [--device-id ID] [--labels k=v,...]
#                    [--binary PATH] [--data DIR]
#   install-agent.sh --upgrade [--binary PATH]     # new binary and unit, keeps the enrollment
#
# The binary defaults to ./fleet-agent beside this script, else artifacts/agent/fleet-agent of the
# repository (./test.sh or `dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent`).
# FLEET_INSTALL_ROOT=DIR installs under DIR instead of / (for a test, or an image being built).
# Safe to run again: an enrolled device is not enrolled twice unless --token is given again.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="${FLEET_INSTALL_ROOT:-}"
controller="" token="" device_id="" labels="" upgrade=false
binary=""
data=/var/lib/fleet-agent

die() { echo "install-agent: $*" >&2; exit 1; }
log() { echo "install-agent: $*" >&2; }
usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --controller) controller="${2:?--controller needs a URL}"; shift 2 ;;
    --token) token="${2:?--token needs a value}"; shift 2 ;;
    --device-id) device_id="${2:?--device-id needs a value}"; shift 2 ;;
    --labels) labels="${2:?--labels needs k=v,...}"; shift 2 ;;
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --data) data="${2:?--data needs a directory}"; shift 2 ;;
    --upgrade) upgrade=true; shift ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root (it writes /usr/local/bin, /etc/systemd/system and $data)"
fi
if ! $upgrade && { [ -z "$controller" ] || [ -z "$token" ]; }; then
  die "--controller and --token are required to enroll (or --upgrade to keep the enrollment)"
fi

if [ -z "$binary" ]; then
  for candidate in "$here/fleet-agent" "$here/../artifacts/agent/fleet-agent"; do
    if [ -x "$candidate" ]; then binary="$candidate"; break; fi
  done
  [ -n "$binary" ] || die "no fleet-agent binary beside this script or in artifacts/agent; pass --binary PATH"
fi
[ -x "$binary" ] || die "$binary is not an executable"
unit="$here/systemd/fleet-agent.service"
[ -f "$unit" ] || die "$unit is missing"

# A binary for another architecture (or a broken copy) fails here, before anything is replaced.
version="$("$binary" --version 2>&1)" || die "$binary does not run on this machine: $version"

if [ -z "$root" ] && ! command -v docker >/dev/null 2>&1 && [ ! -S /run/docker.sock ] && [ ! -S /var/run/docker.sock ]; then
  log "warning: no Docker engine found; the agent waits for one (install docker.io or docker-ce)"
fi

bin_path="$root/usr/local/bin/fleet-agent"
install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system"
install -d -m 0700 "$root$data"
# Copy beside, then rename: a running agent keeps its old binary until it restarts.
install -m 0755 "$binary" "$bin_path.new"
mv -f "$bin_path.new" "$bin_path"
log "installed fleet-agent $version in $bin_path"

if [ "$data" = /var/lib/fleet-agent ]; then
  install -m 0644 "$unit" "$root/etc/systemd/system/fleet-agent.service"
else
  sed "s#/var/lib/fleet-agent#$data#g; s#^StateDirectory=.*#ReadWritePaths=$data#; /^StateDirectoryMode=/d" \
    "$unit" > "$root/etc/systemd/system/fleet-agent.service"
fi

if ! $upgrade; then
  args=(enroll --controller "$controller" --token "$token" --data "$root$data")
  [ -n "$device_id" ] && args+=(--device-id "$device_id")
  [ -n "$labels" ] && args+=(--labels "$labels")
  log "enrolling with $controller"
  "$bin_path" "${args[@]}" || die "enrollment failed (see above); the service was not enabled"
fi

if [ -n "$root" ] || [ ! -d /run/systemd/system ]; then
  log "systemd is not running here; on the device: systemctl daemon-reload && systemctl enable --now fleet-agent"
  exit 0
fi
systemctl daemon-reload
systemctl enable fleet-agent.service >/dev/null
if systemctl is-active --quiet fleet-agent.service; then
  systemctl restart fleet-agent.service
else
  systemctl start fleet-agent.service
fi
log "fleet-agent is $(systemctl is-active fleet-agent.service); logs: journalctl -u fleet-agent -f; state: fleet-agent status --data $data"
