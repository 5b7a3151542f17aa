/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zx_process_self(), as in Fuchsia's <zircon/process.h>. */
#ifndef ZXPROC_ZIRCON_PROCESS_H
#define ZXPROC_ZIRCON_PROCESS_H

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A handle to the calling process, owned by the library: do not close
 * it.  ZX_HANDLE_INVALID when the zxproc module is not loaded.
 */
zx_handle_t zx_process_self(void);

#ifdef __cplusplus
}
#endif

#endif /* ZXPROC_ZIRCON_PROCESS_H */
