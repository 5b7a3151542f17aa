// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `read`'s output: the layout of `hexdump -C`, with the target's own
 * addresses in the first column (16 hex digits, as in /proc/PID/maps)
 * instead of offsets, so an address can be copied back into ADDR.
 *
 *   00005555555592a0  48 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |Hello...........|
 *
 * Lines start at ADDR itself, not at a 16-byte boundary.
 *
 * With --xxd, the layout of xxd(1) instead, which `xxd -r` turns back
 * into bytes (-s -ADDR: at offset 0 of its output) and `zxproc patch`
 * takes as a patch file (its lines are "HEXADDR: HEX  TEXT"):
 *
 *   00005555555592a0: 4865 6c6c 6f00 0000 0000 0000 0000 0000  Hello...........
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void zxc_hexdump_init(struct zxc_hexdump *h, uint64_t addr, bool xxd)
{
	memset(h, 0, sizeof(*h));
	h->line_addr = addr;
	h->xxd = xxd;
}

static char printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

static int put_line(struct zxc_hexdump *h)
{
	char text[128], *p = text;
	size_t i;

	if (h->xxd) {
		/* Pairs of bytes; the text column where a full line has it. */
		p += sprintf(p, "%016" PRIx64 ":", h->line_addr);
		for (i = 0; i < 16; i++) {
			if (i % 2 == 0)
				*p++ = ' ';
			if (i < h->fill)
				p += sprintf(p, "%02x", h->line[i]);
			else
				p += sprintf(p, "  ");
		}
		p += sprintf(p, "  ");
		for (i = 0; i < h->fill; i++)
			*p++ = printable(h->line[i]);
		*p++ = '\n';
	} else {
		p += sprintf(p, "%016" PRIx64 " ", h->line_addr);
		for (i = 0; i < 16; i++) {
			if (i == 8)
				*p++ = ' ';
			if (i < h->fill)
				p += sprintf(p, " %02x", h->line[i]);
			else
				p += sprintf(p, "   ");
		}
		p += sprintf(p, "  |");
		for (i = 0; i < h->fill; i++)
			*p++ = printable(h->line[i]);
		p += sprintf(p, "|\n");
	}
	h->line_addr += h->fill;
	h->fill = 0;
	return fwrite(text, 1, (size_t)(p - text), stdout) == (size_t)(p - text) ? 0 : -1;
}

int zxc_hexdump_feed(struct zxc_hexdump *h, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n = 16 - h->fill < len ? 16 - h->fill : len;

		memcpy(h->line + h->fill, buf, n);
		h->fill += n;
		buf += n;
		len -= n;
		if (h->fill == 16 && put_line(h) < 0)
			return -1;
	}
	return 0;
}

int zxc_hexdump_flush(struct zxc_hexdump *h)
{
	if (h->fill > 0 && put_line(h) < 0)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}
