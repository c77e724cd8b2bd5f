#!/usr/bin/env bash
# Smoke test of the real Windows programs under Wine (docs/platforms.md):
#   tests/windows/smoke.sh BIN_DIR
# sluiced.exe starts with a temporary HOME; sluicectl.exe status answers over the named pipe;
# a turn runs and returns its output; a drain refuses a turn and its cancel lets one in; then,
# with a turn running, the planned-stop marker alone (written here, as any writer would)
# stops the service: the drain is honoured (the turn finishes with its output), exit code 0.
# Needs WINEPREFIX (a prepared prefix) and sqlite3. Prints the timings; exit 0 only when every step held.
set -uo pipefail
bin=$(cd "${1:?usage: smoke.sh BIN_DIR}" && pwd)
export WINEDEBUG=${WINEDEBUG:--all}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-smoke.XXXXXX")
home="$work/home"
mkdir -p "$home"
winhome=$(winepath -w "$home")
state="$home/gateway_state.json"
daemon_pid=
fail() {
  echo "smoke: FAIL: $*"
  [ -f "$home/logs/sluiced.log" ] && tail -20 "$home/logs/sluiced.log" | sed 's/^/    log: /'
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
  exit 1
}
now_ms() { date +%s%3N; }
# Waits up to $1 s for the command after it to succeed (a condition, never a fixed sleep).
wait_for() {
  local limit=$1; shift
  local end=$(( $(now_ms) + limit * 1000 ))
  until "$@"; do
    [ "$(now_ms)" -ge "$end" ] && return 1
    sleep 0.05
  done
}
field() { sed -nE "s/^ *\"$1\": \"?([^\",]*)\"?,?$/\1/p" "$state" 2>/dev/null; }
is_state() { [ "$(field state)" = "$1" ]; }
ctl() { wine "$bin/sluicectl.exe" --home "$winhome" "$@"; }

# 1. Start: time until gateway_state.json says running.
t0=$(now_ms)
wine "$bin/sluiced.exe" --home "$winhome" --http-port 0 --drain-timeout 60 \
  >"$work/sluiced.out" 2>&1 &
daemon_pid=$!
wait_for 60 is_state running || fail "sluiced.exe did not reach running"
t_running=$(( $(now_ms) - t0 ))
pid=$(field pid)
echo "smoke: sluiced.exe running (Windows pid $pid) after ${t_running} ms"

# 2. Status over the named pipe.
out=$(ctl status) || fail "sluicectl status: $out"
grep -q 'running (accepting)' <<<"$out" || fail "status says: $out"
grep -q 'containment: *job-object' <<<"$out" || fail "status names no job-object containment"
echo "smoke: status answers over the named pipe $(field socket)"

# 3. A turn runs and returns its output.
out=$(ctl send smoke "hello from wine" --wait) || fail "send --wait: $out"
grep -q 'You said: hello from wine' <<<"$out" || fail "turn output: $out"
echo "smoke: turn output: $out"

# 4. Drain refuses a turn; cancel lets them in again.
ctl drain >/dev/null || fail "drain"
is_state draining || fail "state after drain: $(field state)"
if out=$(ctl send smoke refused 2>&1); then fail "a turn was accepted while draining"; fi
grep -q draining <<<"$out" || fail "refusal does not say draining: $out"
ctl cancel-drain >/dev/null || fail "cancel-drain"
is_state running || fail "state after cancel-drain: $(field state)"
echo "smoke: drain refused a turn, cancel-drain reopened"

# 5. A turn is running; the planned-stop marker alone stops the service, the drain honoured.
turn=$(ctl send last "the turn that outlives the stop request") || fail "send: $turn"
turn=$(grep -oE 't-[0-9a-f]+' <<<"$turn" | head -1)
wait_for 30 grep -q '"active_agents": 1' "$state" || fail "the last turn did not start"
start_time=$(field start_time)
tmp="$home/.gateway-planned-stop.json.tmp"
printf '{"target_pid": %s, "target_start_time": %s, "stopper_pid": %s, "written_at": "%s", "restart": false}\n' \
  "$pid" "$start_time" "$$" "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" >"$tmp"
t1=$(now_ms)
mv "$tmp" "$home/.gateway-planned-stop.json"
wait "$daemon_pid"
rc=$?
t_exit=$(( $(now_ms) - t1 ))
daemon_pid=
[ "$rc" -eq 0 ] || fail "sluiced.exe exited $rc after the marker"
# The turn ran to its end and its output is kept (state.db, read by the host's sqlite3).
row=$(sqlite3 "$home/state.db" "SELECT state || '|' || CAST(output AS TEXT) FROM turns WHERE id = '$turn'")
grep -q '^done|.*You said: the turn that outlives' <<<"$row" || fail "the last turn ($turn): $row"
is_state stopped || fail "final state: $(field state)"
[ "$(field desired_state)" = stopped ] || fail "desired_state: $(field desired_state)"
[ -e "$home/.clean_shutdown" ] || fail "no .clean_shutdown: the stop interrupted a turn"
grep -q '"cause": "planned"' "$home/logs/last-shutdown.json" || fail "cause not planned"
grep -q 'planned_marker' "$home/logs/sluiced.log" || fail "the log does not name the marker"
[ ! -e "$home/.gateway-planned-stop.json" ] || fail "the marker was not consumed"
echo "smoke: the planned-stop marker alone stopped sluiced.exe after ${t_exit} ms (the running turn finished first), exit 0"
echo "smoke: timings: start -> running ${t_running} ms; marker -> exit ${t_exit} ms"
rm -rf "$work"
