#!/usr/bin/env bash
# The README's main command: a therapist and a client pair through a relay
# on 127.0.0.1 and exchange end-to-end encrypted messages; then every file
# the relay and both devices wrote is byte-scanned for the plaintexts.
#
#   scripts/demo.sh            install what is missing, build, run the demo
#   KEEP_DEMO_DIR=1 ...        keep the temporary directory for inspection
#
# Everything runs in a fresh temporary directory; the script stops every
# process it started, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
say()  { printf '  %s\n' "$*"; }
# Shows a command as the user would type it, runs it, indents its output.
as() {
  local who=$1; shift
  printf '\n\033[36m[%s]$ attune %s\033[0m\n' "$who" "$*"
}

# ATTUNE_BUILD_DIR=DIR uses binaries already built there (developers).
if [ -n "${ATTUNE_BUILD_DIR:-}" ]; then
  BUILD=$ATTUNE_BUILD_DIR
else
  bold "== Installing what is missing and building (attune, attune-relay)"
  scripts/bootstrap.sh
  cmake --preset default >/dev/null
  if ! cmake --build --preset default --target attune attune-relay -- -j"${ATTUNE_JOBS:-2}" \
      >"${TMPDIR:-/tmp}/attune-demo-build.log" 2>&1; then
    tail -30 "${TMPDIR:-/tmp}/attune-demo-build.log" >&2
    echo "demo: build failed (full log: ${TMPDIR:-/tmp}/attune-demo-build.log)" >&2
    exit 1
  fi
  BUILD=$ROOT/build/default
