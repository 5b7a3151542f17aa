// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for zxproc's pure logic: rights arithmetic, command
 * matching, range validation, the copy engine's step and dirty-page
 * arithmetic, the errno each kind of mapping yields, the forcing policy
 * read from the kernel command line, batch element sizes, the
 * protection modes of a memory call, and the arguments of a
 * compare-and-swap.  Built as zxproc_kunit.ko only
 * against kernels with CONFIG_KUNIT (the debug-kernel tier); it runs
 * when loaded, after zxproc.ko, and reports KTAP in the kernel log.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>

#include "compat.h"
#include "zxproc.h"

static void zxproc_test_rights_open(struct kunit *test)
{
	u32 rights = 0;

	KUNIT_EXPECT_EQ(test, zxproc_rights_for_open(0, &rights), 0);
	KUNIT_EXPECT_EQ(test, rights, 0U);
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_open(ZXPROC_RIGHTS_ALL, &rights), 0);
	KUNIT_EXPECT_EQ(test, rights, ZXPROC_RIGHTS_ALL);
	/* No source handle to take "the same rights" from. */
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_open(ZXPROC_RIGHT_SAME_RIGHTS, &rights), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_open(1U << 4, &rights), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_open(ZXPROC_RIGHT_READ | (1U << 16), &rights),
			-EINVAL);
}

static void zxproc_test_rights_dup(struct kunit *test)
{
	const u32 have = ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE;
	u32 rights = 0;

	KUNIT_EXPECT_EQ(test, zxproc_rights_for_dup(have, ZXPROC_RIGHT_SAME_RIGHTS, &rights), 0);
	KUNIT_EXPECT_EQ(test, rights, have);
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_dup(have, ZXPROC_RIGHT_READ, &rights), 0);
	KUNIT_EXPECT_EQ(test, rights, ZXPROC_RIGHT_READ);
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_dup(have, 0, &rights), 0);
	KUNIT_EXPECT_EQ(test, rights, 0U);
	/* Rights never grow. */
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_dup(have, ZXPROC_RIGHT_WRITE, &rights), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_dup(have, have | ZXPROC_RIGHT_INSPECT, &rights),
			-EINVAL);
	/* SAME_RIGHTS means "the same" only alone. */
	KUNIT_EXPECT_EQ(test, zxproc_rights_for_dup(have, ZXPROC_RIGHT_SAME_RIGHTS |
						    ZXPROC_RIGHT_READ, &rights), -EINVAL);
}

static void zxproc_test_rights_check(struct kunit *test)
{
	struct zxproc_handle h = { .rights = ZXPROC_RIGHT_READ | ZXPROC_RIGHT_INSPECT };

	KUNIT_EXPECT_EQ(test, zxproc_rights_check(&h, ZXPROC_RIGHT_READ), 0);
	KUNIT_EXPECT_EQ(test, zxproc_rights_check(&h, 0), 0);
	KUNIT_EXPECT_EQ(test, zxproc_rights_check(&h, ZXPROC_RIGHT_WRITE), -EACCES);
	KUNIT_EXPECT_EQ(test, zxproc_rights_check(&h, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE),
			-EACCES);
}

static void zxproc_test_cmd_is(struct kunit *test)
{
	const unsigned int w = ZXPROC_IOC_WRITE;
	const unsigned int size = _IOC_SIZE(w);

	KUNIT_EXPECT_TRUE(test, zxproc_cmd_is(w, w));
	/* A newer caller's longer struct is the same command... */
	KUNIT_EXPECT_TRUE(test, zxproc_cmd_is(_IOC(_IOC_READ | _IOC_WRITE, ZXPROC_IOC_MAGIC,
						   0x20, size + 8), w));
	/* ...a struct shorter than the first version is not. */
	KUNIT_EXPECT_FALSE(test, zxproc_cmd_is(_IOC(_IOC_READ | _IOC_WRITE, ZXPROC_IOC_MAGIC,
						    0x20, size - 8), w));
	KUNIT_EXPECT_FALSE(test, zxproc_cmd_is(_IOC(_IOC_WRITE, ZXPROC_IOC_MAGIC, 0x20, size), w));
	KUNIT_EXPECT_FALSE(test, zxproc_cmd_is(_IOC(_IOC_READ | _IOC_WRITE, ZXPROC_IOC_MAGIC + 1,
						    0x20, size), w));
	KUNIT_EXPECT_FALSE(test, zxproc_cmd_is(ZXPROC_IOC_READ, w));
}

