#!/usr/bin/env bash
# Builds the example images the quick start deploys, with `docker import` of a busybox root
# filesystem, so the quick start works on a machine that cannot reach any registry:
#   fleet-example/hello:1   busybox httpd on port 8080 serving "hello from fleet, v1"
#   fleet-example/hello:2   the same, "v2"
# Idempotent: an image that exists already is kept.
set -euo pipefail

DOCKER="${DOCKER:-docker}"
BUSYBOX="$(command -v busybox)"

build() {
  local tag="$1" version="$2"
  if $DOCKER image inspect "$tag" >/dev/null 2>&1; then
    return 0
  fi
  local root
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root"/{bin,etc,tmp,www,proc,sys,dev}
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in sh httpd wget cat sleep; do
    ln -sf busybox "$root/bin/$applet"
  done
  echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  echo "hello from fleet, v$version" > "$root/www/index.html"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | $DOCKER import \
    --change 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]' \
    --change 'ENV PATH=/bin' \
    --change 'EXPOSE 8080' \
    - "$tag" >/dev/null
  echo "built $tag"
}

build fleet-example/hello:1 1
build fleet-example/hello:2 2
