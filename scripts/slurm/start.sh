#!/usr/bin/env bash
# Starts a single-node Slurm cluster with two fake GPUs from Debian's packages, unless one is already healthy.
#
# Usage: scripts/slurm/start.sh [--holder ID] [--accounting]     (as root, or via password-less sudo)
#   --holder ID   register ID as a user of the cluster (tests do); stop.sh --holder ID stops it only when the last
#                 holder leaves, and only if it was started for holders, never a cluster started by hand
#   --accounting  also install and start MariaDB and slurmdbd (accounting.sh), so that sacct answers; restarts a
#                 controller of ours that runs without accounting. LINPATH_SLURM_MIN_JOB_AGE (seconds, default 3600)
#                 sets how long the controller remembers finished jobs, after which only sacct knows them.
# Environment: LINPATH_SLURM_STATE (default /tmp/linpath-slurm) holds the config, logs, pids and what this
# script started (state.env), so that stop.sh stops exactly that and nothing else.
# Exit: 0 when the node is idle and accepts jobs; 1 when it could not be started (the message says why); 2 bad usage.
set -euo pipefail

# Slurm's daemons run as root: a user with password-less sudo (a CI runner) gets the same as root.
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  exec sudo -n --preserve-env=LINPATH_SLURM_STATE,LINPATH_SLURM_WAIT,LINPATH_SLURM_MIN_JOB_AGE,LINPATH_SLURM_DB_PORT \
    "$0" "$@" --holder-pid "$PPID"
fi

state_dir=${LINPATH_SLURM_STATE:-/tmp/linpath-slurm}
holder=
holder_pid=$PPID
accounting=
while [ $# -gt 0 ]; do
  case $1 in
    --holder) [ $# -ge 2 ] || { echo "start.sh: --holder needs a value" >&2; exit 2; }; holder=$2; shift 2 ;;
    --accounting) accounting=1; shift ;;
    --holder-pid) [ $# -ge 2 ] || { echo "start.sh: --holder-pid needs a value" >&2; exit 2; }; holder_pid=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument '$1' (expected --holder ID or --accounting)" >&2; exit 2 ;;
  esac
done

node=localhost
min_job_age=${LINPATH_SLURM_MIN_JOB_AGE:-3600}
wait_seconds=${LINPATH_SLURM_WAIT:-30}
say() { echo "slurm: $*"; }
fail() { echo "slurm: $*" >&2; exit 1; }

mkdir -p "$state_dir"
# Two test files may start the cluster at the same time: one of them does the work, the other then finds it healthy.
# The daemons are started with fd 9 closed, or they would hold this lock for as long as they run.
exec 9>"$state_dir/lock"
flock -w 300 9 || fail "timed out waiting for $state_dir/lock held by another start.sh/stop.sh"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

register_holder() {
  if [ -n "$holder" ]; then
    mkdir -p "$state_dir/holders"
    # The holder is the process that called us; stop.sh forgets holders that died without calling it.
    echo "$holder_pid" >"$state_dir/holders/$(printf '%s' "$holder" | tr -c 'A-Za-z0-9._-' '_')"
  fi
}

# A cluster of ours is asked through its own config, even where /etc/slurm/slurm.conf belongs to another one.
if [ -f "$state_dir/state.env" ]; then
  ours=$(sed -n 's/^SLURM_CONF=//p' "$state_dir/state.env" | head -n1)
  [ -z "$ours" ] || export SLURM_CONF=$ours
  # Rewriting the config without accounting under a running slurmdbd of ours would split controller and node.
  if grep -q '^started_slurmdbd=' "$state_dir/state.env" && alive "$state_dir/slurmdbd.pid"; then accounting=1; fi
fi

# A node is usable when the controller answers and the node is neither down, drained nor failing.
node_state() { timeout 10 sinfo -h -n "$node" -N -o '%t' 2>/dev/null | head -n1; }
node_usable() { case "$(node_state)" in idle|mix|alloc|comp) return 0 ;; *) return 1 ;; esac; }

