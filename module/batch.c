// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_WRITEV and ZXPROC_IOC_READV: many ranges in one call, each
 * with the rules of ZXPROC_IOC_WRITE/READ and its own outcome.
 *
 * A typical batch is many small segments at scattered addresses
 * (breakpoints, patched words), for which checking and locking the
 * target once per segment costs as much as the copy.  So the first
 * pages of as many segments as ZXPROC_PIN_BATCH pages hold are pinned
 * under one lock (a group), and the segments are then copied one by one
 * without it.
 *
 * Memory: a copy of the segment array (at most 40 KiB for 1024
 * segments) and, unless all or nothing, one struct zxproc_group (2.5 KiB).
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <kunit/visibility.h>

#include "trace.h"
#include "zxproc.h"

/**
 * zxproc_seg_size_valid() - is @seg_size an element size the kernel takes?
 * @seg_size: struct zxproc_memv's @seg_size.
 *
 * Return: 0, or -EINVAL unless it is a multiple of 8 from
 * ZXPROC_SEG_SIZE_VER0 to ZXPROC_SEG_SIZE_MAX.
 */
VISIBLE_IF_KUNIT int zxproc_seg_size_valid(u32 seg_size)
{
	if (seg_size < ZXPROC_SEG_SIZE_VER0 || seg_size > ZXPROC_SEG_SIZE_MAX ||
	    seg_size % 8)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_seg_size_valid);

/* The caller's element @i. */
static struct zxproc_seg __user *zxproc_useg(const struct zxproc_memv *req,
					     u32 i)
{
	return u64_to_user_ptr(req->segs + (u64)i * req->seg_size);
}

/*
 * Copy a batch's segment array in once, element by element at the
 * caller's element size (all at once when it is ours), and validate all
 * of it.
 */
static struct zxproc_seg *zxproc_segs_in(const struct zxproc_memv *req)
{
	struct zxproc_seg *segs;
	u64 total = 0;
	int ret = 0;
	u32 i;

	if (!req->nr_segs || req->nr_segs > ZXPROC_MAX_SEGMENTS ||
	    zxproc_seg_size_valid(req->seg_size))
		return ERR_PTR(-EINVAL);
	segs = kvmalloc_array(req->nr_segs, sizeof(*segs), GFP_KERNEL_ACCOUNT);
	if (!segs)
		return ERR_PTR(-ENOMEM);
	if (req->seg_size == sizeof(*segs)) {
		if (copy_from_user(segs, u64_to_user_ptr(req->segs),
				   array_size(req->nr_segs, sizeof(*segs))))
			ret = -EFAULT;
	} else {
		for (i = 0; i < req->nr_segs && !ret; i++)
			ret = copy_struct_from_user(&segs[i], sizeof(*segs),
						    zxproc_useg(req, i),
						    req->seg_size);
	}
	for (i = 0; i < req->nr_segs && !ret; i++) {
		total += segs[i].len;
		if (zxproc_range_valid(segs[i].buf, segs[i].len) ||
		    segs[i].reserved || total > ZXPROC_MAX_TRANSFER)
			ret = -EINVAL;
	}
	if (ret) {
		kvfree(segs);
		return ERR_PTR(ret);
	}
	return segs;
}

/*
 * Record segment *@i's outcome: its status and bytes in the caller's
 * array, its bytes in *@actual; *@i then counts it.  Return: 0 to go on,
 * -EFAULT when the outcome cannot be written, or @ret itself when it
 * concerns the whole target (ESTALE, EINTR) and so ends the batch.
 */
/* The tracepoint of one segment's access. */
static void zxproc_seg_trace(const struct zxproc_xfer *x,
			     const struct zxproc_seg *seg, int ret, size_t done)
{
	trace_zxproc_mem(x->h, x->write ? ZXPROC_OP_WRITEV : ZXPROC_OP_READV,
			 seg->addr, seg->len, done, ret);
}

static int zxproc_seg_done(const struct zxproc_memv *req, u32 *i, int ret,
			   size_t done, u64 *actual)
{
	struct zxproc_seg __user *useg = zxproc_useg(req, *i);

	*actual += done;
	if (put_user((u64)done, &useg->actual) ||
	    put_user((s32)ret, &useg->status))
		return -EFAULT;
	(*i)++;
	return ret == -ESTALE || ret == -EINTR ? ret : 0;
}