static void zxproc_test_range_valid(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zxproc_range_valid(1, 1), 0);
	KUNIT_EXPECT_EQ(test, zxproc_range_valid(1, ZXPROC_MAX_TRANSFER), 0);
	KUNIT_EXPECT_EQ(test, zxproc_range_valid(1, ZXPROC_MAX_TRANSFER + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_range_valid(1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_range_valid(0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_range_valid(1, U64_MAX), -EINVAL);
}

static void zxproc_test_range_span(struct kunit *test)
{
	const u64 limit = 1ULL << 47;
	u64 span = 0;

	KUNIT_EXPECT_EQ(test, zxproc_range_span(0x1000, 16, limit, false, &span), 0);
	KUNIT_EXPECT_EQ(test, span, 16ULL);
	KUNIT_EXPECT_EQ(test, zxproc_range_span(limit - 1, 1, limit, true, &span), 0);
	KUNIT_EXPECT_EQ(test, span, 1ULL);
	/* Past the user address space: never mapped. */
	KUNIT_EXPECT_EQ(test, zxproc_range_span(limit, 1, limit, false, &span), -ENOMEM);
	KUNIT_EXPECT_EQ(test, zxproc_range_span(U64_MAX, 1, limit, false, &span), -ENOMEM);
	/* Straddling the end: the part below it, or nothing when all-or-nothing. */
	KUNIT_EXPECT_EQ(test, zxproc_range_span(limit - 10, 20, limit, false, &span), 0);
	KUNIT_EXPECT_EQ(test, span, 10ULL);
	KUNIT_EXPECT_EQ(test, zxproc_range_span(limit - 10, 20, limit, true, &span), -ENOMEM);
	/* Wrapping around the top of the address space. */
	KUNIT_EXPECT_EQ(test, zxproc_range_span(U64_MAX - 2, 8, U64_MAX, false, &span), -ENOMEM);
}

static void zxproc_test_step(struct kunit *test)
{
	static const u64 addrs[] = { 0x10000, 0x10001, 0x10fff, 0x7ffffffff000ULL };
	static const u64 lens[] = { 1, 2, PAGE_SIZE, PAGE_SIZE + 1, 64 * PAGE_SIZE,
				    64 * PAGE_SIZE + 1, ZXPROC_MAX_TRANSFER };
	size_t off, chunk;
	unsigned long nr;
	int i, j;

	nr = zxproc_step(0x10fff, 2, &off, &chunk);
	KUNIT_EXPECT_EQ(test, off, (size_t)0xfff);
	KUNIT_EXPECT_EQ(test, chunk, (size_t)2);
	KUNIT_EXPECT_EQ(test, nr, 2UL);

	nr = zxproc_step(0x10000, ZXPROC_MAX_TRANSFER, &off, &chunk);
	KUNIT_EXPECT_EQ(test, chunk, (size_t)(64 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, nr, 64UL);

	/* Invariants: progress, never past the batch or the range. */
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			nr = zxproc_step(addrs[i], lens[j], &off, &chunk);
			KUNIT_EXPECT_EQ(test, off, (size_t)offset_in_page(addrs[i]));
			KUNIT_EXPECT_GE(test, chunk, (size_t)1);
			KUNIT_EXPECT_LE(test, (u64)chunk, lens[j]);
			KUNIT_EXPECT_GE(test, nr, 1UL);
			KUNIT_EXPECT_LE(test, nr, 64UL);
			KUNIT_EXPECT_EQ(test, nr, DIV_ROUND_UP(off + chunk, PAGE_SIZE));
		}
	}
}

static int zxproc_test_vma_errno(vm_flags_t flags, unsigned int gup_flags)
{
	struct vm_area_struct vma = { .vm_start = 0x10000, .vm_end = 0x20000 };

	zxproc_vma_init_flags(&vma, flags);
	return zxproc_vma_error(&vma, 0x10000, gup_flags);
}

static void zxproc_test_vma_error(struct kunit *test)
{
	const vm_flags_t priv_ro = VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_EXEC;
	const vm_flags_t shared_ro = VM_READ | VM_MAYREAD | VM_SHARED | VM_MAYSHARE;
	const vm_flags_t prot_none = VM_MAYREAD | VM_MAYWRITE;
	struct vm_area_struct above = { .vm_start = 0x30000, .vm_end = 0x40000 };

	/* Nothing mapped at the address. */
	KUNIT_EXPECT_EQ(test, zxproc_vma_error(NULL, 0x10000, FOLL_WRITE), -ENOMEM);
	zxproc_vma_init_flags(&above, VM_READ | VM_WRITE);
	KUNIT_EXPECT_EQ(test, zxproc_vma_error(&above, 0x20000, FOLL_WRITE), -ENOMEM);
	/* Not cacheable. */
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(VM_READ | VM_WRITE | VM_IO, FOLL_WRITE), -EIO);
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(VM_READ | VM_PFNMAP, 0), -EIO);
	/* Program text: refused without FOLL_FORCE, reachable by COW with it. */
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(priv_ro, FOLL_WRITE), -EACCES);
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(priv_ro, FOLL_WRITE | FOLL_FORCE), -ENOMEM);
	/* A shared read-only file mapping is never written, forced or not. */
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(shared_ro, FOLL_WRITE | FOLL_FORCE), -EACCES);
	/* PROT_NONE: only a forced access goes through. */
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(prot_none, 0), -EACCES);
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(prot_none, FOLL_FORCE), -ENOMEM);
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(prot_none, FOLL_WRITE | FOLL_FORCE), -ENOMEM);
	/* hugetlb: GUP breaks COW there from 7.2 on; before, a forced write is refused. */
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(priv_ro | VM_HUGETLB, FOLL_WRITE | FOLL_FORCE),
			ZXPROC_GUP_FORCES_HUGETLB ? -ENOMEM : -EACCES);
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(priv_ro | VM_HUGETLB, FOLL_FORCE), -ENOMEM);
	KUNIT_EXPECT_EQ(test, zxproc_test_vma_errno(VM_READ | VM_WRITE | VM_HUGETLB, FOLL_WRITE),
			-ENOMEM);
}

