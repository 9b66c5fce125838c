#!/bin/sh
# Starts a throw-away single-node Slurm (munged, slurmctld, slurmd) on
# localhost, every file of it in one temporary folder, the daemons in the
# foreground as children of this shell. Sourced by the Slurm tests:
#   . tests/slurm/cluster.sh; slurm_start DIR || skip; ...; slurm_stop
# After slurm_start, SLURM_CONF points at the generated slurm.conf, so sbatch,
# squeue and scontrol talk to this cluster and not to any other.
PATH=$PATH:/usr/sbin:/sbin

# Echoes a TCP port nothing on this machine listens on.
slurm_free_port() {
  port=$(( 20000 + ($$ * 7 + $1) % 30000 ))
  while grep -qi ":$(printf '%04X' "$port") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

# Why the daemons cannot start here, or nothing when they can.
slurm_missing() {
  for b in munged slurmctld slurmd sbatch squeue scontrol; do
    command -v "$b" > /dev/null || { echo "$b is not installed (tools/setup.sh --slurm installs slurm-wlm and munge)"; return; }
  done
  [ "$(id -u)" -eq 0 ] || echo "a private slurmd must run as root to start jobs as their user; run as root"
}

slurm_start() {
  dir=$1
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir" "$dir/munge"
  # munged checks that nobody else can read the key or write its folders.
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  munged -F --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" 2> "$dir/log/munged.err" &
  SLURM_MUNGED_PID=$!
  ctld_port=$(slurm_free_port 0)
  slurmd_port=$(slurm_free_port 1)
  [ "$slurmd_port" -ne "$ctld_port" ] || slurmd_port=$((ctld_port + 1))
  cpus=$(nproc)
  : > "$dir/plugstack.conf"
  cat > "$dir/slurm.conf" <<CONF
ClusterName=latenttest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
PlugStackConfig=$dir/plugstack.conf
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
MinJobAge=600
NodeName=latentnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=latentnode Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  # munged must answer before the Slurm daemons ask it for credentials.
  i=0
  while [ ! -S "$dir/munge/munge.socket" ]; do
    i=$((i + 1)); [ "$i" -lt 100 ] || { echo "munged did not start: $(cat "$dir/log/munged.err")"; return 1; }
    sleep 0.1
  done
  slurmctld -D -f "$SLURM_CONF" > "$dir/log/slurmctld.out" 2>&1 &
  SLURM_CTLD_PID=$!
  slurmd -D -f "$SLURM_CONF" -N latentnode > "$dir/log/slurmd.out" 2>&1 &
  SLURM_SLURMD_PID=$!
  # Ready when the node takes jobs.
  i=0
  while :; do
    state=$(sinfo -h -n latentnode -o %t 2>/dev/null)
    case $state in idle*|mix*|alloc*) return 0 ;; esac
    i=$((i + 1))
    if [ "$i" -ge 300 ] || ! kill -0 "$SLURM_CTLD_PID" 2>/dev/null || ! kill -0 "$SLURM_SLURMD_PID" 2>/dev/null; then
      echo "the Slurm daemons did not come up (node state '$state'):"
      tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/log/slurmctld.out" "$dir/log/slurmd.out" 2>/dev/null
      return 1
    fi
    sleep 0.1
  done
}

slurm_stop() {
  for pid in ${SLURM_SLURMD_PID:-} ${SLURM_CTLD_PID:-} ${SLURM_MUNGED_PID:-}; do
    kill "$pid" 2>/dev/null
  done
  for pid in ${SLURM_SLURMD_PID:-} ${SLURM_CTLD_PID:-} ${SLURM_MUNGED_PID:-}; do
    wait "$pid" 2>/dev/null
  done
  SLURM_SLURMD_PID= SLURM_CTLD_PID= SLURM_MUNGED_PID=
}