/**
 * struct zxproc_group - the first pages of a group of a batch's segments
 * @pages: the pinned pages, segment after segment.
 * @first: per segment of the group: @pinned pages (or the errno of its
 *	checks or of its first pin), @off and @chunk as zxproc_step()
 *	gives them, @span, the bytes the segment may reach; then its
 *	outcome, @err and @done, kept until no page of the group is pinned.
 */
struct zxproc_group {
	struct page *pages[ZXPROC_PIN_BATCH];
	struct {
		long pinned;
		size_t off;
		size_t chunk;
		u64 span;
		int err;
		size_t done;
	} first[ZXPROC_PIN_BATCH];
};

/*
 * Pin the first pages of the group's segments, from segment @i on, under
 * one check of the target.  Return: the number of segments the group
 * took; *@used counts the pages pinned.
 */
static u32 zxproc_group_pin(struct zxproc_xfer *x, struct zxproc_group *g,
			    const struct zxproc_seg *segs, u32 nr_segs, u32 i,
			    unsigned long *used)
{
	bool begun = false;
	u32 m;

	*used = 0;
	for (m = 0; m < ZXPROC_PIN_BATCH && i + m < nr_segs; m++) {
		const struct zxproc_seg *s = &segs[i + m];
		unsigned long nr;
		bool end;

		g->first[m].pinned = zxproc_xfer_check(x, s->addr,
						       u64_to_user_ptr(s->buf),
						       s->len, &g->first[m].span);
		if (g->first[m].pinned)
			continue;
		nr = zxproc_step(s->addr, g->first[m].span, &g->first[m].off,
				 &g->first[m].chunk);
		/* Never true for the first segment: nr <= ZXPROC_PIN_BATCH. */
		if (*used + nr > ZXPROC_PIN_BATCH)
			break;
		/*
		 * Begun only now, so a segment that fails its own checks
		 * gets its own error even when the target is gone: the
		 * check's ESTALE or EINTR goes to the first segment that
		 * needs a pin, and ends the batch there.
		 */
		if (!begun) {
			g->first[m].pinned = zxproc_pin_begin(x);
			if (g->first[m].pinned)
				return m + 1;
			begun = true;
		}
		g->first[m].pinned = zxproc_pin_locked(x, s->addr & PAGE_MASK,
						       s->addr & PAGE_MASK,
						       nr, g->pages + *used,
						       &end);
		if (g->first[m].pinned > 0)
			*used += g->first[m].pinned;
		if (g->first[m].pinned == -EINTR ||
		    g->first[m].pinned == -ESTALE) {
			m++;	/* the end of the batch: this segment is last */
			break;
		}
	}
	if (begun)
		zxproc_pin_end(x);
	return m;
}

/*
 * Copy segment @s of a group from its pinned first pages @pages, at
 * *@at in the group's @used pages.  What needs more than those pages (a
 * caller buffer to fault in, pages past the first ones) ends the group:
 * the pages of the segments after it are unpinned first, so none stays
 * pinned while a fault waits.  Return: whether the group goes on.
 */
static bool zxproc_group_copy(struct zxproc_xfer *x, struct zxproc_group *g,
			      u32 k, const struct zxproc_seg *s,
			      unsigned long *at, unsigned long used)
{
	char __user *ubuf = u64_to_user_ptr(s->buf);
	typeof(g->first[0]) *f = &g->first[k];
	size_t chunk;

	f->done = 0;
	f->err = f->pinned < 0 ? f->pinned : 0;
	if (f->err)	/* nothing copied, so never a short copy */
		return f->err != -ESTALE && f->err != -EINTR;

	chunk = min_t(size_t, f->chunk, f->pinned * PAGE_SIZE - f->off);
	f->err = zxproc_copy_user(x, g->pages + *at, f->off, ubuf, chunk,
				  &f->done);
	zxproc_unpin(x, g->pages + *at, f->pinned, f->off, f->done);
	*at += f->pinned;
	if (f->err != -EAGAIN && (f->err || f->done == f->span))
		return f->err != -EINTR;

	zxproc_unpin(x, g->pages + *at, used - *at, 0, 0);
	*at = used;
	if (f->err == -EAGAIN)
		f->err = zxproc_fault_in(x, ubuf + f->done, chunk - f->done);
	if (!f->err)
		f->err = zxproc_xfer_some(x, s->addr, ubuf, f->span, &f->done);
	return false;
}

/*
 * Copy a group of a batch's segments, from segment *@i on, then report
 * their outcomes, with no page of the group pinned: writing an outcome
 * into the caller's array may fault, and may wait (a userfaultfd of the
 * caller's), for as long as the caller likes.  Return: 0 to go on with
 * segment *@i, or the errno that ends the batch.
 */