/* memfd_secret(2) memory is mapped, but GUP never reaches it. */
static void zxproc_test_vma_secret(struct kunit *test)
{
	struct vm_area_struct vma = { .vm_start = 0x10000, .vm_end = 0x20000 };
	struct super_block *sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	struct inode *inode = kunit_kzalloc(test, sizeof(*inode), GFP_KERNEL);
	struct file *file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sb);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, inode);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	inode->i_sb = sb;
	file->f_inode = inode;
	vma.vm_file = file;
	zxproc_vma_init_flags(&vma, VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE);

	sb->s_magic = TMPFS_MAGIC;
	KUNIT_EXPECT_EQ(test, zxproc_vma_error(&vma, 0x10000, FOLL_WRITE), -ENOMEM);
	sb->s_magic = SECRETMEM_MAGIC;
	KUNIT_EXPECT_EQ(test, zxproc_vma_error(&vma, 0x10000, FOLL_WRITE), -EACCES);
	KUNIT_EXPECT_EQ(test, zxproc_vma_error(&vma, 0x10000, FOLL_FORCE), -EACCES);
}

static void zxproc_test_dirty_pages(struct kunit *test)
{
	/* Nothing written: nothing dirty, however much was pinned. */
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, 0, 0), 0UL);
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, PAGE_SIZE - 1, 0), 0UL);
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, 0, 1), 1UL);
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, PAGE_SIZE - 1, 1), 1UL);
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, PAGE_SIZE - 1, 2), 2UL);
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, 0, PAGE_SIZE), 1UL);
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(64, 0, PAGE_SIZE + 1), 2UL);
	/* Never more than were pinned. */
	KUNIT_EXPECT_EQ(test, zxproc_dirty_pages(2, 16, 3 * PAGE_SIZE), 2UL);
}

