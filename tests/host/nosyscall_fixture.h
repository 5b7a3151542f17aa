/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fixture of host suites whose tests must make no system call
 * (syscall_trap.h): a handle on /dev/null, open but no process handle,
 * and a buffer; the trap is installed by the setup, after the open,
 * and the teardown fails the test if anything was trapped.
 */
#ifndef ZXPROC_TESTS_HOST_NOSYSCALL_FIXTURE_H
#define ZXPROC_TESTS_HOST_NOSYSCALL_FIXTURE_H

#include <fcntl.h>

#include <zxproc/zxproc.h>

#include "kselftest_harness.h"
#include "syscall_trap.h"

FIXTURE(nosyscall) {
	zx_handle_t devnull;
	char buf[64];
};

FIXTURE_SETUP(nosyscall)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	self->devnull = zxproc_handle_from_fd(fd);
	ASSERT_EQ(0, trap_library_syscalls());
	trapped = 0;
}

FIXTURE_TEARDOWN(nosyscall)
{
	EXPECT_EQ(0, trapped) TH_LOG("system call %d was made", trapped_nr);
}

#endif /* ZXPROC_TESTS_HOST_NOSYSCALL_FIXTURE_H */