static int zxproc_memv_group(struct zxproc_xfer *x, struct zxproc_group *g,
			     const struct zxproc_memv *req,
			     const struct zxproc_seg *segs, u32 *i,
			     u64 *actual)
{
	unsigned long used, at = 0;
	const u32 from = *i;
	bool more = true;
	int ret = 0;
	u32 m, k;

	m = zxproc_group_pin(x, g, segs, req->nr_segs, *i, &used);
	for (k = 0; k < m && more; k++)
		more = zxproc_group_copy(x, g, k, &segs[*i + k], &at, used);
	m = k;
	/* Pages of the segments the group did not get to. */
	if (at < used)
		zxproc_unpin(x, g->pages + at, used - at, 0, 0);
	/* After a failed write-back, the total still counts every byte. */
	for (k = 0; k < m; k++) {
		zxproc_seg_trace(x, &segs[from + k], g->first[k].err,
				 g->first[k].done);
		if (!ret)
			ret = zxproc_seg_done(req, i, g->first[k].err,
					      g->first[k].done, actual);
		else
			*actual += g->first[k].done;
	}
	return ret;
}

/*
 * All or nothing: no failure may come after a byte reached the target,
 * so the outcome fields are found writable first (and say "nothing").
 */
static int zxproc_memv_zero(const struct zxproc_memv *req,
			    struct zxproc_memv __user *uarg)
{
	u32 i;

	if (put_user(0ULL, &uarg->actual) || put_user(0U, &uarg->done))
		return -EFAULT;
	for (i = 0; i < req->nr_segs; i++) {
		if (put_user(0ULL, &zxproc_useg(req, i)->actual) ||
		    put_user(0, &zxproc_useg(req, i)->status))
			return -EFAULT;
	}
	return 0;
}

/**
 * zxproc_memv_ioctl() - ZXPROC_IOC_WRITEV and ZXPROC_IOC_READV
 * @h: the handle.
 * @cmd: the command, for the argument size.
 * @arg: user pointer to struct zxproc_memv.
 * @write: WRITEV (true) or READV.
 *
 * Return: 0 or a negative errno (see uapi header).
 */
long zxproc_memv_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		       unsigned long arg, bool write)
{
	struct zxproc_memv __user *uarg = u64_to_user_ptr((u64)arg);
	struct zxproc_group *g = NULL;
	struct zxproc_seg *segs;
	struct zxproc_memv req;
	struct zxproc_xfer x;
	bool begun = false;
	u64 actual = 0;
	u32 i = 0;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (zxproc_mem_flags_valid(req.flags, write)) {
		ret = -EINVAL;
		goto out_refused;
	}
	segs = zxproc_segs_in(&req);
	if (IS_ERR(segs)) {
		ret = PTR_ERR(segs);
		goto out_refused;
	}
	ret = zxproc_rights_check(h, write ? ZXPROC_RIGHT_WRITE :
					     ZXPROC_RIGHT_READ);
	if (ret)
		goto out_free;

	/* All-or-nothing pins each segment whole: it has no use for groups. */
	if (req.flags & ZXPROC_MEM_ALL_OR_NOTHING) {
		ret = zxproc_memv_zero(&req, uarg);
		if (ret)
			goto out_free;
	} else {
		g = kmalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
		if (!g) {
			/* Nothing done yet: nothing to report back. */
			ret = -ENOMEM;
			goto out_free;
		}
	}
	ret = zxproc_xfer_begin(h, write, req.flags, &x);
	if (ret)
		goto out_counts;
	begun = true;
	while (i < req.nr_segs && !ret) {
		size_t done;
		int err;

		if (g) {
			ret = zxproc_memv_group(&x, g, &req, segs, &i, &actual);
		} else {
			err = zxproc_xfer_range(&x, segs[i].addr,
						u64_to_user_ptr(segs[i].buf),
						segs[i].len, &done);
			zxproc_seg_trace(&x, &segs[i], err, done);
			ret = zxproc_seg_done(&req, &i, err, done, &actual);
		}
	}
	zxproc_xfer_end(&x);
out_counts:
	if (put_user(actual, &uarg->actual) || put_user(i, &uarg->done))
		ret = -EFAULT;
out_free:
	kfree(g);
	kvfree(segs);
out_refused:
	/* A batch refused before its first segment: one event for it all. */
	if (!begun)
		trace_zxproc_mem(h, write ? ZXPROC_OP_WRITEV : ZXPROC_OP_READV,
				 0, 0, 0, ret);
	return ret;
}