fi
ATTUNE=$BUILD/client/cli/attune
RELAY=$BUILD/relay/attune-relay
[ -x "$ATTUNE" ] && [ -x "$RELAY" ] || { echo "demo: build failed" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/attune-demo.XXXXXX")
RELAY_PID=""
cleanup() {
  if [ -n "$RELAY_PID" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill -TERM "$RELAY_PID" 2>/dev/null || true
    wait "$RELAY_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_DEMO_DIR:-0}" = 1 ]; then
    echo "demo: kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Demo passphrases; each command reads its passphrase from file descriptor 3
# (never from argv). A real user types it at the prompt instead.
T_PASS="therapist demo passphrase"
C_PASS="client demo passphrase"
therapist() { "$ATTUNE" --profile "$WORK/therapist" --passphrase-fd 3 "$@" 3<<<"$T_PASS"; }
client()    { "$ATTUNE" --profile "$WORK/client" --passphrase-fd 3 "$@" 3<<<"$C_PASS"; }

bold "== The clinic's relay (attune-relay on 127.0.0.1, data in a temporary directory)"
RELAY_KEY=$("$RELAY" keygen --data-dir "$WORK/relay")
( umask 077; "$RELAY" credential issue --data-dir "$WORK/relay" >"$WORK/clinic.credential" 2>/dev/null )
cat >"$WORK/relay.toml" <<TOML
[listen]
address = "127.0.0.1"
port = 0
[storage]
data_dir = "$WORK/relay"
TOML
"$RELAY" serve --config "$WORK/relay.toml" >"$WORK/relay.out" 2>"$WORK/relay.log" &
RELAY_PID=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$WORK/relay.out" 2>/dev/null && break
  sleep 0.1
done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/relay.out")
[ -n "$PORT" ] || { echo "demo: the relay did not start" >&2; cat "$WORK/relay.log" >&2; exit 1; }
say "relay public key: $RELAY_KEY"
say "listening on 127.0.0.1:$PORT"

bold "== Dr Rivera (therapist) sets up her device"
as therapist "init --role therapist --name 'Dr Rivera' --relay 127.0.0.1:$PORT --relay-key <key> --credential-file clinic.credential"
therapist init --role therapist --name "Dr Rivera" --relay "127.0.0.1:$PORT" \
  --relay-key "$RELAY_KEY" --credential-file "$WORK/clinic.credential"

bold "== Sam (client) sets up their phone"
as client "init --role client --name Sam"
client init --role client --name Sam

bold "== Dr Rivera invites Sam (one-time code and QR code)"
as therapist "invite --name sam"
therapist invite --name sam | tee "$WORK/invite.txt"
CODE=$(grep -o 'ATTUNE1-[A-Z2-7-]*' "$WORK/invite.txt" | head -1)

bold "== Sam accepts the invitation"
as client "accept -   (the code, pasted on standard input)"
client accept - --name "Dr Rivera" <<<"$CODE"

bold "== Dr Rivera's device picks up the pairing"
as therapist "sync"
therapist sync

bold "== Both compare safety numbers (in person or by phone)"
as therapist "verify sam"
# Captured, then printed once to stdout: `tee /dev/stderr` would reopen (and
# truncate) a log file that stdout and stderr both point to.
T_OUT=$(therapist verify sam)
printf '%s\n' "$T_OUT"
T_SN=$(grep -E '^  [0-9]{5}' <<<"$T_OUT" | tr -d ' \n')
as client "verify 'Dr Rivera'"
C_OUT=$(client verify "Dr Rivera")
printf '%s\n' "$C_OUT"
C_SN=$(grep -E '^  [0-9]{5}' <<<"$C_OUT" | tr -d ' \n')
if [ "$T_SN" = "$C_SN" ] && [ ${#T_SN} -eq 60 ]; then
  say "The two safety numbers match: no one is in the middle."
else
  echo "demo: safety numbers differ!" >&2; exit 1
fi
therapist verify sam --confirm >/dev/null
client verify "Dr Rivera" --confirm >/dev/null

MSG1="Hi Dr Rivera, this week was hard; I barely slept before the exam."
MSG2="Thank you for telling me, Sam. Let's make sleep our focus on Thursday."

bold "== Sam writes to Dr Rivera"
as client "send 'Dr Rivera' '$MSG1'"
client send "Dr Rivera" - <<<"$MSG1"

bold "== Dr Rivera reads her inbox"
as therapist "sync"
therapist sync
as therapist "inbox"
therapist inbox

bold "== Dr Rivera replies"
as therapist "send sam '$MSG2'"
therapist send sam - <<<"$MSG2"

bold "== Sam reads the reply"
as client "sync"
client sync
as client "history 'Dr Rivera'"
client history "Dr Rivera"

# ---- Therapy features (issue #6): schedule, check-in with risk, urgent inbox ----
NOTE="Could not sleep again; everything feels pointless this week."

bold "== Dr Rivera sets her office hours and asks Sam for evening check-ins"
as therapist "hours 'Mon-Fri 09:00-17:00' --tz America/New_York --reply-hours 24"
therapist hours "Mon-Fri 09:00-17:00" --tz America/New_York --reply-hours 24
as therapist "schedule sam 'daily 20:00' --instruments phq9 --tz America/New_York"
therapist schedule sam "daily 20:00" --instruments phq9 --tz America/New_York

bold "== Sam's phone receives them and shows what is due"
as client "sync"
client sync
as client "due"
client due

bold "== Sam fills in a check-in; PHQ-9 item 9 is above 0, so the crisis resources show at once (before sending)"
as client "checkin 'Dr Rivera' --mood 3 --anxiety 7 --sleep 5.5 --phq9 1,2,1,2,1,1,1,0,1 --note -"
client checkin "Dr Rivera" --mood 3 --anxiety 7 --sleep 5.5 --phq9 1,2,1,2,1,1,1,0,1 --note - <<<"$NOTE"

bold "== Dr Rivera's device receives it: urgent items come first in the inbox, flagged"
as therapist "sync"
therapist sync
as therapist "inbox"
therapist inbox
as therapist "checkins sam"
therapist checkins sam
as therapist "ack sam   (after reaching out to Sam)"
therapist ack sam

bold "== What is on disk: byte scan of the relay's data and both profiles"
FOUND=0
for text in "$MSG1" "$MSG2" "$NOTE" "$T_PASS" "$C_PASS"; do
  for dir in "$WORK/relay" "$WORK/therapist" "$WORK/client"; do
    if grep -r -F -a -l -- "$text" "$dir" >/dev/null 2>&1; then
      echo "demo: FOUND \"$text\" in $(grep -r -F -a -l -- "$text" "$dir" | head -1)" >&2
      FOUND=1
    fi
  done
done
say "scanned: $(find "$WORK/relay" "$WORK/therapist" "$WORK/client" -type f | wc -l) files"
if [ "$FOUND" -ne 0 ]; then
  echo "demo: plaintext found on disk — FAILED" >&2
  exit 1
fi
say "None of the messages or passphrases appears in any file: the relay holds only"
say "ciphertext and each device's history is inside its encrypted database."

bold "== Done; stopping the relay"
# The same two profiles open in the desktop app (built with
# `cmake --build --preset default --target attune-desktop`); keep them with
# KEEP_DEMO_DIR=1. The relay has stopped, so the app shows them offline.
if [ "${KEEP_DEMO_DIR:-0}" = 1 ]; then
  say "Open both demo profiles in the desktop app (passphrases above):"
  say "  $BUILD/client/desktop/app/attune-desktop --profile $WORK/therapist"
  say "  $BUILD/client/desktop/app/attune-desktop --profile $WORK/client"
fi
