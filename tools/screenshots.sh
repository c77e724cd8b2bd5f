#!/usr/bin/env bash
# Regenerates the sluice-tray screenshots in docs/images/ with one command:
#   bash tools/screenshots.sh            (as root or a user with sudo)
# It installs Xvfb and jwm (a small window manager with a system tray) when missing, builds
# sluiced and sluice-screenshooter, starts a virtual display with jwm, a temporary sluiced with
# one finished stop (so the shutdown timeline has data) and one running turn, then
# sluice-screenshooter (tools/screenshooter: sluice-tray's TrayApp plus the grabbing): it opens
# the control panel and the tray menu (with the agents submenu) and grabs them itself — the menu
# from the real X screen around jwm's tray, the panel from the window — into
# docs/images/tray-menu.png and docs/images/control-panel.png, and renders tray-icons.png.
# Environment: SLUICE_BUILD (build folder, absolute or relative to the repository, default
# build), SCREEN_SIZE (default 1024x720).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${SLUICE_BUILD:-build}
case "$build" in /*) ;; *) build=$repo/$build ;; esac
out=$repo/docs/images
size=${SCREEN_SIZE:-1024x720}

need=()
for p in xvfb jwm fonts-dejavu-core curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# An existing build folder keeps its configuration; the two programs are brought up to date.
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" --target sluiced sluice-screenshooter
bin=$build/bin

tmp=$(mktemp -d /tmp/sluice-shots.XXXXXX)
home=$tmp/home
mkdir -p "$home"
pids=()
cleanup() {
  touch "$tmp/release" 2>/dev/null || true
  if [ -n "${svc:-}" ] && kill -0 "$svc" 2>/dev/null; then
    kill -INT "$svc" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$svc" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$svc" 2>/dev/null || true
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local limit=$(( $1 * 10 )); shift
  for _ in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done
  echo "timed out waiting for: $*" >&2
  return 1
}
state_is() { grep -q "\"state\": *\"$1\"" "$home/gateway_state.json" 2>/dev/null; }

# A free display number.
n=90
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 "${size}x24" -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
wait_for 20 test -e "/tmp/.X11-unix/X$n"

# jwm with a panel at the bottom whose Dock is the system tray.
cat >"$tmp/jwmrc" <<'JWM'
<?xml version="1.0"?>
<JWM>
  <Tray x="0" y="-1" height="34" autohide="off">
    <TrayButton label="Sluice demo">root:1</TrayButton>
    <TaskList maxwidth="256"/>
    <Dock/>
    <Clock format="%H:%M"><Button mask="123">exec:true</Button></Clock>
  </Tray>
  <Desktops width="1" height="1"><Background type="solid">#3b4a5a</Background></Desktops>
  <WindowStyle><Font>DejaVu Sans-10</Font></WindowStyle>
  <TrayStyle><Font>DejaVu Sans-10</Font></TrayStyle>
</JWM>
JWM
jwm -f "$tmp/jwmrc" >"$tmp/jwm.log" 2>&1 &
pids+=($!)
sleep 1 # jwm has no readiness signal; its tray must exist before the screenshooter asks for one

# An agent that works until released, so the pictures show a running turn.
cat >"$tmp/agent.sh" <<AGENT
#!/bin/sh
cat >/dev/null
while [ ! -e "$tmp/release" ]; do sleep 0.2; done
echo done
AGENT
chmod +x "$tmp/agent.sh"

start_service() {
  "$bin/sluiced" --home "$home" --agent-command "$tmp/agent.sh" --http-port 0 \
    --drain-timeout 30 >>"$tmp/sluiced.out" 2>&1 &
  svc=$!
  wait_for 30 state_is running
}
start_service
# One planned stop first, so logs/last-shutdown.json has phases for the timeline.
kill -INT "$svc"
wait "$svc" || true
start_service

# Start one turn (sluicectl when built, else the HTTP API).
if [ -x "$bin/sluicectl" ] && "$bin/sluicectl" --home "$home" send docs-demo "write the release notes" >/dev/null 2>&1; then
  :
else
  port=$(sed -n 's/.*"http_port": *\([0-9][0-9]*\).*/\1/p' "$home/gateway_state.json")
  curl -fsS -X POST -H "Authorization: Bearer $(cat "$home/control.token")" \
    -H 'Content-Type: application/json' -d '{"session":"docs-demo","text":"write the release notes"}' \
    "http://127.0.0.1:$port/v1/turns" >/dev/null
fi

mkdir -p "$out"
"$bin/sluice-screenshooter" --home "$home" --wait-agent "$out" \
  >"$tmp/shooter.log" 2>&1 || { cat "$tmp/shooter.log" >&2; exit 1; }
ls -l "$out/tray-menu.png" "$out/control-panel.png" "$out/tray-icons.png"
