#!/usr/bin/env bash
# Starts the accounting side of the test cluster for start.sh --accounting: MariaDB and slurmdbd, so that sacct works.
#
# Usage: scripts/slurm/accounting.sh STATE_DIR SLURM_CONF   (called by start.sh, which holds the state lock)
# Records what it starts in STATE_DIR/state.env (started_mariadb, started_slurmdbd) for stop.sh.
set -euo pipefail
state_dir=$1
conf=$2
say() { echo "slurm: $*"; }
fail() { echo "slurm: $*" >&2; exit 1; }
record() { grep -qx "$1=$2" "$state_dir/state.env" || echo "$1=$2" >>"$state_dir/state.env"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

db_dir=$state_dir/mysql
socket=$db_dir/mysqld.sock
db_pid=$db_dir/mariadb.pid
# Not 3306: a MariaDB of the machine's own may be listening there.
db_port=${LINPATH_SLURM_DB_PORT:-3307}
sql() { mariadb --socket="$socket" -u root -e "$1"; }

if ! alive "$db_pid"; then
  if [ ! -d "$db_dir/mysql" ]; then
    install -d -o mysql -g mysql "$db_dir"
    mariadb-install-db --user=mysql --datadir="$db_dir" --auth-root-authentication-method=socket \
      >"$state_dir/log/mariadb-install.log" 2>&1 || fail "mariadb-install-db failed; see $state_dir/log/mariadb-install.log"
  fi
  # mariadbd does not daemonize itself.
  setsid mariadbd --user=mysql --datadir="$db_dir" --socket="$socket" --port="$db_port" --bind-address=127.0.0.1 \
    --pid-file="$db_pid" --log-error="$state_dir/log/mariadb.log" </dev/null >/dev/null 2>&1 9>&- &
  for _ in $(seq 100); do sql 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
  sql 'SELECT 1' >/dev/null 2>&1 || fail "MariaDB did not answer on $socket; see $state_dir/log/mariadb.log"
  record started_mariadb "$db_pid"
  say "started MariaDB on 127.0.0.1:$db_port"
fi
sql "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'linpath-test';
     GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;"

# slurmdbd reads slurmdbd.conf next to slurm.conf and refuses it unless only its user can read it.
dbd_conf=$(dirname "$conf")/slurmdbd.conf
cat >"$dbd_conf" <<CONF
# Written by scripts/slurm/accounting.sh for the local test cluster.
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=6819
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=linpath-test
StorageLoc=slurm_acct_db
PidFile=$state_dir/slurmdbd.pid
LogFile=$state_dir/log/slurmdbd.log
CONF
chmod 600 "$dbd_conf"
if ! alive "$state_dir/slurmdbd.pid"; then
  SLURM_CONF=$conf slurmdbd 9>&- || fail "slurmdbd did not start; see $state_dir/log/slurmdbd.log"
  record started_slurmdbd "$state_dir/slurmdbd.pid"
  # It creates its tables on the first start; slurmctld must find it answering.
  for _ in $(seq 150); do SLURM_CONF=$conf sacctmgr -n show cluster >/dev/null 2>&1 && break; sleep 0.2; done
  SLURM_CONF=$conf sacctmgr -n show cluster >/dev/null 2>&1 || fail "slurmdbd does not answer; see $state_dir/log/slurmdbd.log"
  say "started slurmdbd"
fi
