// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * On the host (no module): zx_object_get_info(ZX_INFO_PROCESS_MAPS)'s
 * Zircon values and record layout, the ZXPROC_MEMORY_NO_FAULT option's
 * argument checks, and that each refusal comes before any system call
 * (the seccomp trap of syscall_trap.h): a NULL buffer with a size, a
 * write with NO_FAULT (single and batch), unknown options.  A
 * descriptor that is no handle answers BAD_HANDLE, a VMO WRONG_TYPE.
 * tests/module/maps_test.c and nofault_test.c have the kernel's side,
 * tests/userlib/maps_nofault_test.c the library's, in the guest.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/zxproc.h>
#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"
#include "nosyscall_fixture.h"

/*
 * Fuchsia's zircon/system/public/zircon/syscalls/object.h and types.h:
 * ZX_INFO_PROCESS_MAPS is 13u; zx_info_maps_t is { char name[32];
 * zx_vaddr_t base; size_t size; size_t depth; zx_info_maps_type_t type;
 * uint8_t padding1[4]; union { zx_info_maps_mapping_t mapping; } u; },
 * the mapping { zx_vm_option_t mmu_flags; uint8_t padding1[4];
 * zx_koid_t vmo_koid; uint64_t vmo_offset; size_t committed_pages; }.
 */
TEST(zircon_values)
{
	EXPECT_EQ(13u, ZX_INFO_PROCESS_MAPS);
	EXPECT_EQ(32u, ZX_MAX_NAME_LEN);
	EXPECT_EQ(1u, ZX_VM_PERM_READ);
	EXPECT_EQ(2u, ZX_VM_PERM_WRITE);
	EXPECT_EQ(4u, ZX_VM_PERM_EXECUTE);
	EXPECT_EQ(0u, ZX_INFO_MAPS_TYPE_NONE);
	EXPECT_EQ(1u, ZX_INFO_MAPS_TYPE_ASPACE);
	EXPECT_EQ(2u, ZX_INFO_MAPS_TYPE_VMAR);
	EXPECT_EQ(3u, ZX_INFO_MAPS_TYPE_MAPPING);
	EXPECT_EQ(32u, sizeof(zx_info_maps_mapping_t));
	EXPECT_EQ(8u, offsetof(zx_info_maps_mapping_t, vmo_koid));
	EXPECT_EQ(16u, offsetof(zx_info_maps_mapping_t, vmo_offset));
	EXPECT_EQ(24u, offsetof(zx_info_maps_mapping_t, committed_pages));
	EXPECT_EQ(96u, sizeof(zx_info_maps_t));
	EXPECT_EQ(32u, offsetof(zx_info_maps_t, base));
	EXPECT_EQ(40u, offsetof(zx_info_maps_t, size));
	EXPECT_EQ(48u, offsetof(zx_info_maps_t, depth));
	EXPECT_EQ(56u, offsetof(zx_info_maps_t, type));
	EXPECT_EQ(64u, offsetof(zx_info_maps_t, u.mapping));
	/* The library's option and the kernel's flag are the same bit. */
	EXPECT_EQ(ZXPROC_MEM_NO_FAULT, ZXPROC_MEMORY_NO_FAULT);
	/* The uapi record: its first published size. */
	EXPECT_EQ(ZXPROC_MAP_SIZE_VER0, sizeof(struct zxproc_map));
	EXPECT_EQ(40u, sizeof(struct zxproc_maps));
}

/* The trap sees the topic's calls, so the tests below mean something. */
TEST_F(nosyscall, trap_sees_library_calls)
{
	size_t actual = 7, avail = 7;

	EXPECT_NE(ZX_OK, zx_object_get_info(self->devnull, ZX_INFO_PROCESS_MAPS,
					    NULL, 0, &actual, &avail));
	EXPECT_LE(1, trapped);
	trapped = 0;
}

/* Zircon's rule: a NULL buffer with a size is INVALID_ARGS. */
TEST_F(nosyscall, maps_null_buffer_with_size)
{
	size_t actual = 7, avail = 7;

	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(self->devnull, ZX_INFO_PROCESS_MAPS, NULL,
				     sizeof(zx_info_maps_t), &actual, &avail));
	EXPECT_EQ(7u, actual);
	EXPECT_EQ(7u, avail);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_PROCESS_MAPS,
				     NULL, 1, NULL, NULL));
}

/* NO_FAULT is for reads: a write with it fails before any call. */
TEST_F(nosyscall, write_refuses_no_fault)
{
	zxproc_memory_seg_t seg = {
		.vaddr = 0x1000, .buffer = self->buf, .size = 8,
		.status = 77, .actual = 77,
	};
	size_t actual = 77;

	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(self->devnull, 0x1000,
						 self->buf, 8,
						 ZXPROC_MEMORY_NO_FAULT,
						 &actual));
	EXPECT_EQ(77u, actual);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(self->devnull, 0x1000,
						 self->buf, 8,
						 ZXPROC_MEMORY_NO_FAULT |
						 ZXPROC_MEMORY_ALL_OR_NOTHING,
						 &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_batch(self->devnull, &seg, 1,
						    ZXPROC_MEMORY_NO_FAULT,
						    &actual));
	EXPECT_EQ(77, seg.status);
	EXPECT_EQ(77u, seg.actual);
	EXPECT_EQ(77u, actual);
}

/* Unknown options next to NO_FAULT, and NO_FAULT's own argument rules. */
TEST_F(nosyscall, read_arguments)
{
	zxproc_memory_seg_t seg = { .vaddr = 0x1000, .buffer = NULL, .size = 8 };
	size_t actual = 77;

	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_ex(self->devnull, 0x1000,
						self->buf, 8,
						ZXPROC_MEMORY_NO_FAULT | 0x20u,
						&actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_ex(self->devnull, 0x1000, NULL, 8,
						ZXPROC_MEMORY_NO_FAULT,
						&actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_ex(self->devnull, 0x1000,
						self->buf, 8,
						ZXPROC_MEMORY_NO_FAULT, NULL));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_batch(self->devnull, &seg, 1,
						   ZXPROC_MEMORY_NO_FAULT,
						   &actual));
	EXPECT_EQ(77u, actual);
}

/* A descriptor that is no handle, and a VMO, for the maps topic. */
TEST(maps_wrong_descriptors)
{
	zx_info_maps_t rec[4];
	size_t actual = 7, avail = 7;
	zx_handle_t vmo;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(zxproc_handle_from_fd(fd),
				     ZX_INFO_PROCESS_MAPS, rec, sizeof(rec),
				     &actual, &avail));
	close(fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_PROCESS_MAPS,
				     rec, sizeof(rec), &actual, &avail));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4096, 0, &vmo));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(vmo, ZX_INFO_PROCESS_MAPS, rec,
				     sizeof(rec), &actual, &avail));
	EXPECT_EQ(7u, actual);
	EXPECT_EQ(7u, avail);
	zx_handle_close(vmo);
}

TEST_HARNESS_MAIN
