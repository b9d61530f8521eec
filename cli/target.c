// SPDX-License-Identifier: MIT
/*
 * target.c - finds the program `xprof record` runs and checks that LD_PRELOAD can reach it
 * (see target.h). Runs in the xprof process only, before it forks. Reads the program's ELF
 * header, program headers and "#!" line; never runs it.
 */
#include "target.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_SCRIPT_DEPTH	4	/* nested "#!" interpreters, as the kernel allows */

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int target_find(const char *cmd, char *path, size_t n)
{
	const char *dirs = getenv("PATH"), *p;
	bool found = false;

	if (strchr(cmd, '/')) {
		snprintf(path, n, "%s", cmd);
		return access(cmd, F_OK) ? -ENOENT : is_exec_file(cmd) ? 0 : -EACCES;
	}
	for (p = dirs && *dirs ? dirs : "/usr/local/bin:/usr/bin:/bin"; ; p++) {
		size_t len = strcspn(p, ":");

		/* An empty PATH entry is the current directory, as for execvp. */
		snprintf(path, n, "%.*s%s%s", (int)len, len ? p : ".", "/", cmd);
		if (is_exec_file(path))
			return 0;
		found |= access(path, F_OK) == 0;
		p += len;
		if (!*p)
			break;
	}
	return found ? -EACCES : -ENOENT;
}

/* Whether the loader would run the program in secure mode (and so ignore LD_PRELOAD). */
static bool secure_mode(const char *path, const struct stat *st)
{
	if ((st->st_mode & S_ISUID) && st->st_uid != geteuid())
		return true;
	if ((st->st_mode & S_ISGID) && st->st_gid != getegid())
		return true;
	return getxattr(path, "security.capability", NULL, 0) > 0;
}

/* Has a PT_INTERP among its program headers: the dynamic loader will run. */
static const char *check_elf64(int fd, const Elf64_Ehdr *eh)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh->e_phoff + (uint64_t)i * eh->e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			return "cannot read its ELF program headers";
		if (ph.p_type == PT_INTERP)
			return NULL;
	}
	return "statically linked: no dynamic loader reads LD_PRELOAD, so libxprof.so cannot "
	       "be loaded into it";
}

/* The interpreter of a "#!" line in buf (changed in place), or NULL. */
static char *script_interp(char *buf)
{
	char *p = buf + 2;

	p += strspn(p, " \t");
	p[strcspn(p, " \t\n")] = '\0';
	return *p ? p : NULL;
}

static const char *refusal(const char *path, int depth)
{
	union {
		Elf64_Ehdr eh;
		char text[256];
	} u;
	struct stat st;
	const char *why;
	ssize_t n;
	int fd;

	if (stat(path, &st) < 0)
		return "cannot be found";
	if (secure_mode(path, &st))
		return "setuid, setgid or with file capabilities: the loader ignores LD_PRELOAD "
		       "for it";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "cannot be read to check it";
	memset(&u, 0, sizeof(u));
	n = pread(fd, &u, sizeof(u) - 1, 0);
	if (n >= 2 && u.text[0] == '#' && u.text[1] == '!') {
		char *interp = script_interp(u.text);

		close(fd);
		if (!interp || depth >= MAX_SCRIPT_DEPTH)
			return "a script without a usable interpreter";
		return refusal(interp, depth + 1);
	}
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(u.eh.e_ident, ELFMAG, SELFMAG))
		why = NULL;	/* not ELF: let exec say what it is */
	else if (u.eh.e_ident[EI_CLASS] != ELFCLASS64)
		why = "a 32-bit program: libxprof.so is 64-bit";
	else
		why = check_elf64(fd, &u.eh);
	close(fd);
	return why;
}

const char *target_refusal(const char *path)
{
	return refusal(path, 0);
}
