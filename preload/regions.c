// SPDX-License-Identifier: MIT
/*
 * regions.c - the optional region markers of include/xprof.h: a per-thread stack of open
 * regions, one XPF_REC_REGION (wall and thread-CPU duration) per BEGIN/END pair. Normal
 * context, called by the program; a sample that lands while a record is written is counted
 * as busy, never taken inside our own writes.
 */
#include <string.h>

#include "xprof.h"
#include "xprof-int.h"


XP_API void xprof_region_begin(const char *name)
{
	struct xp_thread *t = xp.active ? thread_self() : NULL;

	if (!t || t->nregions >= XP_REGION_DEPTH || !name)
		return;
	t->regions[t->nregions].name = name;
	t->regions[t->nregions].cpu0 = xp_thread_cpu();
	t->regions[t->nregions].t0 = xp_now();
	t->nregions++;
}

XP_API void xprof_region_end(const char *name)
{
	struct xp_thread *t = xp.active ? xp_self : NULL;
	struct xp_region *r;
	uint64_t nums[2];
	size_t len;

	if (!t || t->nregions == 0)
		return;
	r = &t->regions[--t->nregions];
	nums[0] = xp_now() - r->t0;
	nums[1] = xp_thread_cpu() - r->cpu0;
	name = r->name;		/* the begin's name: ends must match their begins anyway */
	len = strlen(name);
	XP_BUSY(t, rec_fields(t, XPF_REC_REGION, nums, 2, &name, &len, 1));
}
