/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Zircon system calls libzxproc provides on Linux, with Zircon's
 * signatures.  Each has a manual page in section 3.  Process handles come
 * from the zxproc kernel module; VMOs are memfds (memfd_create(2)) and
 * need no module.
 *
 * Zircon code that uses these needs only a different include path and
 * -lzxproc.  <zircon/process.h> and <zircon/status.h> are included too,
 * so zx_process_self() and zx_status_get_string() come with this header.
 */
#ifndef ZXPROC_ZIRCON_SYSCALLS_H
#define ZXPROC_ZIRCON_SYSCALLS_H

#include <stddef.h>

#include <zircon/errors.h>
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/status.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

zx_status_t zx_handle_close(zx_handle_t handle);

zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights,
				zx_handle_t *out);

zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
			      zx_handle_t *out);

zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic,
			       void *buffer, size_t buffer_size,
			       size_t *actual, size_t *avail);

zx_status_t zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr,
				   void *buffer, size_t buffer_size,
				   size_t *actual);

zx_status_t zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr,
				    const void *buffer, size_t buffer_size,
				    size_t *actual);

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t *out);

zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer, uint64_t offset,
			size_t buffer_size);

zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer,
			 uint64_t offset, size_t buffer_size);

zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size);

zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);

#ifdef __cplusplus
}
#endif

#endif /* ZXPROC_ZIRCON_SYSCALLS_H */
