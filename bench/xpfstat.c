// SPDX-License-Identifier: MIT
/*
 * xpfstat.c - on-disk size of xprof profile files, for the benchmark's bytes-per-sample.
 *
 *	xpfstat FILE.xpf...
 *
 * Prints one row per file: path, used bytes (blocks_used * block_size from the file header,
 * what the profile really occupies), allocated bytes (st_blocks * 512, what du shows). Reads
 * the header through include/xprof-format.h so a layout change cannot go unnoticed here.
 * Exit 0, or 1 if some file could not be read (its row is skipped).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-format.h"

static int stat_one(const char *path)
{
	struct xpf_file_header hdr;
	struct stat st;
	const char *step;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		step = "fstat";
		goto fail;
	}
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		step = "header: short read";
		goto fail;
	}
	if (memcmp(hdr.magic, XPF_MAGIC, sizeof(hdr.magic)) != 0) {
		step = "header: bad magic";
		goto fail;
	}
	printf("%s\t%llu\t%llu\n", path,
	       (unsigned long long)hdr.blocks_used * hdr.block_size,
	       (unsigned long long)st.st_blocks * 512);
	close(fd);
	return 0;
fail:
	fprintf(stderr, "xpfstat: %s: %s\n", path, step);
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	int ret = 0;

	for (int i = 1; i < argc; i++)
		if (stat_one(argv[i]) < 0)
			ret = 1;
	if (fflush(stdout) || ferror(stdout))
		return 2;
	return ret;
}
