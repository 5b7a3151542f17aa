// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The guest suite tests/vmo/handle_rights_test.c, run on the host as well:
 * VMOs need no kernel module (its process-handle tests skip without
 * one), and here vmo.c and handle.c run under ASan and UBSan.
 */
#include "../vmo/handle_rights_test.c"
