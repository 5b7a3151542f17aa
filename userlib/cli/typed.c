// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Typed values (--u8 ... --f64 of `read`, `write` and `find`): their
 * syntax and their bytes.  The bytes are in the machine's own order,
 * which is the target's (it runs on the same machine): little-endian on
 * x86-64 and arm64.  Integers are decimal or 0x-hex as everywhere on
 * the command line, signed ones with an optional '-', and must fit
 * their type; floats are what strtod() reads whole ("1.5", "-2e3",
 * "inf", "nan").  Several values are separated by commas.
 */
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct zxc_type zxc_types[ZXC_TYPE_COUNT] = {
	{ "u8", 1, 'u' }, { "u16", 2, 'u' }, { "u32", 4, 'u' }, { "u64", 8, 'u' },
	{ "i8", 1, 'i' }, { "i16", 2, 'i' }, { "i32", 4, 'i' }, { "i64", 8, 'i' },
	{ "f32", 4, 'f' }, { "f64", 8, 'f' },
};

const struct zxc_type *zxc_type_find(const char *name)
{
	for (size_t i = 0; i < ZXC_TYPE_COUNT; i++)
		if (strcmp(zxc_types[i].name, name) == 0)
			return &zxc_types[i];
	return NULL;
}

void zxc_type_options(struct option *opts, int has_arg, int base)
{
	for (size_t i = 0; i < ZXC_TYPE_COUNT; i++)
		opts[i] = (struct option){ zxc_types[i].name, has_arg, NULL,
					   base + (int)i };
}

static bool parse_one(const struct zxc_type *type, const char *text,
		      uint8_t *out, char *why, size_t why_size)
{
	unsigned int bits = (unsigned int)type->size * 8;
	uint64_t mag, max;
	bool neg = false;

	if (type->kind == 'f') {
		char *end;
		double d;

		errno = 0;
		d = *text ? strtod(text, &end) : 0;
		if (*text == '\0' || *end != '\0' || text[0] == ' ') {
			snprintf(why, why_size, "\"%s\" is not a number", text);
			return false;
		}
		if (type->size == 4) {
			float f = (float)d;

			if (isfinite(d) && !isfinite(f)) {
				snprintf(why, why_size, "%s is too large for f32", text);
				return false;
			}
			memcpy(out, &f, 4);
		} else {
			if (errno == ERANGE && isinf(d)) {
				snprintf(why, why_size, "%s is too large for f64", text);
				return false;
			}
			memcpy(out, &d, 8);
		}
		return true;
	}
	if (type->kind == 'i' && text[0] == '-') {
		neg = true;
		text++;
	}
	if (!zxc_parse_u64(text, &mag)) {
		snprintf(why, why_size, "\"%s%s\" is not %s number", neg ? "-" : "",
			 text, type->kind == 'u' ? "a decimal or 0x-hex" : "an integer");
		return false;
	}
	max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	if (type->kind == 'i')
		max = neg ? (uint64_t)1 << (bits - 1) : max >> 1;
	if (mag > max) {
		snprintf(why, why_size, "%s%s does not fit in %s", neg ? "-" : "",
			 text, type->name);
		return false;
	}
	if (neg)
		mag = -mag;
	/* The low bytes of the value, in the machine's order. */
	switch (type->size) {
	case 1: { uint8_t v = (uint8_t)mag; memcpy(out, &v, 1); break; }
	case 2: { uint16_t v = (uint16_t)mag; memcpy(out, &v, 2); break; }
	case 4: { uint32_t v = (uint32_t)mag; memcpy(out, &v, 4); break; }
	default: memcpy(out, &mag, 8); break;
	}
	return true;
}

uint8_t *zxc_type_parse(const struct zxc_type *type, const char *text,
			size_t *len, char *why, size_t why_size)
{
	size_t count = 1, n = 0;
	char *copy, *item;
	uint8_t *out;

	for (const char *p = text; *p; p++)
		count += *p == ',';
	copy = strdup(text);
	out = malloc(count * type->size);
	if (copy == NULL || out == NULL) {
		snprintf(why, why_size, "out of memory");
		goto fail;
	}
	/* strtok would skip empty items: "1,,2" must be an error. */
	item = copy;
	for (size_t i = 0; i < count; i++) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		if (*item == '\0') {
			snprintf(why, why_size, "an empty value in \"%s\"", text);
			goto fail;
		}
		if (!parse_one(type, item, out + n, why, why_size))
			goto fail;
		n += type->size;
		item = comma ? comma + 1 : item + strlen(item);
	}
	free(copy);
	*len = n;
	return out;
fail:
	free(copy);
	free(out);
	return NULL;
}

void zxc_type_format(const struct zxc_type *type, const uint8_t *p,
		     char *out, size_t out_size)
{
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64;
		int8_t i8; int16_t i16; int32_t i32; int64_t i64;
		float f32; double f64; } v;

	memcpy(&v, p, type->size);
	if (type->kind == 'f') {
		/* The shortest text that reads back as the same value. */
		int digits = type->size == 4 ? FLT_DECIMAL_DIG : DBL_DECIMAL_DIG;
		double d = type->size == 4 ? (double)v.f32 : v.f64;

		for (int prec = 1; prec <= digits; prec++) {
			snprintf(out, out_size, "%.*g", prec, d);
			if (type->size == 4 ? strtof(out, NULL) == v.f32 :
			    strtod(out, NULL) == v.f64)
				return;
		}
		return;
	}
	switch ((int)type->size * (type->kind == 'i' ? -1 : 1)) {
	case 1: snprintf(out, out_size, "%" PRIu8, v.u8); break;
	case 2: snprintf(out, out_size, "%" PRIu16, v.u16); break;
	case 4: snprintf(out, out_size, "%" PRIu32, v.u32); break;
	case 8: snprintf(out, out_size, "%" PRIu64, v.u64); break;
	case -1: snprintf(out, out_size, "%" PRId8, v.i8); break;
	case -2: snprintf(out, out_size, "%" PRId16, v.i16); break;
	case -4: snprintf(out, out_size, "%" PRId32, v.i32); break;
	default: snprintf(out, out_size, "%" PRId64, v.i64); break;
	}
}
