// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The syntax of every number on zxproc's command line: "0x" and hex
 * digits, or decimal digits.  No octal (a leading 0 is decimal, as a
 * user typing "0100" means), no sign, no spaces, no suffixes: a typo
 * in an address must be an error, never a different address.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "cli.h"

bool zxc_parse_u64(const char *text, uint64_t *out)
{
	const char *digits = text;
	unsigned long long value;
	char *end;
	int base = 10;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		digits = text + 2;
		base = 16;
	}
	/* strtoull would accept leading spaces and a sign: refuse them. */
	if (!isxdigit((unsigned char)digits[0]) ||
	    (base == 10 && !isdigit((unsigned char)digits[0])))
		return false;
	errno = 0;
	value = strtoull(digits, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	*out = value;
	return true;
}

bool zxc_parse_pid(const char *text, pid_t *out)
{
	uint64_t value;

	/* A pid is decimal, as ps(1) and /proc print it. */
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		return false;
	if (!zxc_parse_u64(text, &value) || value == 0 || value > INT_MAX)
		return false;
	*out = (pid_t)value;
	return true;
}
