#!/bin/bash
# SPDX-License-Identifier: MIT
# The SVG flame graph in a real browser (headless Chromium): it renders (every frame laid out
# with a width), search (the Search button, answering its prompt) highlights exactly the
# matching frames and shows the matched share that `report` gives the function, a click on
# a frame zooms it to the full width, greys its callers and hides the rest, and Reset Zoom
# brings the graph back. Driven by DOM events from a script added to a copy of the file,
# read back from the DOM Chromium dumps.
. "$(dirname "$0")/common.bash"
. "$HERE/browser.bash"
need "$PROGS/analyzer_shares"

prof s 30 "$PROGS/analyzer_shares" 0.5
expect_rc s 0
"$B/xprof-analyze" flamegraph --weight=cpu-ns "$OUT/s" -o "$WORK/fg.svg" 2>"$WORK/fg.err" ||
	fail "flamegraph: $(cat "$WORK/fg.err")"
pct=$("$B/xprof-analyze" report --tsv "$OUT/s" |
	awk -F'\t' '$1 == "function" && $2 == "burn_big" { print $7 }')
[ -n "$pct" ] || fail "report has no burn_big"

# The user's actions, as DOM events; the outcome goes into an attribute of the root.
python3 - "$WORK/fg.svg" "$WORK/test.svg" <<'PY' || fail "cannot add the test script"
import sys
svg = open(sys.argv[1]).read()
js = r"""
(function () {
	var r = {}, ev = function (t) { return new MouseEvent(t, { bubbles: true }); };
	var gs = Array.prototype.slice.call(document.querySelectorAll('#frames > g'));
	var name = function (g) {
		var t = g.querySelector('title').textContent;
		return t.substring(0, t.lastIndexOf(' ('));
	};
	var rect = function (g) { return g.querySelector('rect'); };
	var named = function (n) { return gs.filter(function (g) { return name(g) === n; }); };
	r.frames = gs.length;
	r.drawn = gs.filter(function (g) { return rect(g).getBoundingClientRect().width > 0; }).length;
	r.root_w = rect(gs[0]).getBBox().width;
	rect(named('burn_small')[0]).dispatchEvent(ev('mouseover'));
	r.details = document.getElementById('details').textContent;
	window.prompt = function () { return 'burn_big'; };
	document.getElementById('search').dispatchEvent(ev('click'));
	r.hits = gs.filter(function (g) {
		return rect(g).getAttribute('fill') === 'rgb(230,0,230)';
	}).map(name);
	r.matched = document.getElementById('matched').textContent;
	rect(named('burn_small')[0]).dispatchEvent(ev('click'));
	r.zoom_w = rect(named('burn_small')[0]).getBoundingClientRect().width;
	r.big_hidden = named('burn_big').every(function (g) { return g.classList.contains('hide'); });
	r.main_parent = named('main')[0].classList.contains('parent');
	r.unzoom_shown = !document.getElementById('unzoom').classList.contains('hide');
	document.getElementById('unzoom').dispatchEvent(ev('click'));
	r.after_reset = gs.filter(function (g) { return !g.classList.contains('hide'); }).length;
	r.root_w_reset = rect(gs[0]).getBBox().width;
	document.documentElement.setAttribute('data-test', JSON.stringify(r));
})();
"""
i = svg.rindex("</svg>")
open(sys.argv[2], "w").write(svg[:i] + "<script type=\"text/ecmascript\"><![CDATA[" + js +
                             "]]></script>\n" + svg[i:])
PY
dom "file://$WORK/test.svg" "$WORK/test.dom" 3000
msg=$(python3 - "$WORK/test.dom" "$pct" <<'PY'
import html, json, re, sys
m = re.search(r'data-test="([^"]*)"', open(sys.argv[1]).read())
if not m:
    sys.exit("the test script left no result in the DOM")
r, pct = json.loads(html.unescape(m.group(1))), float(sys.argv[2])
W = 1180    # 1200 px less the two 10 px margins
def want(ok, what):
    if not ok:
        sys.exit("%s: %s" % (what, json.dumps(r)))
want(r["frames"] >= 6 and r["drawn"] == r["frames"], "frames not all rendered")
want(abs(r["root_w"] - W) < 1, "root frame not full width")
want(r["details"].startswith("burn_small ("), "hover shows no details")
want(set(r["hits"]) == {"burn_big"}, "search highlighted %s, not burn_big alone" % r["hits"])
got = float(re.match(r"Matched: ([\d.]+)%", r["matched"]).group(1))
want(abs(got - pct) <= 0.1, "search matched %.1f%%, report says burn_big is %.2f%%" % (got, pct))
want(abs(r["zoom_w"] - W) < 1, "zoomed frame not full width")
want(r["big_hidden"] and r["main_parent"] and r["unzoom_shown"], "zoom state")
want(r["after_reset"] == r["frames"] and abs(r["root_w_reset"] - W) < 1, "Reset Zoom")
PY
) || fail "$msg"
pass
