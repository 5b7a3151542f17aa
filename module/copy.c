// SPDX-License-Identifier: GPL-2.0
/*
 * Copying between the target's pinned pages and the caller's buffer:
 * one copy, like process_vm_writev(), and the copy of one range with the
 * rules of ZXPROC_IOC_WRITE (short copies, all or nothing).
 *
 * No target page stays pinned while the caller's buffer is faulted in.
 * A caller buffer backed by a slow file or a userfaultfd of the
 * caller's would otherwise keep target pages pinned for as long as it
 * liked: the target could not migrate or compact them, writeback could
 * clean a shared-file page before the stalled copy dirtied it, and an
 * all-or-nothing copy would hold up to 64 MiB.  So the copy runs with
 * page faults disabled, and a short copy unpins, faults the caller's
 * buffer in, and pins again (generic_perform_write()'s pattern).
 *
 * An all-or-nothing copy instead pins the caller's buffer too, before
 * any target page: once both are pinned, the copy between them cannot
 * fail, so a failure always comes before the first byte is written.  A
 * caller buffer GUP cannot pin (device memory, memfd_secret(2)) is
 * EFAULT there.
 *
 * Memory: a normal copy pins ZXPROC_PIN_BATCH pages at a time through a
 * 512-byte array on the stack and allocates nothing.  An all-or-nothing
 * copy allocates one page-pointer array for both sides of its range: at
 * most 256 KiB + 16 bytes for ZXPROC_MAX_TRANSFER.
 */
#include <linux/fault-inject-usercopy.h>
#include <linux/highmem.h>
#include <linux/instrumented.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <kunit/visibility.h>

#include "zxproc.h"

/*
 * Times in a row a fault-in may succeed and the copy then make no
 * progress before the buffer counts as inaccessible: a mapping can
 * fault in yet never be reachable by a plain copy (a shadow stack, a
 * driver's read-only PTEs in a writable mapping), and must not keep a
 * caller spinning.  More than once, so that a page reclaimed between
 * the fault-in and the copy is no error.
 */
#define ZXPROC_FAULT_RETRIES 3

/**
 * zxproc_dirty_pages() - how many pinned pages a copy wrote into
 * @nr: pages pinned.
 * @off: offset of the copy in the first page.
 * @copied: bytes copied.
 *
 * Return: the number of leading pages that received a byte.
 */
VISIBLE_IF_KUNIT unsigned long zxproc_dirty_pages(unsigned long nr, size_t off,
						  size_t copied)
{
	if (!copied)
		return 0;
	return min_t(unsigned long, nr, DIV_ROUND_UP(off + copied, PAGE_SIZE));
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_dirty_pages);

/**
 * zxproc_unpin() - release target pages after a copy of @copied bytes
 * @x: the access.
 * @pages: the pinned pages.
 * @nr: how many.
 * @off: offset of the copy in the first page.
 * @copied: bytes copied into them (writes) or out of them (reads).
 *
 * Only the pages a write reached are dirtied: a failed or short write
 * must not make writeback store pages it never changed.
 */
void zxproc_unpin(const struct zxproc_xfer *x, struct page **pages,
		  unsigned long nr, size_t off, size_t copied)
{
	unsigned long dirty = x->write ? zxproc_dirty_pages(nr, off, copied) : 0;
	unsigned long i;

	/* ZXPROC_MEM_NO_FAULT (reads only) took references, not pins. */
	if (x->nofault) {
		for (i = 0; i < nr; i++)
			put_page(pages[i]);
		return;
	}
	if (dirty)
		unpin_user_pages_dirty_lock(pages, dirty, true);
	if (nr > dirty)
		unpin_user_pages(pages + dirty, nr - dirty);
}

/*
 * One raw copy of @n bytes between @k (a kmap'd target page) and the
 * caller's @u, page faults disabled; return the bytes not copied, exact.
 * raw_copy_{from,to}_user() may stop short of the first inaccessible
 * byte (arm64's copy_template gives up a whole chunk of its loop),
 * and must copy something when the first byte is accessible
 * (include/linux/uaccess.h).  So after a short copy, the rest is tried
 * again until a try copies nothing: then the stopping point is the
 * first inaccessible byte, as the uapi's counts require.  One call in
 * the common case; one more, copying nothing, where a short copy is
 * already exact (x86).
 */
