#!/usr/bin/env bash
# Rollback time: from the end of a failed release's health window to the previous release running
# again, for the published NativeAOT agent against a local mosquitto and the real engine.
# Needs dockerd, mosquitto and the test images (./test.sh sets all of these up).
# Usage: bench/rollback-time.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x artifacts/agent/fleet-agent ] || dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent --nologo -v quiet
dotnet build bench/Fleet.Agent.Footprint -c Release --nologo -v quiet
dotnet bench/Fleet.Agent.Footprint/bin/Release/net10.0/Fleet.Agent.Footprint.dll artifacts/agent/fleet-agent "${1:-5}" rollback
