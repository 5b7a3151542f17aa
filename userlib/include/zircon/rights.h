/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Zircon's handle rights, with Zircon's bit values (Fuchsia's
 * zircon/system/public/zircon/rights.h).  The zxproc kernel module uses
 * the same bits, so a rights mask passes to the kernel unchanged.  A
 * process handle can carry only ZX_RIGHT_DUPLICATE, ZX_RIGHT_TRANSFER,
 * ZX_RIGHT_READ, ZX_RIGHT_WRITE and ZX_RIGHT_INSPECT (ZXPROC_PROCESS_RIGHTS
 * in <zxproc/zxproc.h>), a VMO handle those of ZX_DEFAULT_VMO_RIGHTS; the
 * other bits are defined so that Zircon code compiles, and are refused.
 */
#ifndef ZXPROC_ZIRCON_RIGHTS_H
#define ZXPROC_ZIRCON_RIGHTS_H

#include <stdint.h>

typedef uint32_t zx_rights_t;

#define ZX_RIGHT_NONE			((zx_rights_t)0u)
#define ZX_RIGHT_DUPLICATE		((zx_rights_t)1u << 0)
#define ZX_RIGHT_TRANSFER		((zx_rights_t)1u << 1)
#define ZX_RIGHT_READ			((zx_rights_t)1u << 2)
#define ZX_RIGHT_WRITE			((zx_rights_t)1u << 3)
#define ZX_RIGHT_EXECUTE		((zx_rights_t)1u << 4)
#define ZX_RIGHT_MAP			((zx_rights_t)1u << 5)
#define ZX_RIGHT_GET_PROPERTY		((zx_rights_t)1u << 6)
#define ZX_RIGHT_SET_PROPERTY		((zx_rights_t)1u << 7)
#define ZX_RIGHT_ENUMERATE		((zx_rights_t)1u << 8)
#define ZX_RIGHT_DESTROY		((zx_rights_t)1u << 9)
#define ZX_RIGHT_SET_POLICY		((zx_rights_t)1u << 10)
#define ZX_RIGHT_GET_POLICY		((zx_rights_t)1u << 11)
#define ZX_RIGHT_SIGNAL			((zx_rights_t)1u << 12)
#define ZX_RIGHT_SIGNAL_PEER		((zx_rights_t)1u << 13)
#define ZX_RIGHT_WAIT			((zx_rights_t)1u << 14)
#define ZX_RIGHT_INSPECT		((zx_rights_t)1u << 15)
#define ZX_RIGHT_MANAGE_JOB		((zx_rights_t)1u << 16)
#define ZX_RIGHT_MANAGE_PROCESS		((zx_rights_t)1u << 17)
#define ZX_RIGHT_MANAGE_THREAD		((zx_rights_t)1u << 18)
#define ZX_RIGHT_APPLY_PROFILE		((zx_rights_t)1u << 19)
/* For zx_handle_duplicate() and zx_handle_replace(): keep the rights. */
#define ZX_RIGHT_SAME_RIGHTS		((zx_rights_t)1u << 31)

/* Zircon's names for commonly grouped rights. */
#define ZX_RIGHTS_BASIC		(ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | \
				 ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT)
#define ZX_RIGHTS_IO		(ZX_RIGHT_READ | ZX_RIGHT_WRITE)
#define ZX_RIGHTS_PROPERTY	(ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY)
#define ZX_RIGHTS_POLICY	(ZX_RIGHT_GET_POLICY | ZX_RIGHT_SET_POLICY)

/*
 * What Zircon gives a new process handle.  It holds bits that zxproc
 * handles cannot carry (WAIT, the properties, ENUMERATE, ...), so
 * zxproc_process_open() rejects it; use ZXPROC_PROCESS_RIGHTS there.
 */
#define ZX_DEFAULT_PROCESS_RIGHTS \
	(ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | \
	 ZX_RIGHT_ENUMERATE | ZX_RIGHT_DESTROY | ZX_RIGHT_SIGNAL | \
	 ZX_RIGHT_MANAGE_PROCESS | ZX_RIGHT_MANAGE_THREAD)

/*
 * What Zircon gives a new VMO handle, and here every right a VMO handle
 * can carry: zx_vmo_create() gives all of them.  Only READ and WRITE
 * (and MAP, which goes with READ) are the kernel's to grant or refuse;
 * zx_vmo_create(3) says how the others are carried.
 */
#define ZX_DEFAULT_VMO_RIGHTS \
	(ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_MAP | \
	 ZX_RIGHT_SIGNAL)

#endif /* ZXPROC_ZIRCON_RIGHTS_H */