static size_t zxproc_copy_exact(const struct zxproc_xfer *x, char *k,
				char __user *u, size_t n)
{
	size_t done = 0;

	pagefault_disable();
	for (;;) {
		size_t len = n - done;
		char __user *up = u + done;
		char *kp = k + done;
		size_t left;

		if (x->write) {
			instrument_copy_from_user_before(kp, up, len);
			left = raw_copy_from_user(kp, up, len);
			instrument_copy_from_user_after(kp, up, len, left);
		} else {
			instrument_copy_to_user(up, kp, len);
			left = raw_copy_to_user(up, kp, len);
		}
		done += len - left;
		if (!left || left == len)
			break;
	}
	pagefault_enable();
	return n - done;
}

/**
 * zxproc_copy_user() - copy between pinned pages and the caller's buffer
 * @x: the access.
 * @pages: the pinned target pages.
 * @off: offset of the copy in the first page.
 * @ubuf: the caller's buffer.
 * @len: bytes to copy, within the pages.
 * @copied: out: bytes copied.
 *
 * The copy is lib/iov_iter.c's copyin()/copyout(), as for
 * process_vm_writev(): the raw copy with its sanitizer instrumentation,
 * after access_ok() of the whole buffer (zxproc_xfer_check()); but with
 * page faults disabled, so that a page of the caller's buffer that is
 * not present ends the copy instead of being faulted in under the pins.
 * Not copy_from_user(): on a fault it zero-fills the rest of its
 * destination, which here is the target's memory.
 *
 * Return: 0; -EAGAIN when the caller's buffer was not accessible
 * without a fault at *@copied, its first such byte on every
 * architecture (unpin, zxproc_fault_in(), try again);
 * -EFAULT for a fault injected by CONFIG_FAULT_INJECTION_USERCOPY; or
 * -EINTR on a fatal signal (checked per page: a copy may span 64 MiB).
 */
int zxproc_copy_user(const struct zxproc_xfer *x, struct page **pages,
		     size_t off, char __user *ubuf, size_t len, size_t *copied)
{
	unsigned long i;

	*copied = 0;
	for (i = 0; *copied < len; i++) {
		size_t n = min_t(size_t, PAGE_SIZE - off, len - *copied);
		char __user *u = ubuf + *copied;
		size_t left;
		char *kaddr;

		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
		if (should_fail_usercopy())
			return -EFAULT;
		kaddr = kmap_local_page(pages[i]);
		left = zxproc_copy_exact(x, kaddr + off, u, n);
		kunmap_local(kaddr);
		if (x->write && left < n) {
			flush_dcache_page(pages[i]);
			zxproc_icache_sync(x, pages[i]);
		}
		*copied += n - left;
		if (left)
			return -EAGAIN;
		off = 0;
	}
	return 0;
}

/**
 * zxproc_fault_in() - fault in the caller's buffer, no target page pinned
 * @x: the access.
 * @ubuf: where the copy stopped.
 * @len: the rest of the copy's chunk.
 *
 * Faulting in may wait for as long as the caller's buffer makes it (a
 * slow file, the caller's own userfaultfd); that is the caller's
 * business once no target page is held.  A read's destination is
 * faulted in without writing to it (fault_in_writeable() would store
 * zeroes in it).
 *
 * Return: 0 when at least the first byte is accessible now, so that
 * trying again makes progress; else -EFAULT.
 */
int zxproc_fault_in(const struct zxproc_xfer *x, char __user *ubuf,
		    size_t len)
{
	size_t left = x->write ? fault_in_readable(ubuf, len) :
				 fault_in_safe_writeable(ubuf, len);

	return left == len ? -EFAULT : 0;
}

/**
 * zxproc_step() - the next batch of a copy
 * @addr: target address of the next byte to copy.
 * @remaining: bytes left to copy, at least 1.
 * @off: out: offset of @addr in its page.
 * @chunk: out: bytes this batch covers, at most ZXPROC_PIN_BATCH pages'
 *	worth less @off, and at most @remaining.
 *
 * Return: the number of pages the batch spans, 1 to ZXPROC_PIN_BATCH.
 */
