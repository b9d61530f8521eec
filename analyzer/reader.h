/* SPDX-License-Identifier: MIT */
/*
 * reader.h - parsing of .xpf files into the profile model. Analyzer only.
 *
 * Every byte of a file is untrusted: lengths are checked against what is left, allocations
 * grow only with records actually parsed (so memory is bounded by the file's size), and a
 * fault skips the smallest unit that contains it (record, rest of block, file) with one
 * message on stderr naming the file, block, offset and fault.
 */
#ifndef XPROF_ANALYZER_READER_H
#define XPROF_ANALYZER_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* What to keep; applied while reading. Arrays are owned by the caller. */
struct reader_opts {
	const int32_t *pids;
	size_t npids;
	const char *comm;		/* NULL: any */
	const int32_t *tids;
	size_t ntids;
	bool has_time;
	uint64_t from_ns, to_ns;	/* since profile.run_start_real; to_ns excluded */
	const char *run_id;		/* NULL: any */
	bool quiet;			/* no messages (fuzzing) */
	unsigned max_msgs;		/* messages per file before a summary; 0: 20 */
};

/*
 * Parses one file image `buf` of `len` bytes (any alignment) named `name` in messages.
 * p->run_start_real must be set (reader_peek() of every file, or the file's own start).
 * Returns 0 if everything was read, 1 if some of it was skipped (messages printed, p->faults
 * counted), -errno if nothing of it could be used (one message printed).
 */
int reader_parse(struct profile *p, const char *name, const uint8_t *buf, size_t len,
		 const struct reader_opts *o);

/* Maps the file at `path` and parses it like reader_parse(). */
int reader_read_file(struct profile *p, const char *path, const struct reader_opts *o);

/*
 * Reads and checks only the header of `path` into *h (for choosing runs and the run's start).
 * Returns 0 or -errno; on error `why` (may be NULL) gets a static description.
 */
int reader_peek(const char *path, struct xpf_file_header *h, const char **why);

#endif /* XPROF_ANALYZER_READER_H */
