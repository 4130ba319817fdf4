#!/usr/bin/env bash
# Agent footprint: process start to connected, and resident memory when connected and idle with
# a committed 3-service stack, for the published NativeAOT agent against a local mosquitto.
# Needs dockerd, mosquitto and the test images (./test.sh sets all of these up).
# Usage: bench/agent-footprint.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x artifacts/agent/fleet-agent ] || dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent --nologo -v quiet
dotnet build bench/Fleet.Agent.Footprint -c Release --nologo -v quiet
dotnet bench/Fleet.Agent.Footprint/bin/Release/net10.0/Fleet.Agent.Footprint.dll artifacts/agent/fleet-agent "${1:-5}"