static enum zxproc_force_policy zxproc_test_parse(struct kunit *test,
						  const char *cmdline,
						  enum zxproc_force_policy initial)
{
	char *copy = kunit_kzalloc(test, strlen(cmdline) + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	strcpy(copy, cmdline);
	return zxproc_force_parse(copy, initial);
}

/*
 * The kernel command line, split as early_param() splits it, taking the
 * strictest value (the kernel takes the last, but cannot be told apart
 * from bootconfig's keys, which it ignores).
 */
static void zxproc_test_force_parse(struct kunit *test)
{
	const enum zxproc_force_policy a = ZXPROC_FORCE_ALWAYS;
	const enum zxproc_force_policy p = ZXPROC_FORCE_PTRACE;
	const enum zxproc_force_policy n = ZXPROC_FORCE_NEVER;
	const char *among = "root=/dev/vda proc_mem.force_override=ptrace ro\n";
	const char *twice = "proc_mem.force_override=never proc_mem.force_override=ptrace";
	const char *bad = "proc_mem.force_override=never proc_mem.force_override=sometimes";
	const char *init = "quiet -- proc_mem.force_override=never";

	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "", a), a);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "", n), n);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "console=ttyS0 quiet\n", p), p);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override=never", a), n);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, among, a), p);
	/* Never looser than the configured policy, nor than any value. */
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override=always", n), n);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override=always", p), p);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, twice, a), n);
	/* An unknown value changes nothing. */
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, bad, a), n);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override=Never", a), a);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override", a), a);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override=", a), a);
	/* Dashes and underscores are the same in a parameter's name. */
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc-mem.force-override=never", a), n);
	/* Quotes are stripped, as the kernel does. */
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_override=\"never\"", a), n);
	/* Other parameters are not this one. */
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "xproc_mem.force_override=never", a), a);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "proc_mem.force_overrides=never", a), a);
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, "init=/bin/sh proc_mem.force=never", a), a);
	/* After "--" come init's arguments, not the kernel's. */
	KUNIT_EXPECT_EQ(test, zxproc_test_parse(test, init, a), a);
}

static void zxproc_test_seg_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct zxproc_seg), (size_t)ZXPROC_SEG_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(ZXPROC_SEG_SIZE_VER0), 0);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(ZXPROC_SEG_SIZE_VER0 + 8), 0);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(ZXPROC_SEG_SIZE_MAX), 0);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(32), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(ZXPROC_SEG_SIZE_VER0 + 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(ZXPROC_SEG_SIZE_MAX + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_seg_size_valid(U32_MAX), -EINVAL);
}

static void zxproc_test_mem_flags(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(0), 0);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_ALL_OR_NOTHING), 0);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_NO_FORCE), 0);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_FORCE_EXEC |
						     ZXPROC_MEM_ALL_OR_NOTHING), 0);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_FORCE_FIRST_EXEC |
						     ZXPROC_MEM_ALL_OR_NOTHING), 0);
	/* Two modes at once, and bits no one defined. */
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_NO_FORCE |
						     ZXPROC_MEM_FORCE_EXEC), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_NO_FORCE |
						     ZXPROC_MEM_FORCE_FIRST_EXEC), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_FORCE_EXEC |
						     ZXPROC_MEM_FORCE_FIRST_EXEC), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_MODES), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(ZXPROC_MEM_FLAGS), -EINVAL);
	/* The lowest bit the header leaves free (bit 4 is ZXPROC_MEM_NO_FAULT). */
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(~ZXPROC_MEM_FLAGS &
						     (ZXPROC_MEM_FLAGS + 1)), -EINVAL);
	KUNIT_EXPECT_EQ(test, zxproc_mem_flags_check(1U << 31 | ZXPROC_MEM_NO_FORCE), -EINVAL);
}

