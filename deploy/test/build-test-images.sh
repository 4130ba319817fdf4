#!/usr/bin/env bash
# Builds the local images the tests use, with `docker import` of a busybox root
# filesystem: no registry is reachable, so nothing may be pulled.
#   fleet-test/busybox:1   CMD sleep forever (a long-running service)
#   fleet-test/busybox:2   same filesystem, another image ID (for update tests)
# Idempotent: an image that exists already is kept.
set -euo pipefail

DOCKER="${DOCKER:-docker}"
BUSYBOX="$(command -v busybox)"

build() {
  local tag="$1" marker="$2"
  if $DOCKER image inspect "$tag" >/dev/null 2>&1; then
    return 0
  fi
  local root
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root"/{bin,sbin,etc,tmp,var/www,proc,sys,dev,root}
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
  echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  echo "$marker" > "$root/etc/fleet-test-image"
  echo "fleet test image $marker" > "$root/var/www/index.html"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | $DOCKER import \
    --change 'CMD ["sleep", "2147483647"]' \
    --change 'ENV PATH=/bin:/sbin' \
    --change "LABEL org.fleet.test=$marker" \
    - "$tag" >/dev/null
  echo "built $tag"
}

build fleet-test/busybox:1 1
build fleet-test/busybox:2 2
