# SPDX-License-Identifier: MIT
# browser.bash - sourced after common.bash by the tests that open an output in headless
# Chromium (Debian's chromium). Not a test itself (run.sh runs *.sh only).
#
#	dom URL OUT [MS]	load URL, let it run MS ms of virtual time (default 5000), write
#				the DOM it then has to OUT
#	serve DIR		serve DIR over HTTP on 127.0.0.1 (pages that fetch() need it);
#				sets $URL to its base; stopped when the test ends
# The machine's network is closed: the flags keep Chromium from reaching out at all.

CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	fail "chromium not installed (scripts/install-deps installs it)"
SERVER_PID=

# fail() as common.bash has it, after stopping the server.
eval "common_$(declare -f fail)"
fail()
{
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	common_fail "$@"
}

dom()
{
	local url=$1 out=$2 ms=${3:-5000}

	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$(mktemp -d "$WORK/chromium.XXXXXX")" \
		--window-size=1400,900 --virtual-time-budget="$ms" --dump-dom "$url" \
		>"$out" 2>"$out.err" || fail "chromium on $url: $(grep -v dbus "$out.err" | tail -2)"
	[ -s "$out" ] || fail "chromium gave no DOM for $url: $(grep -v dbus "$out.err" | tail -2)"
}

serve()
{
	local port

	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1])') || fail "no free port"
	(cd "$1" && exec timeout 170 python3 -m http.server "$port" --bind 127.0.0.1) \
		>"$WORK/http.log" 2>&1 &
	SERVER_PID=$!
	trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; [ -n "$XPROF_KEEP" ] || rm -rf "$WORK"' EXIT
	URL=http://127.0.0.1:$port
	for _ in $(seq 50); do
		python3 -c "import urllib.request; urllib.request.urlopen('$URL/')" 2>/dev/null &&
			return 0
		sleep 0.1
	done
	fail "the test HTTP server did not start: $(tail -2 "$WORK/http.log")"
}
