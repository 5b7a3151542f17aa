// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ADDR arguments: a number (see number.c), or the name of a mapping in
 * /proc/PID/maps, either followed by +OFFSET or -OFFSET.
 *
 * A name is "[heap]", "[stack]", "[vdso]" and the like, the full path of
 * a mapped file, or a path's last component ("libc.so.6", the program's
 * own name).  It stands for the lowest address the file (or region) is
 * mapped at: for a program or library, its load base.  Two different
 * files with the same last component, or one file mapped twice from
 * offset 0, make the name ambiguous: the user must say which.
 *
 * File names may hold '+' and '-' ("libstdc++.so.6", "ld-linux-x86-64.so.2"),
 * so the whole text is tried as a name first, and only then split at its
 * last sign that is followed by a number.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define DELETED_SUFFIX " (deleted)"

/* The mapping's name as a user would type it: without " (deleted)". */
static size_t name_len(const char *name)
{
	size_t len = strlen(name), sl = strlen(DELETED_SUFFIX);

	if (len > sl && strcmp(name + len - sl, DELETED_SUFFIX) == 0)
		return len - sl;
	return len;
}

bool zxc_maps_name_matches(const char *want, size_t want_len,
			   const char *name)
{
	size_t len = name_len(name);
	const char *base;

	if (len == 0)
		return false;
	if (len == want_len && memcmp(want, name, len) == 0)
		return true;
	/* A bare file name matches the last component of a path. */
	if (memchr(want, '/', want_len) != NULL || name[0] != '/')
		return false;
	base = name;
	for (const char *p = name; p < name + len; p++)
		if (*p == '/')
			base = p + 1;
	return (size_t)(name + len - base) == want_len &&
	       memcmp(base, want, want_len) == 0;
}

static enum zxc_addr_result lookup(const char *want, size_t want_len,
				   const struct zxc_maps *maps, uint64_t *addr,
				   char *why, size_t why_size)
{
	const struct zxc_mapping *first = NULL, *lowest = NULL;
	const struct zxc_mapping *at_zero[2] = { NULL, NULL };
	size_t i, zeros = 0;

	for (i = 0; i < maps->n; i++) {
		const struct zxc_mapping *m = &maps->v[i];

		if (!zxc_maps_name_matches(want, want_len, m->name))
			continue;
		if (first == NULL) {
			first = m;
		} else if (name_len(first->name) != name_len(m->name) ||
			   strncmp(first->name, m->name, name_len(m->name)) != 0) {
			snprintf(why, why_size,
				 "\"%.*s\" is ambiguous: it names both %s and %s; give the full path",
				 (int)want_len, want, first->name, m->name);
			return ZXC_ADDR_AMBIGUOUS;
		}
		if (lowest == NULL || m->start < lowest->start)
			lowest = m;
		if (m->offset == 0 && zeros < 2)
			at_zero[zeros++] = m;
	}
	if (first == NULL) {
		snprintf(why, why_size, "no mapping named \"%.*s\"", (int)want_len,
			 want);
		return ZXC_ADDR_UNKNOWN;
	}
	/*
	 * Pseudo regions ("[heap]") are one mapping each; only a file can
	 * be mapped twice from its start.
	 */
	if (zeros > 1 && first->name[0] == '/') {
		snprintf(why, why_size,
			 "\"%.*s\" is ambiguous: %s is mapped more than once (at 0x%llx and 0x%llx); give an address",
			 (int)want_len, want, first->name,
			 (unsigned long long)at_zero[0]->start,
			 (unsigned long long)at_zero[1]->start);
		return ZXC_ADDR_AMBIGUOUS;
	}
	*addr = lowest->start;
	return ZXC_ADDR_OK;
}

static enum zxc_addr_result base_value(const char *text, size_t len,
				       const struct zxc_maps *maps,
				       uint64_t *addr, char *why,
				       size_t why_size)
{
	char num[32];

	if (len < sizeof(num)) {
		memcpy(num, text, len);
		num[len] = '\0';
		if (zxc_parse_u64(num, addr))
			return ZXC_ADDR_OK;
	}
	return lookup(text, len, maps, addr, why, why_size);
}

static bool all_xdigits(const char *text)
{
	if (*text == '\0')
		return false;
	for (; *text != '\0'; text++)
		if (!strchr("0123456789abcdefABCDEF", *text))
			return false;
	return true;
}

enum zxc_addr_result zxc_addr_resolve(const char *text,
				      const struct zxc_maps *maps,
				      uint64_t *addr, char *why,
				      size_t why_size)
{
	enum zxc_addr_result res;
	uint64_t base, offset;
	const char *sign = NULL;
	size_t len = strlen(text);

	if (len == 0) {
		snprintf(why, why_size, "empty address");
		return ZXC_ADDR_SYNTAX;
	}
	if (zxc_parse_u64(text, addr))
		return ZXC_ADDR_OK;
	res = lookup(text, len, maps, addr, why, why_size);
	if (res != ZXC_ADDR_UNKNOWN)
		return res;

	/* The last + or - that is followed by a number to the end. */
	for (const char *p = text + len - 1; p > text; p--) {
		if ((*p == '+' || *p == '-') && zxc_parse_u64(p + 1, &offset)) {
			sign = p;
			break;
		}
	}
	if (sign == NULL) {
		if (all_xdigits(text))
			snprintf(why, why_size,
				 "no mapping named \"%s\" (a hex address needs the 0x prefix)",
				 text);
		else
			snprintf(why, why_size, "no mapping named \"%s\"", text);
		return ZXC_ADDR_UNKNOWN;
	}
	res = base_value(text, (size_t)(sign - text), maps, &base, why, why_size);
	if (res != ZXC_ADDR_OK)
		return res;
	if (*sign == '+' ? base + offset < base : offset > base) {
		snprintf(why, why_size, "\"%s\" is outside the address space",
			 text);
		return ZXC_ADDR_SYNTAX;
	}
	*addr = *sign == '+' ? base + offset : base - offset;
	return ZXC_ADDR_OK;
}

bool zxc_addr_syntax_ok(const char *text, char *why, size_t why_size)
{
	const char *sign;
	uint64_t value;
	char num[32];
	size_t len;

	if (*text == '\0') {
		snprintf(why, why_size, "empty address");
		return false;
	}
	/* Names start with '[', '/' or a letter; numbers with a digit. */
	if (!isdigit((unsigned char)*text))
		return true;
	sign = text + strcspn(text, "+-");
	len = (size_t)(sign - text);
	if (len < sizeof(num)) {
		memcpy(num, text, len);
		num[len] = '\0';
	}
	if (len >= sizeof(num) || !zxc_parse_u64(num, &value)) {
		if (all_xdigits(text))
			snprintf(why, why_size,
				 "\"%s\" is not a number (a hex address needs the 0x prefix)",
				 text);
		else
			snprintf(why, why_size,
				 "\"%s\" is not a number, nor NUMBER+OFFSET", text);
		return false;
	}
	if (*sign != '\0' && !zxc_parse_u64(sign + 1, &value)) {
		snprintf(why, why_size,
			 "\"%s\": the offset after '%c' is not a number", text,
			 *sign);
		return false;
	}
	return true;
}

int zxc_addr_exit(enum zxc_addr_result result)
{
	/* A name the process does not map is an address not mapped. */
	return result == ZXC_ADDR_UNKNOWN ? ZXC_EXIT_NOT_MAPPED : ZXC_EXIT_USAGE;
}