# The controller keeps calling a node idle for minutes after its slurmd died: check the daemons we started, too.
our_daemons_alive() {
  local pid_file
  [ -f "$state_dir/state.env" ] || return 0
  for pid_file in $(sed -n 's/^started_\(slurmctld\|slurmd\)=//p' "$state_dir/state.env"); do
    alive "$pid_file" || return 1
  done
}

has_accounting() { timeout 10 scontrol show config 2>/dev/null | grep -q '^AccountingStorageType *= *accounting_storage/slurmdbd'; }

if command -v sinfo >/dev/null 2>&1 && our_daemons_alive && node_usable && { [ -z "$accounting" ] || has_accounting; }; then
  say "already running and healthy (node $node is $(node_state)); nothing to do"
  register_holder
  exit 0
fi

# --- install ---------------------------------------------------------------------------------------------
missing=()
tools="slurmctld slurmd sinfo munged"
packages="slurmctld slurmd slurm-client munge"
[ -z "$accounting" ] || { tools="$tools slurmdbd sacct mariadbd"; packages="$packages slurmdbd mariadb-server"; }
for tool in $tools; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "Slurm is not installed (missing ${missing[*]}) and installing it needs root"
  command -v apt-get >/dev/null 2>&1 || fail "Slurm is not installed (missing ${missing[*]}) and there is no apt-get to install it"
  say "installing $packages from Debian"
  # Another apt-get may hold the dpkg lock; wait for it rather than fail.
  apt_install() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $packages >>"$state_dir/apt.log" 2>&1; }
  # A fresh machine has no package lists yet: update once and try again.
  if ! apt_install && ! { apt-get -o DPkg::Lock::Timeout=300 update -qq >>"$state_dir/apt.log" 2>&1 && apt_install; }; then
    fail "apt-get install failed; see $state_dir/apt.log"
  fi
fi
[ "$(id -u)" = 0 ] || fail "starting slurmd needs root (it runs jobs as their users)"

# --- what we start is recorded here, appended as we go so a failure half-way can still be cleaned up ----------
state_file=$state_dir/state.env
touch "$state_file"
record() { echo "$1=$2" >>"$state_file"; }
recorded() { grep -qx "$1=$2" "$state_file"; }

# Who may stop what we start: the last holder leaving (stop.sh --holder), or only a plain stop.sh when started by hand.
grep -q '^owner=' "$state_file" || record owner "$([ -n "$holder" ] && echo holders || echo manual)"

# --- munge -----------------------------------------------------------------------------------------------
if ! munge -n </dev/null >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0755 /run/munge
  # --force: a munged killed hard leaves its socket behind, which would stop the new one.
  if [ ! -s /etc/munge/munge.key ]; then
    [ -x /usr/sbin/mungekey ] && mungekey --create --keyfile=/etc/munge/munge.key >/dev/null 2>&1 \
      || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  fi
  runuser -u munge -- munged --force --pid-file=/run/munge/munged.pid 9>&- || fail "munged did not start; see /var/log/munge/munged.log"
  record started_munge /run/munge/munged.pid
  for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null >/dev/null 2>&1 || fail "munged started but does not answer; see /var/log/munge/munged.log"
  say "started munged"
else
  say "munged already running"
fi

