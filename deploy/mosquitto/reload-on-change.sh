#!/bin/sh
# Runs mosquitto (the command given) and sends it SIGHUP whenever a watched file changes, so that it
# rereads its password and ACL files. For deploy/compose/, where the controller rewrites the device
# password file from another container and cannot signal mosquitto itself.
#
#   reload-on-change.sh /usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf
#
#   RELOAD_WATCH     files to watch, separated by spaces
#                    (default /etc/mosquitto/fleet/devices/devices.passwd)
#   RELOAD_INTERVAL  seconds between two looks (default 2; busybox and GNU sleep take fractions)
#
# SIGTERM and SIGINT stop mosquitto; the script exits with mosquitto's status. POSIX sh, md5sum and
# sleep only: the eclipse-mosquitto image is alpine (busybox), without inotify tools.
set -u

watch=${RELOAD_WATCH:-/etc/mosquitto/fleet/devices/devices.passwd}
interval=${RELOAD_INTERVAL:-2}

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]  (the broker to run, reloaded on changes of \$RELOAD_WATCH)" >&2
  exit 64
fi

# The content, not mtime and size: a re-enrolled device's line keeps its length, and busybox stat has
# whole seconds only, so two rewrites within a second could look like none.
fingerprint() {
  for file in $watch; do
    if [ -r "$file" ]; then
      md5sum <"$file"
    else
      echo "unreadable $file"
    fi
  done
}

# Taken before mosquitto reads the files: a change while it starts costs one extra reload, never a lost one.
last=$(fingerprint)
"$@" &
broker=$!

(
  while kill -0 "$broker" 2>/dev/null; do
    sleep "$interval"
    now=$(fingerprint)
    if [ "$now" != "$last" ]; then
      last=$now
      echo "reload-on-change: $watch changed; SIGHUP to $broker" >&2
      kill -HUP "$broker" 2>/dev/null
    fi
  done
) &
watcher=$!

# A background command of a non-interactive shell starts with SIGINT ignored, so both become SIGTERM,
# on which mosquitto saves its database and exits.
trap 'kill -TERM "$broker" 2>/dev/null' TERM INT

# wait returns early when a trapped signal arrives; mosquitto is gone only once kill -0 fails.
while :; do
  wait "$broker"
  status=$?
  kill -0 "$broker" 2>/dev/null || break
done

kill "$watcher" 2>/dev/null
exit "$status"
