/* SPDX-License-Identifier: MIT */
/*
 * flamegraph_script.h - inline CSS and JavaScript of the SVG flame graph (private to
 * flamegraph.c). Analyzer only; constant data.
 */
#ifndef XPROF_FLAMEGRAPH_SCRIPT_H
#define XPROF_FLAMEGRAPH_SCRIPT_H

/* Contents of the <style> element. */
extern const char fg_style[];

/* Contents of the <script> element (a CDATA section, so it never contains "]]>"). */
extern const char fg_script[];

#endif /* XPROF_FLAMEGRAPH_SCRIPT_H */
