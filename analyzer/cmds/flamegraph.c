// SPDX-License-Identifier: MIT
/*
 * cmds/flamegraph.c - the `flamegraph` command: hands the profile's named stacks (stacks.c)
 * to the SVG writer (flamegraph.c), titled with the kind and unit of its widths (a
 * --title of the user's own gets them as its subtitle). Analyzer only.
 */
#include "analyze.h"
#include "flamegraph.h"
#include "stacks.h"

#include <stdlib.h>

int cmd_flamegraph(struct an_ctx *c)
{
	struct stacks_opts so = { .pid = c->o->pid_frame, .tid = c->o->tid_frame,
				  .kind = c->o->kind };
	char title[128];
	struct fg_options fo = {
		.title = c->o->title ? c->o->title : an_title(c->o, "Flame graph", title,
							      sizeof(title)),
		.subtitle = c->o->title ? an_title(c->o, "Widths", title, sizeof(title)) : NULL,
		.unit = an_unit(c->o),
	};
	struct stacks st;
	struct fg_stack *fs;
	const char **names;
	int err;

	stacks_build(&st, c->p, c->s, &so);
	names = xmalloc((st.nlabels + 1) * sizeof(*names));
	for (size_t i = 0; i < st.nlabels; i++)
		names[i] = prof_str(c->p, st.labels[i]);
	fs = xmalloc((st.n + 1) * sizeof(*fs));
	for (size_t i = 0; i < st.n; i++) {
		fs[i].frames = names + st.v[i].off;
		fs[i].nframes = st.v[i].n;
		fs[i].value = an_weight(c->o, st.v[i].samples, st.v[i].weight_ns);
		fs[i].samples = st.v[i].samples;
	}
	err = flamegraph_write(c->out, fs, st.n, &fo);
	free(fs);
	free(names);
	stacks_fini(&st);
	return err;
}
