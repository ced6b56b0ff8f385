#!/usr/bin/env bash
# Stops exactly what scripts/slurm/start.sh started (recorded in its state dir), and nothing else.
#
# Usage: scripts/slurm/stop.sh [--holder ID]
#   --holder ID   unregister ID first; the cluster keeps running while other holders remain, or when it was started
#                 by hand (start.sh without --holder)
# Environment: LINPATH_SLURM_STATE (default /tmp/linpath-slurm), the same as start.sh's.
# Exit: 0 when stopped (or nothing was ours to stop); 1 when a daemon would not die; 2 bad usage.
set -euo pipefail

# The daemons are root's: stop them the way start.sh started them.
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  exec sudo -n --preserve-env=LINPATH_SLURM_STATE "$0" "$@"
fi

state_dir=${LINPATH_SLURM_STATE:-/tmp/linpath-slurm}
holder=
while [ $# -gt 0 ]; do
  case $1 in
    --holder) [ $# -ge 2 ] || { echo "stop.sh: --holder needs a value" >&2; exit 2; }; holder=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "stop.sh: unknown argument '$1' (expected --holder ID)" >&2; exit 2 ;;
  esac
done
say() { echo "slurm: $*"; }

state_file=$state_dir/state.env
if [ ! -f "$state_file" ]; then
  say "nothing to stop: no $state_file (start.sh started nothing here)"
  exit 0
fi
exec 9>"$state_dir/lock"
flock -w 300 9 || { echo "slurm: timed out waiting for $state_dir/lock" >&2; exit 1; }

if [ -n "$holder" ]; then
  rm -f "$state_dir/holders/$(printf '%s' "$holder" | tr -c 'A-Za-z0-9._-' '_')"
  for other in "$state_dir"/holders/*; do
    [ -f "$other" ] || continue
    kill -0 "$(cat "$other")" 2>/dev/null || { say "forgetting holder $(basename "$other") (process $(cat "$other") is gone)"; rm -f "$other"; }
  done
  others=$(ls -A "$state_dir/holders" 2>/dev/null || true)
  if [ -n "$others" ]; then
    say "still used by $(echo "$others" | tr '\n' ' ')- leaving it running"
    exit 0
  fi
  if [ "$(sed -n 's/^owner=//p' "$state_file" | head -n1)" != holders ]; then
    say "started by hand (not for holders); leaving it running - stop it with a plain scripts/slurm/stop.sh"
    exit 0
  fi
fi

value() { sed -n "s/^$1=//p" "$state_file" | head -n1; }
conf=$(value SLURM_CONF)

# The cluster is ours: its jobs are too. Cancel them so no job outlives the daemons that track it.
if [ -n "$(value started_slurmctld)" ] && [ -n "$conf" ]; then
  SLURM_CONF=$conf timeout 10 scancel --full --quiet --state=PENDING >/dev/null 2>&1 || true
  SLURM_CONF=$conf timeout 10 scancel --full --quiet --state=RUNNING >/dev/null 2>&1 || true
fi

status=0
stop_pidfile() {  # name, pid file
  local pid
  [ -f "$2" ] || { say "$1 not running (no $2)"; return; }
  pid=$(cat "$2")
  if ! kill -0 "$pid" 2>/dev/null; then say "$1 not running"; return; fi
  kill "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || { say "stopped $1"; return; }; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  sleep 0.2
  if kill -0 "$pid" 2>/dev/null; then echo "slurm: $1 (pid $pid) would not die" >&2; status=1; else say "killed $1"; fi
}
# Reverse order of starting: the node daemon, the controller, accounting, then munge.
pid_file=$(value started_slurmd); [ -z "$pid_file" ] || stop_pidfile slurmd "$pid_file"
pid_file=$(value started_slurmctld); [ -z "$pid_file" ] || stop_pidfile slurmctld "$pid_file"
pid_file=$(value started_slurmdbd); [ -z "$pid_file" ] || stop_pidfile slurmdbd "$pid_file"
pid_file=$(value started_mariadb); [ -z "$pid_file" ] || stop_pidfile mariadbd "$pid_file"
pid_file=$(value started_munge); [ -z "$pid_file" ] || stop_pidfile munged "$pid_file"

link=$(value linked_conf)
if [ -n "$link" ] && [ -L "$link" ] && [ "$(readlink "$link")" = "$conf" ]; then
  rm -f "$link"
  say "removed $link"
fi
if [ $status = 0 ]; then
  # Saved controller state would resurrect this cluster's jobs on the next start.
  # The same goes for the accounting database of a MariaDB we started: its job ids would clash with the new ones.
  [ -z "$(value started_mariadb)" ] || rm -rf "$state_dir/mysql"
  rm -rf "$state_file" "$state_dir/ctld" "$state_dir/spool" "$state_dir/holders"
fi
exit $status
