// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public headers against Zircon's own.  Every expected number below
 * is copied by hand from Fuchsia's headers (fuchsia.googlesource.com/
 * fuchsia, zircon/system/public/zircon/), never computed from ours:
 *   rights.h          ZX_RIGHT_*, ZX_RIGHTS_*, ZX_DEFAULT_PROCESS_RIGHTS
 *   types.h           zx_handle_t, zx_status_t, zx_koid_t, zx_vaddr_t,
 *                     ZX_HANDLE_INVALID, ZX_KOID_INVALID, ZX_OBJ_TYPE_*
 *   syscalls/object.h ZX_INFO_* topics, zx_info_handle_basic_t
 * (ZX_ERR_* are checked in lib_status_test.c.)
 */
#include <stddef.h>

#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"

#define EQ(want, have) EXPECT_EQ((uint64_t)(want), (uint64_t)(have)) \
	TH_LOG("%s", #have)

/* rights.h: "#define ZX_RIGHT_DUPLICATE ((zx_rights_t)1u << 0)" etc. */
TEST(rights)
{
	EQ(0x00000000, ZX_RIGHT_NONE);
	EQ(0x00000001, ZX_RIGHT_DUPLICATE);
	EQ(0x00000002, ZX_RIGHT_TRANSFER);
	EQ(0x00000004, ZX_RIGHT_READ);
	EQ(0x00000008, ZX_RIGHT_WRITE);
	EQ(0x00000010, ZX_RIGHT_EXECUTE);
	EQ(0x00000020, ZX_RIGHT_MAP);
	EQ(0x00000040, ZX_RIGHT_GET_PROPERTY);
	EQ(0x00000080, ZX_RIGHT_SET_PROPERTY);
	EQ(0x00000100, ZX_RIGHT_ENUMERATE);
	EQ(0x00000200, ZX_RIGHT_DESTROY);
	EQ(0x00000400, ZX_RIGHT_SET_POLICY);
	EQ(0x00000800, ZX_RIGHT_GET_POLICY);
	EQ(0x00001000, ZX_RIGHT_SIGNAL);
	EQ(0x00002000, ZX_RIGHT_SIGNAL_PEER);
	EQ(0x00004000, ZX_RIGHT_WAIT);
	EQ(0x00008000, ZX_RIGHT_INSPECT);
	EQ(0x00010000, ZX_RIGHT_MANAGE_JOB);
	EQ(0x00020000, ZX_RIGHT_MANAGE_PROCESS);
	EQ(0x00040000, ZX_RIGHT_MANAGE_THREAD);
	EQ(0x00080000, ZX_RIGHT_APPLY_PROFILE);
	EQ(0x80000000, ZX_RIGHT_SAME_RIGHTS);
	EXPECT_EQ(4u, sizeof(zx_rights_t));
}

/* rights.h: the groups, as Zircon spells them out. */
TEST(right_groups)
{
	EQ(0x0000c003, ZX_RIGHTS_BASIC);	/* TRANSFER DUPLICATE WAIT INSPECT */
	EQ(0x0000000c, ZX_RIGHTS_IO);		/* READ WRITE */
	EQ(0x000000c0, ZX_RIGHTS_PROPERTY);	/* GET_ SET_PROPERTY */
	EQ(0x00000c00, ZX_RIGHTS_POLICY);	/* GET_ SET_POLICY */
	EQ(0x0006d3cf, ZX_DEFAULT_PROCESS_RIGHTS);
	/* zxproc's own: DUPLICATE TRANSFER READ WRITE INSPECT. */
	EQ(0x0000800f, ZXPROC_PROCESS_RIGHTS);
}

/* types.h */
TEST(types)
{
	EXPECT_EQ(4u, sizeof(zx_handle_t));
	EXPECT_EQ((zx_handle_t)-1 > 0, 1);	/* uint32_t */
	EXPECT_EQ(4u, sizeof(zx_status_t));
	EXPECT_EQ((zx_status_t)-1 < 0, 1);	/* int32_t */
	EXPECT_EQ(8u, sizeof(zx_koid_t));
	EXPECT_EQ((zx_koid_t)-1 > 0, 1);	/* uint64_t */
	EXPECT_EQ(sizeof(uintptr_t), sizeof(zx_vaddr_t));
	EXPECT_EQ(4u, sizeof(zx_obj_type_t));
	EQ(0, ZX_HANDLE_INVALID);
	EQ(0, ZX_KOID_INVALID);
}

/* types.h: "#define ZX_OBJ_TYPE_PROCESS ((zx_obj_type_t)1u)" etc. */
TEST(object_types)
{
	EQ(0, ZX_OBJ_TYPE_NONE);
	EQ(1, ZX_OBJ_TYPE_PROCESS);
	EQ(2, ZX_OBJ_TYPE_THREAD);
	EQ(3, ZX_OBJ_TYPE_VMO);
	EQ(4, ZX_OBJ_TYPE_CHANNEL);
	EQ(5, ZX_OBJ_TYPE_EVENT);
	EQ(6, ZX_OBJ_TYPE_PORT);
	EQ(9, ZX_OBJ_TYPE_INTERRUPT);
	EQ(11, ZX_OBJ_TYPE_PCI_DEVICE);
	EQ(12, ZX_OBJ_TYPE_DEBUGLOG);
	EQ(12, ZX_OBJ_TYPE_LOG);
	EQ(14, ZX_OBJ_TYPE_SOCKET);
	EQ(15, ZX_OBJ_TYPE_RESOURCE);
	EQ(16, ZX_OBJ_TYPE_EVENTPAIR);
	EQ(17, ZX_OBJ_TYPE_JOB);
	EQ(18, ZX_OBJ_TYPE_VMAR);
	EQ(19, ZX_OBJ_TYPE_FIFO);
	EQ(20, ZX_OBJ_TYPE_GUEST);
	EQ(21, ZX_OBJ_TYPE_VCPU);
	EQ(22, ZX_OBJ_TYPE_TIMER);
	EQ(23, ZX_OBJ_TYPE_IOMMU);
	EQ(24, ZX_OBJ_TYPE_BTI);
	EQ(25, ZX_OBJ_TYPE_PROFILE);
	EQ(26, ZX_OBJ_TYPE_PMT);
	EQ(27, ZX_OBJ_TYPE_SUSPEND_TOKEN);
	EQ(28, ZX_OBJ_TYPE_PAGER);
	EQ(29, ZX_OBJ_TYPE_EXCEPTION);
	EQ(30, ZX_OBJ_TYPE_CLOCK);
	EQ(31, ZX_OBJ_TYPE_STREAM);
	EQ(32, ZX_OBJ_TYPE_MSI);
	EQ(64, ZX_OBJ_TYPE_UPPER_BOUND);
}

/* syscalls/object.h: topics and the zx_info_handle_basic_t record. */
TEST(handle_basic_record)
{
	EQ(0, ZX_INFO_NONE);
	EQ(1, ZX_INFO_HANDLE_VALID);
	EQ(2, ZX_INFO_HANDLE_BASIC);
	/* koid u64, rights u32, type u32, related_koid u64,
	 * reserved u32, padding1[4]: 32 bytes. */
	EXPECT_EQ(32u, sizeof(zx_info_handle_basic_t));
	EXPECT_EQ(0u, offsetof(zx_info_handle_basic_t, koid));
	EXPECT_EQ(8u, offsetof(zx_info_handle_basic_t, rights));
	EXPECT_EQ(12u, offsetof(zx_info_handle_basic_t, type));
	EXPECT_EQ(16u, offsetof(zx_info_handle_basic_t, related_koid));
	EXPECT_EQ(24u, offsetof(zx_info_handle_basic_t, reserved));
	EXPECT_EQ(28u, offsetof(zx_info_handle_basic_t, padding1));
}

TEST_HARNESS_MAIN
