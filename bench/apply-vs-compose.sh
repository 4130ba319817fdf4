#!/usr/bin/env bash
# Times, on this machine and in one run, the same 5-service stack brought up by:
#   - the published NativeAOT `fleet-agent apply` (fresh, then a no-op re-apply),
#   - `docker-compose up -d` (fresh, then a no-op re-run),
#   - the raw floor: the network plus create+start of the same 5 containers straight through the
#     engine API with curl over the unix socket, in parallel (what no tool can beat).
# Prints the median of each over N rounds (default 5) and the ratios the issue sets targets for.
# Usage: bench/apply-vs-compose.sh [ROUNDS]     (needs docker-compose, curl, the fleet-test images)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
SOCK=/var/run/docker.sock
API=v1.41
AGENT="${FLEET_AGENT_NATIVE:-$PWD/artifacts/agent/fleet-agent}"
[ -x "$AGENT" ] || dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent --nologo -v quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/compose.yaml" <<'YAML'
services:
  web:
    image: fleet-test/busybox:1
    command: ["httpd", "-f", "-p", "80"]
    labels: {org.fleet.bench: "1"}
  api:
    image: fleet-test/busybox:1
    environment: {MODE: bench}
    labels: {org.fleet.bench: "1"}
  worker:
    image: fleet-test/busybox:1
    labels: {org.fleet.bench: "1"}
  cache:
    image: fleet-test/busybox:1
    volumes: ["cache:/data"]
    labels: {org.fleet.bench: "1"}
  db:
    image: fleet-test/busybox:2
    restart: unless-stopped
    labels: {org.fleet.bench: "1"}
volumes:
  cache: {}
YAML

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
api() { curl -sf --unix-socket "$SOCK" -H 'Content-Type: application/json' "$@"; }

raw_up() {
  local p="$1"
  api -X POST "http://localhost/$API/networks/create" -d "{\"Name\":\"${p}_default\",\"Labels\":{\"com.docker.compose.project\":\"$p\"}}" >/dev/null
  api -X POST "http://localhost/$API/volumes/create" -d "{\"Name\":\"${p}_cache\",\"Labels\":{\"com.docker.compose.project\":\"$p\"}}" >/dev/null
  local s
  for s in web api worker cache db; do
    (
      local image=fleet-test/busybox:1 extra=""
      [ "$s" = db ] && image=fleet-test/busybox:2
      [ "$s" = web ] && extra=',"Cmd":["httpd","-f","-p","80"]'
      [ "$s" = cache ] && extra=',"HostConfig":{"NetworkMode":"'"${p}"'_default","Binds":["'"${p}"'_cache:/data:rw"]}'
      [ "$s" != cache ] && extra="$extra"',"HostConfig":{"NetworkMode":"'"${p}"'_default"}'
      id=$(api -X POST "http://localhost/$API/containers/create?name=${p}-${s}-1" \
        -d '{"Image":"'"$image"'","Labels":{"com.docker.compose.project":"'"$p"'","org.fleet.bench":"1"}'"$extra"'}' | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/')
      api -X POST "http://localhost/$API/containers/$id/start" >/dev/null
    ) &
  done
  wait
}

cleanup() {
  local p="$1"
  docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r docker network rm >/dev/null
  docker volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r docker volume rm >/dev/null
}

: > "$work/fleet-fresh"; : > "$work/fleet-noop"; : > "$work/compose-fresh"; : > "$work/compose-noop"; : > "$work/raw"
for round in $(seq 1 "$ROUNDS"); do
  p="benchf$round$$"
  t0=$(now); "$AGENT" apply -f "$work/compose.yaml" -p "$p" >/dev/null; t1=$(now)
  "$AGENT" apply -f "$work/compose.yaml" -p "$p" >/dev/null; t2=$(now)
  ms "$t0" "$t1" >> "$work/fleet-fresh"; ms "$t1" "$t2" >> "$work/fleet-noop"
  cleanup "$p"

  p="benchc$round$$"
  t0=$(now); docker-compose -p "$p" -f "$work/compose.yaml" up -d >/dev/null 2>&1; t1=$(now)
  docker-compose -p "$p" -f "$work/compose.yaml" up -d >/dev/null 2>&1; t2=$(now)
  ms "$t0" "$t1" >> "$work/compose-fresh"; ms "$t1" "$t2" >> "$work/compose-noop"
  cleanup "$p"

  p="benchr$round$$"
  t0=$(now); raw_up "$p"; t1=$(now)
  ms "$t0" "$t1" >> "$work/raw"
  cleanup "$p"
done

ff=$(median < "$work/fleet-fresh"); fn=$(median < "$work/fleet-noop")
cf=$(median < "$work/compose-fresh"); cn=$(median < "$work/compose-noop"); rf=$(median < "$work/raw")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "rounds: $ROUNDS (medians, ms)   engine $(docker version --format '{{.Server.Version}}')   cores $(nproc)"
echo "fleet-agent apply, fresh:      $ff"
echo "fleet-agent apply, no-op:      $fn"
echo "docker-compose up -d, fresh:   $cf"
echo "docker-compose up -d, no-op:   $cn"
echo "raw API create+start (floor):  $rf"
echo "fresh: fleet / docker-compose = $(ratio "$ff" "$cf")   (target <= 0.50)"
echo "no-op: fleet / docker-compose = $(ratio "$fn" "$cn")   (target <= 0.15)"
echo "fresh: fleet / raw floor      = $(ratio "$ff" "$rf")   (target <= 1.50)"
