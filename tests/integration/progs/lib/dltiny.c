/* SPDX-License-Identifier: MIT */
/* dltiny.c - libdltiny.so, a tiny library that the dlopen stress test loads and unloads. */
int dltiny_fn(int x);

int dltiny_fn(int x)
{
	return x * 3 + 1;
}
