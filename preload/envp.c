// SPDX-License-Identifier: MIT
/*
 * envp.c - merges LD_PRELOAD and the XPROF_* variables into a child's explicit environment,
 * so a program that execs or spawns with its own envp (even an empty one) stays profiled.
 *
 * Context: called by the exec and spawn interposers, also inside vfork children and between
 * vfork and exec, where the child shares the parent's memory and stack. So everything here is
 * AS-safe and malloc-free: only the caller's arrays and buffer are written, no lock, no stdio,
 * no errno change. The string helpers are our own few loops rather than libc calls, so no
 * locale or libc internals are involved; the compiler may still turn a loop into strlen,
 * which is a pure function of the same kind (and bound at load: the library links -z now).
 *
 * Invariant: the child's own entries keep their position and value; no key appears twice in
 * what we add.
 */
#include <errno.h>

#include "envp.h"

#define LD_PRELOAD_KEY		"LD_PRELOAD"
#define LD_PRELOAD_KEYLEN	10

/* AS-safe: strlen without libc. */
static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* AS-safe: does s equal the first n bytes of p exactly (same length)? */
static int str_eq_n(const char *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != p[i] || !s[i])
			return 0;
	return s[n] == '\0';
}

/* AS-safe: length of the NAME in "NAME=VALUE", or 0 if there is no '=' or NAME is empty. */
static size_t key_len(const char *entry)
{
	size_t i;

	for (i = 0; entry[i]; i++)
		if (entry[i] == '=')
			return i;
	return 0;
}

/* AS-safe: does entry start with "NAME=" where NAME is the first len bytes of key? */
static int has_key(const char *entry, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (entry[i] != key[i])
			return 0;
	return entry[len] == '=';
}

/* AS-safe: index of the last entry of envp with that key, or -1. */
static long find_last(char *const envp[], const char *key, size_t len)
{
	long found = -1, i;

	for (i = 0; envp && envp[i]; i++)
		if (has_key(envp[i], key, len))
			found = i;
	return found;
}

/* AS-safe: is path one of the entries of an LD_PRELOAD value, split as ld.so splits it? */
static int preload_has(const char *list, const char *path)
{
	size_t plen = str_len(path);

	while (*list) {
		size_t n = 0;

		while (list[n] && list[n] != ':' && list[n] != ' ')
			n++;
		if (n == plen && str_eq_n(path, list, n))
			return 1;
		list += n;
		if (*list)
			list++;
	}
	return 0;
}

size_t envp_count(char *const envp[])
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n;
}

/* AS-safe: is ours[i] worth adding: well formed, not LD_PRELOAD, its name new to ours? */
static int ours_wanted(const char *const ours[], size_t i)
{
	size_t len = key_len(ours[i]), j;

	if (!len || (len == LD_PRELOAD_KEYLEN && has_key(ours[i], LD_PRELOAD_KEY, len)))
		return 0;
	for (j = 0; j < i; j++)
		if (has_key(ours[j], ours[i], len))
			return 0;
	return 1;
}

int envp_is_complete(char *const envp[], const char *const ours[], const char *preload_path)
{
	long at;
	size_t i;

	if (preload_path && *preload_path) {
		at = find_last(envp, LD_PRELOAD_KEY, LD_PRELOAD_KEYLEN);
		if (at < 0 || !preload_has(envp[at] + LD_PRELOAD_KEYLEN + 1, preload_path))
			return 0;
	}
	for (i = 0; ours && ours[i]; i++)
		if (ours_wanted(ours, i) && find_last(envp, ours[i], key_len(ours[i])) < 0)
			return 0;
	return 1;
}

/* AS-safe: appends s at buf[*at], bounded by cap. Returns 0 or -ENOSPC. */
static int buf_put(char *buf, size_t cap, size_t *at, const char *s)
{
	while (*s) {
		if (*at >= cap)
			return -ENOSPC;
		buf[(*at)++] = *s++;
	}
	return 0;
}

/*
 * AS-safe: writes "LD_PRELOAD=<old>:<path>" (or "LD_PRELOAD=<path>" when old is NULL or
 * empty) into buf. Returns 0 or -ENOSPC.
 */
static int preload_build(const char *old, const char *path, char *buf, size_t cap)
{
	size_t at = 0;

	if (buf_put(buf, cap, &at, LD_PRELOAD_KEY "=") < 0)
		return -ENOSPC;
	if (old && *old && (buf_put(buf, cap, &at, old) < 0 || buf_put(buf, cap, &at, ":") < 0))
		return -ENOSPC;
	if (buf_put(buf, cap, &at, path) < 0 || at >= cap)
		return -ENOSPC;
	buf[at] = '\0';
	return 0;
}

/* AS-safe: preload_path must be one ld.so entry: non-empty, no ':' or ' '. */
static int preload_path_ok(const char *path)
{
	size_t i;

	if (!path || !*path)
		return 0;
	for (i = 0; path[i]; i++)
		if (path[i] == ':' || path[i] == ' ')
			return 0;
	return 1;
}

int envp_merge(char *const envp[], const char *const ours[], const char *preload_path,
	       char **out, size_t outcap, char *buf, size_t bufsize)
{
	size_t n = envp_count(envp), i;
	long at;

	if (!preload_path_ok(preload_path))
		return -EINVAL;
	if (n >= outcap)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		out[i] = envp[i];

	at = find_last(envp, LD_PRELOAD_KEY, LD_PRELOAD_KEYLEN);
	if (at < 0 || !preload_has(envp[at] + LD_PRELOAD_KEYLEN + 1, preload_path)) {
		if (preload_build(at < 0 ? NULL : envp[at] + LD_PRELOAD_KEYLEN + 1, preload_path,
				  buf, bufsize) < 0)
			return -ENOSPC;
		if (at >= 0)
			out[at] = buf;
		else if (n + 1 >= outcap)
			return -ENOSPC;
		else
			out[n++] = buf;
	}

	for (i = 0; ours && ours[i]; i++) {
		if (!ours_wanted(ours, i) || find_last(envp, ours[i], key_len(ours[i])) >= 0)
			continue;
		if (n + 1 >= outcap)
			return -ENOSPC;
		/* execve takes char *const[]: the strings are not written through out. */
		out[n++] = (char *)ours[i];
	}
	out[n] = NULL;
	return (int)n;
}
