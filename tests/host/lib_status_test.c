// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Status codes: every ZX_ERR_* has Zircon's number, every one has its
 * name in zx_status_get_string(), and the library's one errno table
 * maps each kernel errno as the design says, row by row.
 */
#include <errno.h>
#include <limits.h>

#include <zircon/errors.h>
#include <zircon/status.h>

#include "kselftest_harness.h"

/* The library's private table, linked from the static library. */
#include "../../userlib/src/internal.h"

/*
 * Zircon's status codes, numbers copied by hand from Fuchsia's
 * zircon/system/public/zircon/errors.h (fuchsia.googlesource.com/
 * fuchsia, the "ZX_ERR_*" #defines; -5 was ZX_ERR_CALL_FAILED and is
 * retired).
 */
#define ROW(name, number) { name, number, #name }
static const struct {
	zx_status_t macro;
	int number;
	const char *name;
} zircon_statuses[] = {
	ROW(ZX_OK, 0),
	ROW(ZX_ERR_INTERNAL, -1),
	ROW(ZX_ERR_NOT_SUPPORTED, -2),
	ROW(ZX_ERR_NO_RESOURCES, -3),
	ROW(ZX_ERR_NO_MEMORY, -4),
	ROW(ZX_ERR_INTERNAL_INTR_RETRY, -6),
	ROW(ZX_ERR_INVALID_ARGS, -10),
	ROW(ZX_ERR_BAD_HANDLE, -11),
	ROW(ZX_ERR_WRONG_TYPE, -12),
	ROW(ZX_ERR_BAD_SYSCALL, -13),
	ROW(ZX_ERR_OUT_OF_RANGE, -14),
	ROW(ZX_ERR_BUFFER_TOO_SMALL, -15),
	ROW(ZX_ERR_BAD_STATE, -20),
	ROW(ZX_ERR_TIMED_OUT, -21),
	ROW(ZX_ERR_SHOULD_WAIT, -22),
	ROW(ZX_ERR_CANCELED, -23),
	ROW(ZX_ERR_PEER_CLOSED, -24),
	ROW(ZX_ERR_NOT_FOUND, -25),
	ROW(ZX_ERR_ALREADY_EXISTS, -26),
	ROW(ZX_ERR_ALREADY_BOUND, -27),
	ROW(ZX_ERR_UNAVAILABLE, -28),
	ROW(ZX_ERR_ACCESS_DENIED, -30),
	ROW(ZX_ERR_IO, -40),
	ROW(ZX_ERR_IO_REFUSED, -41),
	ROW(ZX_ERR_IO_DATA_INTEGRITY, -42),
	ROW(ZX_ERR_IO_DATA_LOSS, -43),
	ROW(ZX_ERR_IO_NOT_PRESENT, -44),
	ROW(ZX_ERR_IO_OVERRUN, -45),
	ROW(ZX_ERR_IO_MISSED_DEADLINE, -46),
	ROW(ZX_ERR_IO_INVALID, -47),
	ROW(ZX_ERR_BAD_PATH, -50),
	ROW(ZX_ERR_NOT_DIR, -51),
	ROW(ZX_ERR_NOT_FILE, -52),
	ROW(ZX_ERR_FILE_BIG, -53),
	ROW(ZX_ERR_NO_SPACE, -54),
	ROW(ZX_ERR_NOT_EMPTY, -55),
	ROW(ZX_ERR_STOP, -60),
	ROW(ZX_ERR_NEXT, -61),
	ROW(ZX_ERR_ASYNC, -62),
	ROW(ZX_ERR_PROTOCOL_NOT_SUPPORTED, -70),
	ROW(ZX_ERR_ADDRESS_UNREACHABLE, -71),
	ROW(ZX_ERR_ADDRESS_IN_USE, -72),
	ROW(ZX_ERR_NOT_CONNECTED, -73),
	ROW(ZX_ERR_CONNECTION_REFUSED, -74),
	ROW(ZX_ERR_CONNECTION_RESET, -75),
	ROW(ZX_ERR_CONNECTION_ABORTED, -76),
	ROW(ZX_ERR_INTERNAL_INTR_KILLED, -502),
};
#define NR_STATUSES (sizeof(zircon_statuses) / sizeof(zircon_statuses[0]))

TEST(values_are_zircons)
{
	size_t i;

	for (i = 0; i < NR_STATUSES; i++) {
		EXPECT_EQ(zircon_statuses[i].number, zircon_statuses[i].macro)
			TH_LOG("%s", zircon_statuses[i].name);
	}
}

