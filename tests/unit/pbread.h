/* SPDX-License-Identifier: MIT */
/*
 * pbread.h - reads back what the pprof writer wrote, for the unit tests: gunzip (zlib), then
 * profile.proto's messages (protobuf-c). Header-only; test code only. Needs cmocka first.
 */
#ifndef XPROF_TESTS_PBREAD_H
#define XPROF_TESTS_PBREAD_H

#include <stdint.h>
#include <zlib.h>

#include "pprof.pb-c.h"

/* The profile in gz[0..len), NULL if it does not decode; free with
 * perftools__profiles__profile__free_unpacked(). */
static inline Perftools__Profiles__Profile *pb_unpack(const char *gz, size_t len)
{
	static uint8_t raw[1 << 20];
	z_stream z = { .next_in = (uint8_t *)gz, .avail_in = (uInt)len, .next_out = raw,
		       .avail_out = sizeof(raw) };

	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	inflateEnd(&z);
	return perftools__profiles__profile__unpack(NULL, z.total_out, raw);
}

#endif /* XPROF_TESTS_PBREAD_H */
