#!/usr/bin/env bash
# tmux_explore.sh drives the real explorer in tmux, as a user would, and prints every screen it
# sees (tmux capture-pane) for a person to look at; it fails when a step's answer does not
# appear, when a screen has a line wider than the terminal or a cut number ("1.2…"), when
# NO_COLOR still draws colour, or when the explorer does not exit 0 on q.
#
#   scripts/tmux_explore.sh [explorer flags...]     e.g. --model /tmp/bert-large-shaped
#
# Without flags it uses the demo model (--demo). Each session: 80x24, 120x40 and 220x60, then
# 80x24 under NO_COLOR, then one that is resized from 80x24 to 220x60, 100x30, 160x48 and
# 60x15 (below the minimum) and back. Keys: wait for the background work, then k j m space
# tab z u U h l : 0 enter G 1 2 3 w s ? and esc, and the lesion controls: n + - (units, K),
# a (ablation, all four), b (the random baseline), v (the evaluation set), t (top-k off and on),
# x k x X (two layers marked and lesioned together, then unmarked), l (a unit's own lesion). The
# activation cache goes to a temporary folder: the first session records, the others read it.
# Not run in CI (it needs tmux).
set -euo pipefail
export LC_ALL=C.UTF-8 # ${#line} counts characters
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- --demo

work=$(mktemp -d)
trap 'tmux -L lesionui-test kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" # the activation cache (and the demo model) of this tour only
go build -o "$work/lesionui" .
tm() { tmux -L lesionui-test "$@"; }
tm new-session -d -s keep "sleep 3600" # keeps the server up between the sessions
cap() { tm capture-pane -p -t "$1"; }

# wait_for SESSION TEXT SECONDS: poll the pane until TEXT shows.
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		if cap "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
	done
	echo "FAIL: '$2' did not appear in $1 within $3 s" >&2
	cap "$1" >&2 || true
	return 1
}

# wait_gone SESSION TEXT SECONDS: poll the pane until TEXT is gone.
wait_gone() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		if ! cap "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
	done
	echo "FAIL: '$2' still on $1 after $3 s" >&2
	cap "$1" >&2 || true
	return 1
}

# shot SESSION TITLE: print the screen and check it: no line wider than the window, no number
# cut short by an ellipsis.
shot() {
	local w
	w=$(tm display -p -t "$1" '#{window_width}')
	echo "=== $1: $2"
	cap "$1"
	local line
	while IFS= read -r line; do
		if [ "${#line}" -gt "$w" ]; then
			echo "FAIL: $1: a line wider than $w: $line" >&2
			return 1
		fi
	done < <(cap "$1")
	if cap "$1" | grep -E '[0-9.]…'; then
		echo "FAIL: $1: a number cut short" >&2
		return 1
	fi
}

keys() { # keys SESSION KEY...: send keys with a pause, as typed
	local s=$1
	shift
	for k in "$@"; do tm send-keys -t "$s" "$k"; sleep 0.25; done
}

# start NAME W H [ENV=VALUE]: a session running the explorer, open and its lesions done.
start() {
	local s=$1 w=$2 h=$3 env=${4:-}
	local cmd
	cmd="$(printf '%q ' "$work/lesionui" "${args[@]}")"
	tm new-session -d -s "$s" -x "$w" -y "$h" \
		"env TERM=xterm-256color $env $cmd 2>$work/$s.err; echo \$? >$work/$s.rc; sleep 60"
	wait_for "$s" "Layers" 120
	wait_gone "$s" "background " 600 # the header counts the background work until it is done
}

# finish SESSION: q, and the exit code must be 0.
finish() {
	local s=$1 i rc
	tm send-keys -t "$s" q
	for ((i = 0; i < 100; i++)); do [ -s "$work/$s.rc" ] && break; sleep 0.1; done
	rc=$(cat "$work/$s.rc" 2>/dev/null || echo "none")
	echo "=== $s: exit code $rc"
	[ "$rc" = 0 ] || { cat "$work/$s.err" >&2; return 1; }
	tm kill-session -t "$s"
}