unsigned long zxproc_step(u64 addr, u64 remaining, size_t *off, size_t *chunk)
{
	*off = offset_in_page(addr);
	*chunk = min_t(u64, remaining, ZXPROC_PIN_BATCH * PAGE_SIZE - *off);
	return DIV_ROUND_UP(*off + *chunk, PAGE_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_step);

/**
 * zxproc_xfer_some() - copy page batch by page batch
 * @x: the access.
 * @addr: target address of the range.
 * @ubuf: the caller's buffer for the range.
 * @len: the range's length.
 * @done: in: bytes of the range already copied; out: bytes copied.
 *
 * Stops at the first inaccessible target page.
 *
 * Return: 0 (a complete or short copy; see *@done) or a negative errno.
 */
int zxproc_xfer_some(struct zxproc_xfer *x, unsigned long addr,
		     char __user *ubuf, size_t len, size_t *done)
{
	struct page *pages[ZXPROC_PIN_BATCH];
	unsigned int stuck = 0;

	while (*done < len) {
		unsigned long start = addr + *done;
		size_t off, chunk, copied;
		unsigned long nr;
		long pinned;
		bool end;
		int ret;

		if (fatal_signal_pending(current))
			return -EINTR;
		nr = zxproc_step(start, len - *done, &off, &chunk);
		pinned = zxproc_pin(x, addr & PAGE_MASK, start & PAGE_MASK, nr,
				    pages, &end);
		if (pinned < 0) {
			/* A short copy, unless nothing at all was copied. */
			if (*done && end)
				return 0;
			return pinned;
		}

		chunk = min_t(size_t, chunk, pinned * PAGE_SIZE - off);
		ret = zxproc_copy_user(x, pages, off, ubuf + *done, chunk,
				       &copied);
		zxproc_unpin(x, pages, pinned, off, copied);
		*done += copied;
		if (copied)
			stuck = 0;
		if (ret == -EAGAIN)
			ret = ++stuck > ZXPROC_FAULT_RETRIES ? -EFAULT :
				zxproc_fault_in(x, ubuf + *done, chunk - copied);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Copy @len bytes between two sets of pinned pages, from offsets @toff
 * (target) and @uoff (caller's buffer).  Kernel to kernel: nothing can
 * fault.  A handle to one's own process may name a range that overlaps
 * the buffer; as with memcpy() and process_vm_readv(), the bytes copied
 * are then unspecified (memmove() keeps each page's piece defined).
 */
static void zxproc_copy_pinned(const struct zxproc_xfer *x,
			       struct page **tpages, size_t toff,
			       struct page **upages, size_t uoff, size_t len)
{
	while (len) {
		size_t n = min3(PAGE_SIZE - toff, PAGE_SIZE - uoff, len);
		char *t = kmap_local_page(*tpages);
		char *u = kmap_local_page(*upages);

		if (x->write) {
			memmove(t + toff, u + uoff, n);
			flush_dcache_page(*tpages);
			zxproc_icache_sync(x, *tpages);
		} else {
			memmove(u + uoff, t + toff, n);
			flush_dcache_page(*upages);
		}
		kunmap_local(u);
		kunmap_local(t);
		len -= n;
		toff += n;
		uoff += n;
		if (toff == PAGE_SIZE) {
			toff = 0;
			tpages++;
		}
		if (uoff == PAGE_SIZE) {
			uoff = 0;
			upages++;
		}
		cond_resched();
	}
}

/*
 * Pin the caller's whole buffer: the source of a write, or (writable)
 * the destination of a read.  Return: 0, -EINTR or -ENOMEM, or -EFAULT
 * when some page of it cannot be pinned.
 */
static int zxproc_pin_buffer(const struct zxproc_xfer *x, char __user *ubuf,
			     unsigned long nr, struct page **pages)
{
	long pinned;

	if (should_fail_usercopy())
		return -EFAULT;
	pinned = pin_user_pages_fast((unsigned long)ubuf & PAGE_MASK, nr,
				     x->write ? 0 : FOLL_WRITE, pages);
	if (pinned == nr)
		return 0;
	if (pinned > 0)
		unpin_user_pages(pages, pinned);
	if (pinned == -EINTR || pinned == -ENOMEM)
		return pinned;
	return -EFAULT;
}

/*
 * All or nothing: pin the caller's buffer, then the whole target range,
 * then copy.  Any failure comes before the copy, which cannot fail.
 */
static int zxproc_xfer_all(struct zxproc_xfer *x, unsigned long addr,
			   char __user *ubuf, size_t len, size_t *done)
{
	unsigned long first = addr & PAGE_MASK;
	unsigned long nr = DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE);
	unsigned long unr = DIV_ROUND_UP(offset_in_page(ubuf) + len, PAGE_SIZE);
	unsigned long pinned = 0;
	struct page **pages, **upages;
	int ret;

	pages = kvmalloc_array(nr + unr, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	upages = pages + nr;

	ret = zxproc_pin_buffer(x, ubuf, unr, upages);
	if (ret)
		goto out_free;

	while (pinned < nr) {
		bool end;
		long n = zxproc_pin(x, first, first + pinned * PAGE_SIZE,
				    min_t(unsigned long, nr - pinned,
					  ZXPROC_PIN_BATCH),
				    pages + pinned, &end);

		if (n < 0) {
			ret = n;
			break;
		}
		pinned += n;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
	}

	if (!ret) {
		zxproc_copy_pinned(x, pages, offset_in_page(addr), upages,
				   offset_in_page(ubuf), len);
		*done = len;
	}
	zxproc_unpin(x, pages, pinned, offset_in_page(addr), *done);
	if (!x->write && *done)
		unpin_user_pages_dirty_lock(upages, unr, true);
	else
		unpin_user_pages(upages, unr);
out_free:
	kvfree(pages);
	return ret;
}

/**
 * zxproc_range_span() - how much of a range can possibly be mapped
 * @addr: target address.
 * @len: validated length.
 * @limit: the end of the target's user address space (mm->task_size).
 * @all: ZXPROC_MEM_ALL_OR_NOTHING: every byte must be reachable.
 * @span: out: the bytes below @limit, which a copy may reach.
 *
 * Return: 0, or -ENOMEM when the range starts past the user address
 * space, wraps around, or (with @all) does not fit below @limit: such
 * addresses are never mapped.
 */
VISIBLE_IF_KUNIT int zxproc_range_span(u64 addr, u64 len, u64 limit, bool all,
				       u64 *span)
{
	if (addr >= limit || addr + len < addr)
		return -ENOMEM;
	if (len > limit - addr) {
		if (all)
			return -ENOMEM;
		len = limit - addr;
	}
	*span = len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_range_span);

/**
 * zxproc_xfer_check() - the checks of a range that come before any pin
 * @x: the access.
 * @addr: target address.
 * @ubuf: the caller's buffer.
 * @len: validated length.
 * @span: out: the part of the target range that can be mapped at all.
 *
 * Return: 0, -EFAULT (the buffer is not user memory) or -ENOMEM.
 */
int zxproc_xfer_check(const struct zxproc_xfer *x, u64 addr,
		      const char __user *ubuf, u64 len, u64 *span)
{
	if (!access_ok(ubuf, len))
		return -EFAULT;
	return zxproc_range_span(addr, len, x->mm->task_size, x->all, span);
}

/**
 * zxproc_xfer_range() - copy one range, with the rules of ZXPROC_IOC_WRITE
 * @x: the access.
 * @addr: target address.
 * @ubuf: the caller's buffer.
 * @len: validated length.
 * @done: out: bytes copied, also on failure.
 *
 * Return: 0 (a complete or short copy; see *@done) or a negative errno.
 */
int zxproc_xfer_range(struct zxproc_xfer *x, u64 addr, char __user *ubuf,
		      u64 len, size_t *done)
{
	u64 span;
	int ret;

	*done = 0;
	ret = zxproc_xfer_check(x, addr, ubuf, len, &span);
	if (ret)
		return ret;
	if (x->all)
		return zxproc_xfer_all(x, addr, ubuf, span, done);
	return zxproc_xfer_some(x, addr, ubuf, span, done);
}
