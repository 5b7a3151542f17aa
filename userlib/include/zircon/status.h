/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zx_status_get_string(), as in Fuchsia's <zircon/status.h>. */
#ifndef ZXPROC_ZIRCON_STATUS_H
#define ZXPROC_ZIRCON_STATUS_H

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The name of a status code ("ZX_ERR_TIMED_OUT"), or "(UNKNOWN)". */
const char *zx_status_get_string(zx_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* ZXPROC_ZIRCON_STATUS_H */
