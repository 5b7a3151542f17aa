// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VMO column of the library's one errno table (status.c), written
 * out independently: what each errno of the file calls on a memfd means
 * for a VMO, zx_vmo_write's seed above all (EFAULT, the caller's buffer
 * not mapped, is ZX_ERR_NOT_FOUND there; EBADF, the descriptor's access
 * mode refusing, is ZX_ERR_ACCESS_DENIED).  Every other errno is
 * ZX_ERR_INTERNAL.
 */
#include <errno.h>

#include <zircon/errors.h>

#include "kselftest_harness.h"

/* The library's private table, linked from the static library. */
#include "../../userlib/src/internal.h"

static const struct {
	int err;
	zx_status_t on_vmo;
} expected_rows[] = {
	{ EFAULT,	ZX_ERR_NOT_FOUND },
	{ EBADF,	ZX_ERR_ACCESS_DENIED },
	{ EPERM,	ZX_ERR_ACCESS_DENIED },
	{ EACCES,	ZX_ERR_ACCESS_DENIED },
	{ ENOTTY,	ZX_ERR_WRONG_TYPE },
	{ EINVAL,	ZX_ERR_INVALID_ARGS },
	{ E2BIG,	ZX_ERR_INVALID_ARGS },
	{ EFBIG,	ZX_ERR_OUT_OF_RANGE },
	{ ENOMEM,	ZX_ERR_NO_MEMORY },
	{ ENOSPC,	ZX_ERR_NO_MEMORY },
	{ EMFILE,	ZX_ERR_NO_RESOURCES },
	{ ENFILE,	ZX_ERR_NO_RESOURCES },
	{ EIO,		ZX_ERR_IO },
	{ EOPNOTSUPP,	ZX_ERR_NOT_SUPPORTED },
	{ ENOENT,	ZX_ERR_NOT_SUPPORTED },
	{ ENODEV,	ZX_ERR_NOT_SUPPORTED },
	{ ENXIO,	ZX_ERR_NOT_SUPPORTED },
	{ ENOSYS,	ZX_ERR_NOT_SUPPORTED },
};
#define NR_ROWS (sizeof(expected_rows) / sizeof(expected_rows[0]))

TEST(vmo_column_rows)
{
	for (size_t i = 0; i < NR_ROWS; i++) {
		EXPECT_EQ(expected_rows[i].on_vmo,
			  zxp_status_from_errno(ZXP_ON_VMO,
						expected_rows[i].err))
			TH_LOG("errno %d on a VMO", expected_rows[i].err);
	}
}

/* ESRCH and ESTALE name processes; EINTR is retried, never mapped. */
TEST(vmo_column_has_no_other_rows)
{
	for (int err = 0; err < 4096; err++) {
		int listed = 0;

		for (size_t i = 0; i < NR_ROWS; i++)
			listed |= expected_rows[i].err == err;
		if (listed)
			continue;
		EXPECT_EQ(ZX_ERR_INTERNAL, zxp_status_from_errno(ZXP_ON_VMO, err))
			TH_LOG("errno %d", err);
	}
	EXPECT_EQ(ZX_ERR_INTERNAL, zxp_status_from_errno(ZXP_ON_VMO, ESRCH));
	EXPECT_EQ(ZX_ERR_INTERNAL, zxp_status_from_errno(ZXP_ON_VMO, ESTALE));
}

/* The columns before it did not change meaning for the new rows. */
TEST(new_rows_are_internal_elsewhere)
{
	const int vmo_only[] = { EFBIG, ENOSPC, ENOSYS };

	for (size_t i = 0; i < sizeof(vmo_only) / sizeof(vmo_only[0]); i++) {
		EXPECT_EQ(ZX_ERR_INTERNAL,
			  zxp_status_from_errno(ZXP_ON_PROCESS, vmo_only[i]));
		EXPECT_EQ(ZX_ERR_INTERNAL,
			  zxp_status_from_errno(ZXP_ON_HANDLE, vmo_only[i]));
	}
}

TEST_HARNESS_MAIN