# --- config ------------------------------------------------------------------------------------------------
conf_dir=$state_dir/etc
gpu_dir=$state_dir/gpus
mkdir -p "$conf_dir" "$gpu_dir" "$state_dir/ctld" "$state_dir/spool" "$state_dir/log"
# Slurm rejects plain files as GPU devices; symlinks to /dev/null are accepted as character devices.
for i in 0 1; do ln -sfn /dev/null "$gpu_dir/gpu$i"; done
controller=$(hostname -s)
cat >"$conf_dir/slurm.conf" <<CONF
# Written by scripts/slurm/start.sh: a single-node test cluster with two fake GPUs.
ClusterName=linpath
SlurmctldHost=$controller(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$state_dir/ctld
SlurmdSpoolDir=$state_dir/spool
SlurmctldPidFile=$state_dir/slurmctld.pid
SlurmdPidFile=$state_dir/slurmd.pid
SlurmctldLogFile=$state_dir/log/slurmctld.log
SlurmdLogFile=$state_dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
$(if [ -n "$accounting" ]; then
  printf 'AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost\nAccountingStoragePort=6819\n'
else
  echo 'AccountingStorageType=accounting_storage/none'
fi)
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
GresTypes=gpu
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=$min_job_age
KillWait=5
SchedulerParameters=bf_interval=1,batch_sched_delay=0
NodeName=$node NodeAddr=127.0.0.1 CPUs=8 Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
cat >"$conf_dir/gres.conf" <<CONF
AutoDetect=off
NodeName=$node Name=gpu File=$gpu_dir/gpu[0-1]
CONF
conf=$conf_dir/slurm.conf
grep -q '^SLURM_CONF=' "$state_file" || record SLURM_CONF "$conf"

# Clients read /etc/slurm/slurm.conf unless SLURM_CONF says otherwise; link ours there when the place is free.
if [ ! -e /etc/slurm/slurm.conf ] && [ ! -L /etc/slurm/slurm.conf ]; then
  mkdir -p /etc/slurm
  ln -s "$conf" /etc/slurm/slurm.conf
  record linked_conf /etc/slurm/slurm.conf
elif [ "$(readlink -f /etc/slurm/slurm.conf)" != "$(readlink -f "$conf")" ]; then
  say "note: /etc/slurm/slurm.conf is not ours; clients of this cluster need SLURM_CONF=$conf"
fi
export SLURM_CONF=$conf

# --- daemons -------------------------------------------------------------------------------------------------
if [ -n "$accounting" ]; then
  "$(dirname "$0")/accounting.sh" "$state_dir" "$conf"
  # A controller started without accounting only learns of it by restarting.
  if alive "$state_dir/slurmctld.pid" && ! has_accounting; then
    recorded started_slurmctld "$state_dir/slurmctld.pid" || fail "the running slurmctld has no accounting and is not ours to restart"
    kill "$(cat "$state_dir/slurmctld.pid")"
    for _ in $(seq 100); do alive "$state_dir/slurmctld.pid" || break; sleep 0.1; done
    say "restarting slurmctld with accounting"
  fi
fi
if ! alive "$state_dir/slurmctld.pid"; then
  slurmctld -f "$conf" 9>&- || fail "slurmctld did not start; see $state_dir/log/slurmctld.log"
  recorded started_slurmctld "$state_dir/slurmctld.pid" || record started_slurmctld "$state_dir/slurmctld.pid"
  say "started slurmctld"
fi
if ! alive "$state_dir/slurmd.pid"; then
  slurmd -f "$conf" -N "$node" 9>&- || fail "slurmd did not start; see $state_dir/log/slurmd.log"
  recorded started_slurmd "$state_dir/slurmd.pid" || record started_slurmd "$state_dir/slurmd.pid"
  say "started slurmd"
fi

# --- wait for the node ------------------------------------------------------------------------------------
deadline=$((SECONDS + wait_seconds))
while :; do
  current=$(node_state)
  case $current in
    idle|mix|alloc) break ;;
    *drain*|drng|down*|fail*)
      # A node drained by an earlier, broken start (or by a reboot) stays drained until resumed.
      scontrol update nodename="$node" state=resume >/dev/null 2>&1 && say "resumed node $node (was $current)" ;;
  esac
  if [ $SECONDS -ge $deadline ]; then
    reason=$(timeout 10 sinfo -h -R -n "$node" -o '%E' 2>/dev/null || true)
    fail "node $node not idle after ${wait_seconds}s (state '${current:-no answer from slurmctld}'${reason:+, reason: $reason}); see $state_dir/log/"
  fi
  sleep 0.2
done
register_holder
say "ready: node $node is $current with gres $(sinfo -h -n "$node" -N -o '%G'); SLURM_CONF=$conf"
