#!/usr/bin/env bash
# Builds the native fleet-agent (NativeAOT, one file) for a device's architecture:
#
#   deploy/build-agent.sh [--arch x64|arm64] [--out DIR]
#
# x64 goes to artifacts/agent/fleet-agent, arm64 (a Raspberry Pi 4/5 or another 64-bit Arm device
# with glibc) to artifacts/agent-arm64/fleet-agent. On an x64 Debian or Ubuntu machine the arm64
# agent is cross-compiled: the first run installs, as root, clang, lld and Debian's arm64 C runtime
# and OpenSSL (dpkg architecture arm64) and qemu-user-static to try the result
# (`qemu-aarch64-static artifacts/agent-arm64/fleet-agent --version`). Fails on any trim/AOT warning.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST_LOG_PREFIX=build-agent
# shellcheck source-path=SCRIPTDIR/..
. deploy/lib/host.sh

arch=x64 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="${2:?--arch needs x64 or arm64}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    -h|--help) sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) host_log "unknown argument '$1' (see --help)"; exit 1 ;;
  esac
done

case "$arch" in
  x64) out="${out:-artifacts/agent}" ;;
  arm64)
    out="${out:-artifacts/agent-arm64}"
    [ "$(uname -m)" = aarch64 ] || install_arm64_toolchain
    ;;
  *) host_log "unknown architecture '$arch' (x64 or arm64)"; exit 1 ;;
esac

host_log "publishing the NativeAOT agent for linux-$arch into $out"
publish_agent "$out" "linux-$arch"
host_log "$out/fleet-agent: $(stat -c %s "$out/fleet-agent") bytes"
