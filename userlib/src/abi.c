// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Compile-time proof that the values the library passes to the kernel
 * unchanged are the kernel's: Zircon's rights and object type equal the
 * uapi's ZXPROC_* bits, and Zircon's record layout is what callers of
 * zx_object_get_info() expect.  This file emits no code.
 */
#include <stddef.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "internal.h"

_Static_assert(ZX_RIGHT_DUPLICATE == ZXPROC_RIGHT_DUPLICATE, "DUPLICATE");
_Static_assert(ZX_RIGHT_TRANSFER == ZXPROC_RIGHT_TRANSFER, "TRANSFER");
_Static_assert(ZX_RIGHT_READ == ZXPROC_RIGHT_READ, "READ");
_Static_assert(ZX_RIGHT_WRITE == ZXPROC_RIGHT_WRITE, "WRITE");
_Static_assert(ZX_RIGHT_INSPECT == ZXPROC_RIGHT_INSPECT, "INSPECT");
_Static_assert(ZX_RIGHT_SAME_RIGHTS == ZXPROC_RIGHT_SAME_RIGHTS,
	       "SAME_RIGHTS");
_Static_assert(ZXPROC_PROCESS_RIGHTS == ZXPROC_RIGHTS_ALL,
	       "ZXPROC_PROCESS_RIGHTS is every right the kernel knows");
_Static_assert(ZX_OBJ_TYPE_PROCESS == ZXPROC_OBJ_TYPE_PROCESS, "PROCESS");

/* The seeds' limit for one memory access: 64 MiB. */
_Static_assert(ZXPROC_MAX_TRANSFER == 64ULL << 20, "64 MiB transfers");

/* Handles are fds plus one, and zx_vaddr_t fits the kernel's __u64. */
_Static_assert(sizeof(zx_handle_t) == 4, "zx_handle_t is 32 bits");
_Static_assert(sizeof(zx_vaddr_t) <= sizeof(__u64), "zx_vaddr_t fits");

/* Zircon's zx_info_handle_basic_t: 32 bytes, these offsets. */
_Static_assert(sizeof(zx_info_handle_basic_t) == 32, "record size");
_Static_assert(offsetof(zx_info_handle_basic_t, koid) == 0, "koid");
_Static_assert(offsetof(zx_info_handle_basic_t, rights) == 8, "rights");
_Static_assert(offsetof(zx_info_handle_basic_t, type) == 12, "type");
_Static_assert(offsetof(zx_info_handle_basic_t, related_koid) == 16,
	       "related_koid");
_Static_assert(offsetof(zx_info_handle_basic_t, reserved) == 24,
	       "reserved");

/*
 * Zircon's zx_info_process_t (ZX_INFO_PROCESS, __ZX_INFO_TOPIC(3u, 1u)):
 * 24 bytes, these offsets.
 */
_Static_assert(ZX_INFO_PROCESS == 0x10000003u, "ZX_INFO_PROCESS topic");
_Static_assert(sizeof(zx_info_process_t) == 24, "process record size");
_Static_assert(offsetof(zx_info_process_t, return_code) == 0, "return_code");
_Static_assert(offsetof(zx_info_process_t, start_time) == 8, "start_time");
_Static_assert(offsetof(zx_info_process_t, flags) == 16, "flags");
_Static_assert(offsetof(zx_info_process_t, padding1) == 20, "padding1");

/* The batch limits <zxproc/zxproc.h> publishes are the kernel's. */
_Static_assert(ZXPROC_MEMORY_MAX_SEGMENTS == ZXPROC_MAX_SEGMENTS,
	       "ZXPROC_MEMORY_MAX_SEGMENTS");
_Static_assert(ZXPROC_MEMORY_MAX_BYTES == ZXPROC_MAX_TRANSFER,
	       "ZXPROC_MEMORY_MAX_BYTES");

/* A batch segment has no implicit padding, on 64 and on 32 bits. */
_Static_assert(sizeof(zxproc_memory_seg_t) ==
	       3 * sizeof(void *) + 8 + sizeof(size_t), "segment size");

/*
 * The batch array the library hands the kernel: elements of the first
 * published size, which struct zxproc_memv's seg_size says.
 */
_Static_assert(sizeof(struct zxproc_seg) == ZXPROC_SEG_SIZE_VER0,
	       "struct zxproc_seg is ZXPROC_SEG_SIZE_VER0 bytes");
_Static_assert(sizeof(struct zxproc_seg) % 8 == 0 &&
	       sizeof(struct zxproc_seg) <= ZXPROC_SEG_SIZE_MAX,
	       "a seg_size the kernel takes");
