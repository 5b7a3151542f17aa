// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The syntax of data given in hex (`write --hex`, patch files): bytes in
 * memory order, two digits each, in groups separated by blanks:
 * "deadbeef", "de ad be ef" and "dead beef" are the same four bytes.
 * "0x" is refused, because "0xdeadbeef" reads as a number, and a number
 * would land in memory in the opposite (little-endian) order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

uint8_t *zxc_parse_hex(const char *text, size_t *len, char *why,
		       size_t why_size)
{
	size_t n = 0, i = 0, group_start;
	uint8_t *out;

	out = malloc(strlen(text) / 2 + 1);
	if (out == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	for (;;) {
		while (text[i] == ' ' || text[i] == '\t')
			i++;
		if (text[i] == '\0')
			break;
		if (text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
			snprintf(why, why_size,
				 "\"0x\" at column %zu: give bytes in memory order without 0x, e.g. \"de ad be ef\"",
				 i + 1);
			goto fail;
		}
		group_start = i;
		while (text[i] != '\0' && text[i] != ' ' && text[i] != '\t') {
			int hi = hexval((unsigned char)text[i]);
			int lo;

			if (hi < 0) {
				snprintf(why, why_size,
					 "'%c' at column %zu is not a hex digit",
					 text[i], i + 1);
				goto fail;
			}
			lo = text[i + 1] == '\0' ? -1 : hexval((unsigned char)text[i + 1]);
			if (lo < 0) {
				if (text[i + 1] == '\0' || text[i + 1] == ' ' ||
				    text[i + 1] == '\t')
					snprintf(why, why_size,
						 "odd number of hex digits in \"%.*s\" (column %zu): each byte takes two",
						 (int)(i + 1 - group_start),
						 text + group_start, group_start + 1);
				else
					snprintf(why, why_size,
						 "'%c' at column %zu is not a hex digit",
						 text[i + 1], i + 2);
				goto fail;
			}
			out[n++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
	}
	if (n == 0) {
		snprintf(why, why_size, "no bytes given");
		goto fail;
	}
	*len = n;
	return out;
fail:
	free(out);
	return NULL;
}