TEST(every_status_has_its_name)
{
	size_t i;

	for (i = 0; i < NR_STATUSES; i++) {
		EXPECT_STREQ(zircon_statuses[i].name,
			     zx_status_get_string(zircon_statuses[i].number));
	}
}

/* Any value that is not a status gets Zircon's "(UNKNOWN)". */
TEST(unknown_statuses)
{
	int v;
	size_t i;

	for (v = -1000; v <= 1000; v++) {
		int known = 0;

		for (i = 0; i < NR_STATUSES; i++)
			known |= zircon_statuses[i].number == v;
		if (!known) {
			EXPECT_STREQ("(UNKNOWN)", zx_status_get_string(v))
				TH_LOG("status %d", v);
		}
	}
	EXPECT_STREQ("(UNKNOWN)", zx_status_get_string(INT_MIN));
	EXPECT_STREQ("(UNKNOWN)", zx_status_get_string(INT_MAX));
}

/*
 * The design's mapping, written out independently of the library's
 * table: errno, status when acting on a process, status when acting on
 * any handle.  The meaning of each errno is the uapi header's.
 */
static const struct {
	int err;
	zx_status_t on_process, on_handle;
} expected_rows[] = {
	{ ESRCH,	ZX_ERR_NOT_FOUND,	ZX_ERR_NOT_FOUND },
	{ ESTALE,	ZX_ERR_BAD_STATE,	ZX_ERR_BAD_STATE },
	{ EIO,		ZX_ERR_BAD_STATE,	ZX_ERR_BAD_STATE },
	{ EOPNOTSUPP,	ZX_ERR_WRONG_TYPE,	ZX_ERR_WRONG_TYPE },
	{ EAGAIN,	ZX_ERR_SHOULD_WAIT,	ZX_ERR_INTERNAL },
	{ ENOTTY,	ZX_ERR_WRONG_TYPE,	ZX_ERR_BAD_HANDLE },
	{ EBADF,	ZX_ERR_BAD_HANDLE,	ZX_ERR_BAD_HANDLE },
	{ EPERM,	ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED },
	{ EACCES,	ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED },
	{ EINVAL,	ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS },
	{ E2BIG,	ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS },
	{ EFAULT,	ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS },
	{ ENOMEM,	ZX_ERR_NO_MEMORY,	ZX_ERR_NO_MEMORY },
	{ EMFILE,	ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES },
	{ ENFILE,	ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES },
	{ ENOENT,	ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED },
	{ ENODEV,	ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED },
	{ ENXIO,	ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED },
};
#define NR_ROWS (sizeof(expected_rows) / sizeof(expected_rows[0]))

TEST(errno_table_rows)
{
	size_t i;

	for (i = 0; i < NR_ROWS; i++) {
		EXPECT_EQ(expected_rows[i].on_process,
			  zxp_status_from_errno(ZXP_ON_PROCESS,
						expected_rows[i].err))
			TH_LOG("errno %d on a process", expected_rows[i].err);
		EXPECT_EQ(expected_rows[i].on_handle,
			  zxp_status_from_errno(ZXP_ON_HANDLE,
						expected_rows[i].err))
			TH_LOG("errno %d on a handle", expected_rows[i].err);
	}
}

/*
 * Every other errno is one the kernel does not document: INTERNAL.
 * EINTR among them, since the library retries it and never maps it.
 */
TEST(errno_table_has_no_other_rows)
{
	int err;
	size_t i;

	for (err = 0; err < 4096; err++) {
		int listed = 0;

		for (i = 0; i < NR_ROWS; i++)
			listed |= expected_rows[i].err == err;
		if (listed)
			continue;
		EXPECT_EQ(ZX_ERR_INTERNAL,
			  zxp_status_from_errno(ZXP_ON_PROCESS, err))
			TH_LOG("errno %d", err);
		EXPECT_EQ(ZX_ERR_INTERNAL,
			  zxp_status_from_errno(ZXP_ON_HANDLE, err))
			TH_LOG("errno %d", err);
	}
	EXPECT_EQ(ZX_ERR_INTERNAL, zxp_status_from_errno(ZXP_ON_PROCESS, EINTR));
	EXPECT_EQ(ZX_ERR_INTERNAL, zxp_status_from_errno(ZXP_ON_COUNT, EBADF));
	EXPECT_EQ(ZX_ERR_INTERNAL, zxp_status_from_errno((enum zxp_on)-1, EBADF));
}

TEST_HARNESS_MAIN