static void zxproc_test_force_vma(struct kunit *test)
{
	const unsigned long text = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	const unsigned long rodata = VM_READ | VM_MAYREAD | VM_MAYWRITE;
	const unsigned long none = VM_MAYREAD | VM_MAYWRITE;
	const unsigned long exec_only = VM_EXEC | VM_MAYREAD | VM_MAYEXEC;
	const u32 exec = ZXPROC_MEM_FORCE_EXEC;

	/* Today's rule: forced wherever the host forces. */
	KUNIT_EXPECT_TRUE(test, zxproc_force_vma(0, true, text));
	KUNIT_EXPECT_TRUE(test, zxproc_force_vma(ZXPROC_MEM_ALL_OR_NOTHING, true, none));
	/* Honour the mapping: never. */
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(ZXPROC_MEM_NO_FORCE, true, text));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(ZXPROC_MEM_NO_FORCE, true, none));
	/* Windows' rule: code yes, read-only data and PROT_NONE no. */
	KUNIT_EXPECT_TRUE(test, zxproc_force_vma(exec, true, text));
	KUNIT_EXPECT_TRUE(test, zxproc_force_vma(exec, true, exec_only));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(exec, true, rodata));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(exec, true, none));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(exec | ZXPROC_MEM_ALL_OR_NOTHING, true, rodata));
	/* The host's policy bounds every mode: no mode adds forcing. */
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(0, false, text));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(exec, false, text));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(ZXPROC_MEM_NO_FORCE, false, text));
	/* FORCE_FIRST_EXEC, as FORCE_EXEC, by the mapping's own flags. */
	KUNIT_EXPECT_TRUE(test, zxproc_force_vma(ZXPROC_MEM_FORCE_FIRST_EXEC, true, text));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(ZXPROC_MEM_FORCE_FIRST_EXEC, true, rodata));
	KUNIT_EXPECT_FALSE(test, zxproc_force_vma(ZXPROC_MEM_FORCE_FIRST_EXEC, false, text));
}

/* Windows' region rule: forced only in the first byte's mapping, if code. */
static void zxproc_test_vma_forced(struct kunit *test)
{
	const unsigned long text = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	const u32 first = ZXPROC_MEM_FORCE_FIRST_EXEC;
	/*
	 * On the heap: four VMAs on the stack make a frame over the
	 * 1280-byte limit of a KASAN build of 7.2, whose vm_area_struct grew.
	 */
	struct vm_area_struct *vmas = kunit_kcalloc(test, 4, sizeof(*vmas), GFP_KERNEL);
	struct vm_area_struct *code, *code2, *rw, *ro;

	KUNIT_ASSERT_NOT_NULL(test, vmas);
	code = &vmas[0];
	code2 = &vmas[1];
	rw = &vmas[2];
	ro = &vmas[3];
	code->vm_start = 0x10000;
	code->vm_end = 0x12000;
	code2->vm_start = 0x12000;
	code2->vm_end = 0x18000;
	rw->vm_start = 0x8000;
	rw->vm_end = 0x10000;
	ro->vm_start = 0x18000;
	ro->vm_end = 0x20000;
	zxproc_vma_init_flags(code, text);
	zxproc_vma_init_flags(code2, text);
	zxproc_vma_init_flags(rw, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE);
	zxproc_vma_init_flags(ro, VM_READ | VM_MAYREAD | VM_MAYWRITE);
	/* Code that holds the first byte: forced. */
	KUNIT_EXPECT_TRUE(test, zxproc_vma_forced(first, code, code));
	KUNIT_EXPECT_TRUE(test, zxproc_vma_forced(first | ZXPROC_MEM_ALL_OR_NOTHING, code, code));
	/* Code past it (exec -> exec, rw -> exec), or nothing at the first byte: not. */
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(first, code2, code));
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(first, code, rw));
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(first, code, NULL));
	/* Data, first or not (exec -> data): not. */
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(first, ro, ro));
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(first, ro, code));
	/* FORCE_EXEC goes on into code2; the other modes ignore @first. */
	KUNIT_EXPECT_TRUE(test, zxproc_vma_forced(ZXPROC_MEM_FORCE_EXEC, code2, code));
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(ZXPROC_MEM_FORCE_EXEC, ro, code));
	KUNIT_EXPECT_TRUE(test, zxproc_vma_forced(0, ro, code));
	KUNIT_EXPECT_FALSE(test, zxproc_vma_forced(ZXPROC_MEM_NO_FORCE, code, code));
}

