/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the VMO suites: an independent look at a VMO's bytes
 * (pread(2) and fstat(2) on its descriptor, so a test never trusts
 * zx_vmo_read to check zx_vmo_write), and the rights a handle reports.
 *
 * The VMO suites need no kernel module: tests/host/lib_vmo_*_test.c run
 * them on the host too, under ASan and UBSan.
 *
 * Include after kselftest_harness.h.
 */
#ifndef ZXPROC_TESTS_VMO_VMO_H
#define ZXPROC_TESTS_VMO_VMO_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#define PAGE 4096

/* The byte every test VMO starts with at @offset. */
static inline uint8_t vmo_pattern(uint64_t offset)
{
	return (uint8_t)(offset * 13 + 5);
}

/*
 * A new VMO of @size bytes (rounded up to a page) filled with
 * vmo_pattern() through its raw descriptor, or ZX_HANDLE_INVALID.
 */
static inline zx_handle_t vmo_new(uint64_t size, uint32_t options)
{
	static uint8_t page[PAGE];
	zx_handle_t h = ZX_HANDLE_INVALID;
	struct stat st;
	int fd;

	if (zx_vmo_create(size, options, &h) != ZX_OK)
		return ZX_HANDLE_INVALID;
	fd = zxproc_handle_fd(h);
	if (fstat(fd, &st) < 0)
		return ZX_HANDLE_INVALID;
	for (off_t at = 0; at < st.st_size; at += PAGE) {
		for (size_t i = 0; i < PAGE; i++)
			page[i] = vmo_pattern((uint64_t)at + i);
		if (pwrite(fd, page, PAGE, at) != PAGE)
			return ZX_HANDLE_INVALID;
	}
	return h;
}

/* The VMO's size as the kernel sees it, or -1. */
static inline off_t raw_size(zx_handle_t h)
{
	struct stat st;

	return fstat(zxproc_handle_fd(h), &st) < 0 ? -1 : st.st_size;
}

/* Reads @len bytes at @offset straight from @h's memfd: 0 or -errno. */
static inline int raw_read(zx_handle_t h, void *buf, size_t len, off_t offset)
{
	ssize_t n = pread(zxproc_handle_fd(h), buf, len, offset);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Does [offset, offset + len) of @h still hold vmo_pattern()? */
static inline int vmo_untouched(zx_handle_t h, uint64_t offset, size_t len)
{
	uint8_t byte;

	for (size_t i = 0; i < len; i++)
		if (raw_read(h, &byte, 1, (off_t)(offset + i)) ||
		    byte != vmo_pattern(offset + i))
			return 0;
	return 1;
}

static inline zx_info_handle_basic_t basic_of(zx_handle_t h)
{
	zx_info_handle_basic_t info;

	memset(&info, 0xff, sizeof(info));
	if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
			       NULL, NULL) != ZX_OK)
		info.type = ZX_OBJ_TYPE_NONE;
	return info;
}

/* The rights every VMO handle carries whatever was asked (vmo.c). */
#define CARRIED (ZX_DEFAULT_VMO_RIGHTS & \
		 ~(ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP))

#endif /* ZXPROC_TESTS_VMO_VMO_H */