# drive W H: the whole tour at one size.
drive() {
	local s="explore-$1x$2"
	start "$s" "$1" "$2"
	shot "$s" "opened, every lesion computed"
	keys "$s" k k m
	wait_for "$s" "least-tuned significant" 10
	shot "$s" "k k m: two layers up, the least-tuned control"
	keys "$s" Tab Tab
	shot "$s" "tab tab: the logits focused"
	keys "$s" 1
	wait_for "$s" "never lesioned" 10
	keys "$s" z
	shot "$s" "1 z: the clean text, the logit pane zoomed"
	keys "$s" Escape Tab
	shot "$s" "esc tab: the top-k predictions focused"
	keys "$s" Tab
	shot "$s" "tab: the sweep focused"
	keys "$s" Tab u U l l
	shot "$s" "tab u U l l: Part 2, the unit cursor two units after the least-tuned"
	keys "$s" : 0 Enter
	wait_for "$s" "layer 0 (" 10
	keys "$s" Space
	wait_for "$s" "lesion off" 10
	shot "$s" ":0 enter space: layer 0, lesion off"
	keys "$s" Space G w
	wait_for "$s" "Welch t" 60
	wait_gone "$s" "background " 600
	shot "$s" "space G w: Welch, its lesions computed"
	keys "$s" w
	wait_for "$s" "Student t" 10
	controls "$s"
	keys "$s" s
	wait_for "$s" "background work off" 10
	keys "$s" '?'
	wait_for "$s" "━ Help ━" 10
	shot "$s" "s ?: background off, help"
	keys "$s" Escape
	finish "$s"
}

# controls SESSION: the lesion controls, each answered in the header or its pane.
controls() {
	local s=$1
	keys "$s" n
	wait_for "$s" "top-50" 10
	wait_gone "$s" "background " 600
	keys "$s" + -
	wait_for "$s" "top-50" 10
	shot "$s" "n + -: the top 50 units by |t| of each sign"
	keys "$s" a
	wait_for "$s" "top-50 mean" 10
	keys "$s" a
	wait_for "$s" "top-50 ×2" 10
	keys "$s" a
	wait_for "$s" "top-50 patched" 10
	wait_gone "$s" "background " 600
	shot "$s" "a a a: patched with the other word's mean"
	keys "$s" a n
	wait_for "$s" "significant zeroed" 10
	keys "$s" b
	wait_for "$s" "baseline 20" 10
	wait_gone "$s" "background " 600
	keys "$s" Tab Tab Tab Tab
	wait_for "$s" "random |Δ| 5–95 %" 10
	shot "$s" "b, the sweep focused: the random band"
	keys "$s" t
	wait_gone "$s" "Top-k" 10
	keys "$s" t
	wait_for "$s" "#  clean" 10
	wait_gone "$s" "background " 600
	shot "$s" "t t: top-k off and on again, focused"
	keys "$s" v
	wait_for "$s" "clean two-word accuracy" 600
	wait_gone "$s" "background " 1200
	shot "$s" "v: the evaluation set, every layer"
	keys "$s" z
	shot "$s" "z: the evaluation set zoomed"
	keys "$s" Escape v b x k x
	wait_for "$s" "2 layers marked" 10
	keys "$s" Tab Tab 2
	wait_for "$s" "together" 60
	shot "$s" "v b x k x, the logits focused, 2: two layers marked, lesioned together"
	keys "$s" X Tab Tab Tab l
	wait_for "$s" "alone (zeroed):" 30
	shot "$s" "X, Part 2, l: the next unit, lesioned alone"
}

# nocolor: NO_COLOR must draw no colour and tell the classes apart by glyph.
nocolor() {
	local s="explore-80x24-nocolor"
	start "$s" 80 24 NO_COLOR=1
	shot "$s" "NO_COLOR"
	if tm capture-pane -p -e -t "$s" | grep -qE $'\e\\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|38;|48;)[0-9;]*m'; then
		echo "FAIL: colour codes on screen with NO_COLOR" >&2
		return 1
	fi
	cap "$s" | grep -qF "▲" && cap "$s" | grep -qF "▼" || { echo "FAIL: NO_COLOR draws no class glyphs" >&2; return 1; }
	echo "=== $s: no colour codes, class glyphs drawn"
	keys "$s" b Tab Tab Tab
	wait_gone "$s" "background " 600
	# zoomed, so that all ranks show: at 80x24 the contrast words may rank below the three rows
	# the pane has (the demo model puts "the", "a", "this" before "her" at the her mask)
	keys "$s" z
	shot "$s" "NO_COLOR, b, the top-k focused and zoomed: the contrast words marked ▸"
	cap "$s" | grep -qF "▸" || { echo "FAIL: NO_COLOR marks no contrast word among the top-k" >&2; return 1; }
	keys "$s" Escape
	finish "$s"
}

# resizes: the layout follows the window, below the minimum it says so.
resizes() {
	local s="explore-resize"
	start "$s" 80 24
	for size in 220x60 100x30 160x48 60x15 80x24; do
		tm resize-window -t "$s" -x "${size%x*}" -y "${size#*x}"
		sleep 1
		if [ "$size" = 60x15 ]; then
			wait_for "$s" "at least" 10
		else
			wait_for "$s" "Layers" 10
		fi
		shot "$s" "resized to $size"
	done
	finish "$s"
}

args=("$@")
drive 80 24
drive 120 40
drive 220 60
nocolor
resizes
echo "PASS"