static void zxproc_test_cas_valid(struct kunit *test)
{
	struct zxproc_cas req = { .addr = 0x1000, .size = 8,
				  .expected = U64_MAX, .desired = 0 };
	u32 size;

	KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), 0);
	for (size = 0; size <= 16; size++) {
		bool ok = size == 1 || size == 2 || size == 4 || size == 8;

		req = (struct zxproc_cas){ .addr = 0x1000, .size = size };
		KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), ok ? 0 : -EINVAL);
		if (!ok)
			continue;
		/* Misaligned by one byte, when the size is more than one. */
		req.addr = 0x1001;
		KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req),
				size == 1 ? 0 : -EINVAL);
		req.addr = 0x1000;
		if (size == 8)
			continue;
		/* A value that does not fit in @size bytes. */
		req.expected = BIT_ULL(size * 8);
		KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), -EINVAL);
		req.expected = BIT_ULL(size * 8) - 1;
		req.desired = BIT_ULL(63);
		KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), -EINVAL);
	}
	req = (struct zxproc_cas){ .addr = 0x1000, .size = 4 };
	req.flags = ZXPROC_MEM_FORCE_EXEC;
	KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), 0);
	req.flags = ZXPROC_MEM_ALL_OR_NOTHING;
	KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), -EINVAL);
	req.flags = ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_EXEC;
	KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), -EINVAL);
	req.flags = BIT(31);
	KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), -EINVAL);
	req.flags = 0;
	req.reserved = 1;
	KUNIT_EXPECT_EQ(test, zxproc_cas_valid(&req), -EINVAL);
}

static struct kunit_case zxproc_test_cases[] = {
	KUNIT_CASE(zxproc_test_rights_open),
	KUNIT_CASE(zxproc_test_rights_dup),
	KUNIT_CASE(zxproc_test_rights_check),
	KUNIT_CASE(zxproc_test_cmd_is),
	KUNIT_CASE(zxproc_test_range_valid),
	KUNIT_CASE(zxproc_test_range_span),
	KUNIT_CASE(zxproc_test_step),
	KUNIT_CASE(zxproc_test_vma_error),
	KUNIT_CASE(zxproc_test_vma_secret),
	KUNIT_CASE(zxproc_test_dirty_pages),
	KUNIT_CASE(zxproc_test_force_parse),
	KUNIT_CASE(zxproc_test_seg_size),
	KUNIT_CASE(zxproc_test_mem_flags),
	KUNIT_CASE(zxproc_test_force_vma),
	KUNIT_CASE(zxproc_test_vma_forced),
	KUNIT_CASE(zxproc_test_cas_valid),
	{}
};

static struct kunit_suite zxproc_test_suite = {
	.name = "zxproc",
	.test_cases = zxproc_test_cases,
};

kunit_test_suite(zxproc_test_suite);

MODULE_DESCRIPTION("KUnit tests for zxproc");
MODULE_LICENSE("GPL");
ZXPROC_IMPORT_KUNIT_NS();
