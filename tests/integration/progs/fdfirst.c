/* SPDX-License-Identifier: MIT */
/*
 * fdfirst: prints the descriptor numbers that open("/dev/null") and pipe() return first and
 * then the list of open descriptors below 1000 (from /proc/self/fd), burns 0.2 s, exits 0.
 * Programs may rely on getting the lowest free numbers: a profiler's descriptors must not
 * take them.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spin.h"

int main(void)
{
	int fd = open("/dev/null", O_RDONLY), p[2];
	struct dirent *e;
	DIR *d;

	if (fd < 0 || pipe(p) != 0)
		return 1;
	printf("open %d pipe %d %d\nlow:", fd, p[0], p[1]);
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 1000 && atoi(e->d_name) != dirfd(d))
			printf(" %s", e->d_name);
	printf("\n");
	if (d)
		closedir(d);
	SPIN_CPU(200 * 1000000LL);
	return 0;
}
