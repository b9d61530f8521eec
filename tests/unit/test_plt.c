// SPDX-License-Identifier: MIT
/*
 * test_plt.c - analyzer/plt.c on this test program's own file: its calls into cmocka and the
 * C library go through PLT stubs, which get "name@plt" names, one per 16-byte stub in the
 * order of .rela.plt (objdump -d -j .plt names them the same); addresses outside the stubs
 * get none, and a file that is no ELF gives an empty table.
 *
 * Context: test program, analyzer library.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gelf.h>

#include "plt.h"

static void test_own_plt(void **state)
{
	struct strtab strs;
	struct plt_table t;
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf *elf;
	bool found = false;

	(void)state;
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	strtab_init(&strs);
	plt_build(&t, elf, &strs);
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++) {
		const char *n = t.names[i] ? strtab_get(&strs, t.names[i]) : "";

		assert_int_equal(plt_name(&t, t.lo + 16 * i), t.names[i]);
		assert_int_equal(plt_name(&t, t.lo + 16 * i + 15), t.names[i]);
		if (!strcmp(n, "_cmocka_run_group_tests@plt"))
			found = true;
	}
	assert_true(found);
	assert_int_equal(plt_name(&t, t.lo - 1), 0);
	assert_int_equal(plt_name(&t, t.lo + 16 * t.n), 0);
	plt_fini(&t);
	elf_end(elf);
	close(fd);

	plt_build(&t, NULL, &strs);
	assert_int_equal(t.n, 0);
	assert_int_equal(plt_name(&t, 0x1000), 0);
	strtab_fini(&strs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_plt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
