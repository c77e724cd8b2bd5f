#!/usr/bin/env bash
# Regenerates the sluice-tray screenshots in docs/images/ with one command:
#   bash tools/screenshots.sh            (as root or a user with sudo)
# It installs Xvfb and jwm (a small window manager with a system tray) when missing, builds
# sluiced, sluicectl and sluice-screenshooter, starts a virtual display with jwm, a temporary
# sluiced with one finished stop (so the shutdown timeline has data), three finished turns, one
# running turn that writes its output line by line and one queued behind it, then
# sluice-screenshooter
# (tools/screenshooter: sluice-tray's TrayApp plus the grabbing): it opens the control panel
# (live output, then recent turns) and the tray menu (with the agents submenu) and grabs them
# itself — the menu from the real X screen around jwm's tray, the panel from the window — into
# docs/images/, and renders tray-icons.png; a second run grabs the panel in German (-de).
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
for p in xvfb jwm fonts-dejavu-core; do
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
cmake --build "$build" --target sluiced sluicectl sluice-screenshooter
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

# An agent that answers other sessions at once (for the recent-turns list) and, for docs-demo,
# writes its reply line by line (one warning on stderr) and then works until released, so the
# pictures show a running turn's live output and a turn queued behind it.
cat >"$tmp/agent.sh" <<AGENT
#!/bin/sh
msg=\$(cat)
if [ "\$SLUICE_SESSION" != docs-demo ]; then
  echo "Hello \$SLUICE_SESSION. You said: \$msg"
  echo "Nothing else to do here; this turn is done."
  exit 0
fi
echo "Drafting release notes for: \$msg"
for step in "read CHANGELOG.md: 42 entries since 0.1.0" "grouped them by area: tray, service, CLI" \\
            "wrote the tray section (Start, live output, recent turns)"; do
  sleep 1; echo "- \$step"
done
echo "warning: 2 entries name no issue; listed under Other" >&2
sleep 1; echo "- writing the service section..."
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

# A few finished turns for the history, then one that runs and one queued behind it.
send() { "$bin/sluicectl" --home "$home" send "$@" >/dev/null; }
send alice "what is on today?" --wait
send bob "summarise the incident" --wait
send alice "and tomorrow?" --wait
send docs-demo "write the release notes"
send docs-demo "then the upgrade guide"

mkdir -p "$out"
"$bin/sluice-screenshooter" --home "$home" --wait-agent "$out" \
  >"$tmp/shooter.log" 2>&1 || { cat "$tmp/shooter.log" >&2; exit 1; }
# The panel once more in German.
"$bin/sluice-screenshooter" --home "$home" --wait-agent --locale de_DE "$out" \
  >"$tmp/shooter-de.log" 2>&1 || { cat "$tmp/shooter-de.log" >&2; exit 1; }
ls -l "$out"/tray-menu.png "$out"/control-panel.png "$out"/control-panel-history.png \
  "$out"/control-panel-de.png "$out"/control-panel-history-de.png "$out"/tray-icons.png
