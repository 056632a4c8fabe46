#!/usr/bin/env bash
# tmux_explore.sh drives the explorer in tmux, as a user would, at 80x24 and 200x50 (and once
# more at 80x24 with NO_COLOR): it waits for the panes, presses j k m space s tab 3 w ?, prints
# each screen, quits with q and checks the exit code (0) and, under NO_COLOR, that no colour
# escape codes were drawn. Not run in CI (it needs tmux and a terminal multiplexer server).
#
#   scripts/tmux_explore.sh [explorer flags...]     e.g. --model engine/encoder/testdata/tiny-bert
#
# Without flags it uses the fixture model engine/encoder/testdata/tiny-bert.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- --model engine/encoder/testdata/tiny-bert

work=$(mktemp -d)
trap 'tmux -L lesionui-test kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/lesionui" .
tm() { tmux -L lesionui-test "$@"; }

# wait_for SESSION TEXT SECONDS: poll the pane until TEXT shows.
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		if tm capture-pane -p -t "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
	done
	echo "FAIL: '$2' did not appear in $1 within $3 s" >&2
	tm capture-pane -p -t "$1" >&2 || true
	return 1
}

# drive W H [ENV=VALUE]: one session; prints the screens, checks the exit code.
drive() {
	local w=$1 h=$2 env=${3:-} s="explore-$1x$2${3:+-nocolor}"
	local cmd
	cmd="$(printf '%q ' "$work/lesionui" "${args[@]}")"
	tm new-session -d -s "$s" -x "$w" -y "$h" \
		"env TERM=xterm-256color $env $cmd 2>$work/$s.err; echo \$? >$work/$s.rc; sleep 30"
	wait_for "$s" "Layers" 60
	for k in j k m Space Space; do tm send-keys -t "$s" "$k"; sleep 0.3; done
	tm send-keys -t "$s" s
	wait_for "$s" "sweep done" 60
	echo "=== $s: after j k m space space s"
	tm capture-pane -p -t "$s"
	for k in Tab Tab Tab 3; do tm send-keys -t "$s" "$k"; sleep 0.3; done
	echo "=== $s: after tab tab tab 3 (sweep pane)"
	tm capture-pane -p -t "$s"
	tm send-keys -t "$s" w
	wait_for "$s" "Welch t" 30
	tm send-keys -t "$s" '?'
	wait_for "$s" "export report" 10
	echo "=== $s: after w ? (Welch, full help; last lines)"
	tm capture-pane -p -t "$s" | tail -8
	if [ -n "$env" ]; then
		if tm capture-pane -p -e -t "$s" | grep -qE $'\e\\[[0-9;]*(3[0-9]|9[0-7]|38;)[0-9;]*m'; then
			echo "FAIL: colour codes on screen with $env" >&2
			return 1
		fi
		echo "=== $s: no colour codes with $env"
	fi
	tm send-keys -t "$s" q
	local i
	for ((i = 0; i < 100; i++)); do [ -s "$work/$s.rc" ] && break; sleep 0.1; done
	local rc
	rc=$(cat "$work/$s.rc" 2>/dev/null || echo "none")
	echo "=== $s: exit code $rc"
	[ "$rc" = 0 ] || { cat "$work/$s.err" >&2; return 1; }
	tm kill-session -t "$s"
}

args=("$@")
drive 80 24
drive 200 50
drive 80 24 NO_COLOR=1
echo "PASS"
