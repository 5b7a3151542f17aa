// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The guest suite tests/vmo/rw_test.c, run on the host as well: VMOs
 * need no kernel module, and here vmo.c runs under ASan and UBSan.
 */
#include "../vmo/rw_test.c"
