/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Zircon's basic types, with Zircon's widths and values (Fuchsia's
 * zircon/system/public/zircon/types.h), as libzxproc defines them on
 * Linux.
 *
 * A zx_handle_t here is a file descriptor plus one, so that
 * ZX_HANDLE_INVALID (0) never names a live handle, even while file
 * descriptor 0 is closed and the kernel could hand it out again.
 * zxproc_handle_fd() and zxproc_handle_from_fd() in <zxproc/zxproc.h>
 * convert.
 */
#ifndef ZXPROC_ZIRCON_TYPES_H
#define ZXPROC_ZIRCON_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include <zircon/errors.h>
#include <zircon/rights.h>

typedef uint32_t zx_handle_t;
#define ZX_HANDLE_INVALID	((zx_handle_t)0)

/* ZX_OK or one of the negative ZX_ERR_* codes of <zircon/errors.h>. */
typedef int32_t zx_status_t;

/* An address in some process's address space. */
typedef uintptr_t zx_vaddr_t;

/* A point in time, in nanoseconds (Zircon's ZX_CLOCK_MONOTONIC). */
typedef int64_t zx_time_t;

/*
 * Kernel object id.  For a process handle it is the process id, for a
 * VMO handle the inode number of its memfd.
 */
typedef uint64_t zx_koid_t;
#define ZX_KOID_INVALID		((uint64_t)0)

typedef uint32_t zx_obj_type_t;
#define ZX_OBJ_TYPE_NONE		((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_PROCESS		((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD		((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO			((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_CHANNEL		((zx_obj_type_t)4u)
#define ZX_OBJ_TYPE_EVENT		((zx_obj_type_t)5u)
#define ZX_OBJ_TYPE_PORT		((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_INTERRUPT		((zx_obj_type_t)9u)
#define ZX_OBJ_TYPE_PCI_DEVICE		((zx_obj_type_t)11u)
#define ZX_OBJ_TYPE_DEBUGLOG		((zx_obj_type_t)12u)
#define ZX_OBJ_TYPE_SOCKET		((zx_obj_type_t)14u)
#define ZX_OBJ_TYPE_RESOURCE		((zx_obj_type_t)15u)
#define ZX_OBJ_TYPE_EVENTPAIR		((zx_obj_type_t)16u)
#define ZX_OBJ_TYPE_JOB			((zx_obj_type_t)17u)
#define ZX_OBJ_TYPE_VMAR		((zx_obj_type_t)18u)
#define ZX_OBJ_TYPE_FIFO		((zx_obj_type_t)19u)
#define ZX_OBJ_TYPE_GUEST		((zx_obj_type_t)20u)
#define ZX_OBJ_TYPE_VCPU		((zx_obj_type_t)21u)
#define ZX_OBJ_TYPE_TIMER		((zx_obj_type_t)22u)
#define ZX_OBJ_TYPE_IOMMU		((zx_obj_type_t)23u)
#define ZX_OBJ_TYPE_BTI			((zx_obj_type_t)24u)
#define ZX_OBJ_TYPE_PROFILE		((zx_obj_type_t)25u)
#define ZX_OBJ_TYPE_PMT			((zx_obj_type_t)26u)
#define ZX_OBJ_TYPE_SUSPEND_TOKEN	((zx_obj_type_t)27u)
#define ZX_OBJ_TYPE_PAGER		((zx_obj_type_t)28u)
#define ZX_OBJ_TYPE_EXCEPTION		((zx_obj_type_t)29u)
#define ZX_OBJ_TYPE_CLOCK		((zx_obj_type_t)30u)
#define ZX_OBJ_TYPE_STREAM		((zx_obj_type_t)31u)
#define ZX_OBJ_TYPE_MSI			((zx_obj_type_t)32u)
#define ZX_OBJ_TYPE_LOG			ZX_OBJ_TYPE_DEBUGLOG
#define ZX_OBJ_TYPE_UPPER_BOUND		((zx_obj_type_t)64u)

/* Longest object name, its terminating NUL included (zx_info_maps_t). */
#define ZX_MAX_NAME_LEN			((size_t)32u)

/* Mapping options; the protections are zx_info_maps_t's mmu_flags. */
typedef uint32_t zx_vm_option_t;
#define ZX_VM_PERM_READ			((zx_vm_option_t)(1u << 0))
#define ZX_VM_PERM_WRITE		((zx_vm_option_t)(1u << 1))
#define ZX_VM_PERM_EXECUTE		((zx_vm_option_t)(1u << 2))

/* zx_vmo_create() options: the only one libzxproc accepts. */
#define ZX_VMO_RESIZABLE		((uint32_t)1u << 1)

#endif /* ZXPROC_ZIRCON_TYPES_H */
