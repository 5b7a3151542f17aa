// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_CAS: compare and swap one naturally aligned 1, 2, 4 or
 * 8-byte value in the target.
 *
 * The target page is pinned for writing exactly as a write pins it
 * (pin.c: forcing, protection modes, ESTALE, faults with the target's
 * locks dropped), and the compare-exchange is one atomic instruction on
 * the kernel's mapping of that page, as futexes do it on the user's
 * (futex_atomic_cmpxchg_inatomic()).  The pinned page is the one the
 * target's page tables map, and an aligned value never crosses a page,
 * so the target's own threads, whose atomic operations go through their
 * mapping to the same memory, see the exchange as one indivisible store:
 * lock cmpxchg on x86 (bytes and words included), CAS or LL/SC exclusives
 * on arm64, all of them fully ordered through cmpxchg().
 *
 * The argument struct is copied in, and its out fields are found
 * writable, before the page is pinned, and the outcome is written back
 * after it is unpinned: the caller's memory is never faulted while a
 * target page is held, and a struct that cannot take the outcome fails
 * the call (EFAULT) with the target unchanged, as the header promises.
 */
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include <kunit/visibility.h>

#include "trace.h"
#include "zxproc.h"

/**
 * zxproc_cas_valid() - the argument checks of ZXPROC_IOC_CAS
 * @req: the caller's struct, copied in.
 *
 * Return: 0, or -EINVAL (see the uapi header's list).
 */
VISIBLE_IF_KUNIT int zxproc_cas_valid(const struct zxproc_cas *req)
{
	u64 mask;

	/* The protection modes alone: no other flag means anything here. */
	if ((req->flags & ~ZXPROC_MEM_MODES) ||
	    zxproc_mem_flags_check(req->flags) || req->reserved)
		return -EINVAL;
	if (req->size != 1 && req->size != 2 && req->size != 4 &&
	    req->size != 8)
		return -EINVAL;
	if (req->addr & (req->size - 1))
		return -EINVAL;
	/* A value that does not fit would be truncated without a word. */
	mask = req->size == 8 ? U64_MAX : BIT_ULL(req->size * 8) - 1;
	if ((req->expected | req->desired) & ~mask)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_cas_valid);

/* The atomic compare-exchange of @size bytes at @p; the value found. */
static u64 zxproc_cmpxchg(void *p, u32 size, u64 expected, u64 desired)
{
	switch (size) {
	case 1:
		return cmpxchg((u8 *)p, (u8)expected, (u8)desired);
	case 2:
		return cmpxchg((u16 *)p, (u16)expected, (u16)desired);
	case 4:
		return cmpxchg((u32 *)p, (u32)expected, (u32)desired);
	default:
		return cmpxchg64((u64 *)p, expected, desired);
	}
}

/*
 * Pin the page that holds the value, exchange, unpin.  The page is
 * marked dirty only when the value was replaced (zxproc_unpin()).
 */
static int zxproc_cas_page(struct zxproc_xfer *x, const struct zxproc_cas *req,
			   u64 *old, bool *swapped)
{
	unsigned long start = req->addr & PAGE_MASK;
	size_t off = offset_in_page(req->addr);
	struct page *page;
	long pinned;
	bool end;
	char *kaddr;

	/* Aligned, so a value that starts below the limit ends below it. */
	if (req->addr >= x->mm->task_size)
		return -ENOMEM;
	pinned = zxproc_pin(x, start, start, 1, &page, &end);
	if (pinned < 0)
		return pinned;

	kaddr = kmap_local_page(page);
	*old = zxproc_cmpxchg(kaddr + off, req->size, req->expected,
			      req->desired);
	*swapped = *old == req->expected;
	kunmap_local(kaddr);
	if (*swapped) {
		flush_dcache_page(page);
		/* A live patch may swap an instruction word (icache.c). */
		zxproc_icache_sync(x, page);
	}
	zxproc_unpin(x, &page, 1, off, *swapped ? req->size : 0);
	return 0;
}

/**
 * zxproc_cas_ioctl() - ZXPROC_IOC_CAS
 * @h: the handle.
 * @cmd: the command, for the argument size.
 * @arg: user pointer to struct zxproc_cas.
 *
 * Return: 0 or a negative errno (see uapi header).
 */
long zxproc_cas_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		      unsigned long arg)
{
	struct zxproc_cas __user *uarg = u64_to_user_ptr((u64)arg);
	struct zxproc_xfer x;
	struct zxproc_cas req;
	bool swapped = false;
	u64 old = 0;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	ret = zxproc_cas_valid(&req);
	/* It reveals the value found and may store one: both rights. */
	if (!ret)
		ret = zxproc_rights_check(h, ZXPROC_RIGHT_READ |
					     ZXPROC_RIGHT_WRITE);
	/*
	 * The outcome must have somewhere to go before the value may be
	 * replaced: on EFAULT, as on every error, the target is unchanged.
	 * The caller's own bytes are written back as they were read.
	 */
	if (!ret && (put_user(req.old, &uarg->old) ||
		     put_user(req.result, &uarg->result)))
		ret = -EFAULT;
	if (!ret)
		ret = zxproc_xfer_begin(h, true, req.flags, &x);
	if (!ret) {
		ret = zxproc_cas_page(&x, &req, &old, &swapped);
		zxproc_xfer_end(&x);
	}
	trace_zxproc_mem(h, ZXPROC_OP_CAS, req.addr, req.size,
			 swapped ? req.size : 0, ret);
	if (ret)
		return ret;

	/* Only the outcome is written back: the rest of *uarg is the caller's. */
	if (put_user(old, &uarg->old) ||
	    put_user(swapped ? ZXPROC_CAS_SWAPPED : 0U, &uarg->result))
		return -EFAULT;
	return 0;
}
