/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zxproc: process handles with Zircon-style rights, and memory access
 * into the process a handle names.
 *
 * Two kinds of file descriptor speak this interface:
 *
 *  - the device, /dev/zxproc: answers ZXPROC_IOC_GET_VERSION and mints
 *    process handles with ZXPROC_IOC_PROCESS_OPEN;
 *  - a process handle (an anonymous-inode file, always close-on-exec):
 *    answers ZXPROC_IOC_INFO, ZXPROC_IOC_DUPLICATE, ZXPROC_IOC_MAPS,
 *    ZXPROC_IOC_WRITE, ZXPROC_IOC_READ, ZXPROC_IOC_WRITEV,
 *    ZXPROC_IOC_READV and ZXPROC_IOC_CAS.
 *
 * Any other command, or a command sent to the wrong kind of descriptor,
 * fails with ENOTTY.
 *
 * Argument structs are extensible: the kernel takes the struct's size
 * from _IOC_SIZE(cmd).  A caller built against an older, shorter struct
 * is served as before; a caller built against a newer, longer one is
 * served when every byte past the kernel's struct is zero, and gets
 * E2BIG otherwise.  Sizes below a struct's first published size fail
 * with ENOTTY.  Pointers travel as __u64.  Every flags field rejects
 * unknown bits, and every reserved field must be zero, with EINVAL.
 */
#ifndef _UAPI_LINUX_ZXPROC_H
#define _UAPI_LINUX_ZXPROC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The project's one version number.  MODULE_VERSION, dkms.conf, the
 * library's soname and libzxproc.pc are all derived from these three
 * lines (the build fails when a copy disagrees).
 */
#define ZXPROC_VERSION_MAJOR 0
#define ZXPROC_VERSION_MINOR 3
#define ZXPROC_VERSION_PATCH 0

/* Name of the misc device, as it appears under /dev. */
#define ZXPROC_DEVICE_NAME "zxproc"

/* Ioctl magic: unassigned in Documentation/userspace-api/ioctl/. */
#define ZXPROC_IOC_MAGIC 0xE8

/*
 * Rights carried by a process handle; the bit values are Zircon's
 * ZX_RIGHT_* values (bits 0, 1, 2, 3 and 15).
 */
#define ZXPROC_RIGHT_DUPLICATE	0x00000001U	/* ZXPROC_IOC_DUPLICATE */
#define ZXPROC_RIGHT_TRANSFER	0x00000002U	/* advisory; see README */
#define ZXPROC_RIGHT_READ	0x00000004U	/* ZXPROC_IOC_READ{,V}, _CAS */
#define ZXPROC_RIGHT_WRITE	0x00000008U	/* ZXPROC_IOC_WRITE{,V}, _CAS */
#define ZXPROC_RIGHT_INSPECT	0x00008000U	/* ZXPROC_IOC_MAPS */
#define ZXPROC_RIGHTS_ALL	(ZXPROC_RIGHT_DUPLICATE | \
				 ZXPROC_RIGHT_TRANSFER | \
				 ZXPROC_RIGHT_READ | \
				 ZXPROC_RIGHT_WRITE | \
				 ZXPROC_RIGHT_INSPECT)
/* Zircon's ZX_RIGHT_SAME_RIGHTS: "the rights of the source handle". */
#define ZXPROC_RIGHT_SAME_RIGHTS 0x80000000U

/* Object types reported by ZXPROC_IOC_INFO (Zircon's ZX_OBJ_TYPE_*). */
#define ZXPROC_OBJ_TYPE_PROCESS 1

/* Largest byte count of one memory access, and of one batch in total. */
#define ZXPROC_MAX_TRANSFER	(64ULL << 20)
/* Largest number of segments in one ZXPROC_IOC_WRITEV/READV. */
#define ZXPROC_MAX_SEGMENTS	1024

/**
 * struct zxproc_version - module version, from ZXPROC_IOC_GET_VERSION
 * @major: ZXPROC_VERSION_MAJOR the module was built with.
 * @minor: ZXPROC_VERSION_MINOR the module was built with.
 * @patch: ZXPROC_VERSION_PATCH the module was built with.
 * @reserved: written as zero.
 */
struct zxproc_version {
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 reserved;
};

/**
 * struct zxproc_open - argument of ZXPROC_IOC_PROCESS_OPEN
 * @pid: process or thread id, in the caller's pid namespace.  A thread
 *	id names the process the thread belongs to.
 * @rights: ZXPROC_RIGHT_* bits the new handle carries; other bits
 *	(including ZXPROC_RIGHT_SAME_RIGHTS) fail with EINVAL.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * Returns the new handle's file descriptor (O_CLOEXEC) on success.
 *
 * The caller may open its own process.  Any other target needs
 * CAP_SYS_PTRACE in the target's user namespace, both in the caller's
 * current credentials and in those that opened /dev/zxproc; a target
 * that is not dumpable also needs it in the user namespace that owns
 * the target's address space.  The check runs under the target's
 * exec_update_lock, and the handle is bound to the address space it was
 * checked against: after the target execs, every memory access begun
 * through the handle fails with ESTALE (a call already copying finishes
 * into the old address space, never the new one).
 *
 * Errors: EINVAL (bad rights, flags, reserved or pid <= 0), ESRCH (no
 * such process), EPERM (not permitted), EOPNOTSUPP (a kernel thread),
 * ESTALE (the process is exiting: it has no address space left, or
 * has already been reaped while the call looked it up),
 * EINTR (fatal signal while waiting for the target's exec lock),
 * EMFILE/ENFILE/ENOMEM (out of descriptors or memory), EFAULT (bad
 * argument pointer), E2BIG (non-zero bytes past the known struct).
 */
struct zxproc_open {
	__s32 pid;
	__u32 rights;
	__u32 flags;
	__u32 reserved;
};

/* ZXPROC_INFO_* bits of struct zxproc_info.flags */
/* The handle's address space is gone: the target exited or exec'd. */
#define ZXPROC_INFO_STALE	0x00000001U

/**
 * struct zxproc_info - result of ZXPROC_IOC_INFO
 * @rights: the handle's ZXPROC_RIGHT_* bits.
 * @type: ZXPROC_OBJ_TYPE_PROCESS.
 * @pid: the target's process id in the caller's pid namespace; 0 if it
 *	has none there, or once the process has been reaped (its number
 *	may then name another process).
 * @flags: ZXPROC_INFO_* bits.
 *
 * Needs no right.  Errors: EFAULT, ENOTTY (not a process handle).
 */
struct zxproc_info {
	__u32 rights;
	__u32 type;
	__s32 pid;
	__u32 flags;
};

/* ZXPROC_DUP_* bits of struct zxproc_dup.flags */
/*
 * Make the new handle as a replacement for this one (Zircon's
 * zx_handle_replace): ZXPROC_RIGHT_DUPLICATE is not needed.  The caller
 * is expected to close the old descriptor.  This grants nothing dup(2)
 * does not: the new handle never carries more rights than the old one.
 */
#define ZXPROC_DUP_REPLACE	0x00000001U

/**
 * struct zxproc_dup - argument of ZXPROC_IOC_DUPLICATE
 * @rights: rights of the new handle, a subset of the handle's own, or
 *	ZXPROC_RIGHT_SAME_RIGHTS alone for the same rights.
 * @flags: ZXPROC_DUP_* bits.
 *
 * Returns the new handle's file descriptor (O_CLOEXEC).  The new handle
 * names the same process and address space.
 *
 * Errors: EACCES (no ZXPROC_RIGHT_DUPLICATE, and not REPLACE), EINVAL
 * (rights not a subset, unknown flags), EMFILE/ENFILE/ENOMEM, EFAULT,
 * E2BIG, ENOTTY.
 */
struct zxproc_dup {
	__u32 rights;
	__u32 flags;
};

/* ZXPROC_MEM_* bits of struct zxproc_mem.flags and zxproc_memv.flags */
/*
 * All or nothing (ReadProcessMemory, and the first try of a Windows
 * WriteProcessMemory, in libzxproc-win32): the caller's whole
 * buffer and every page of the target range are pinned first; if any
 * cannot be, nothing is copied, @actual is 0 and the error of the first
 * inaccessible page is returned.  Once the copy has begun it runs to the
 * end: it cannot fail halfway.  The caller's buffer must be memory the
 * kernel can pin (not device memory, not memfd_secret(2) memory: EFAULT),
 * and @actual (for a batch: @actual, @done and each segment's @actual and
 * @status) must be writable before anything is copied (EFAULT).
 */
#define ZXPROC_MEM_ALL_OR_NOTHING	0x00000001U
/*
 * Protection modes: which of the mapping's protections the access may go
 * through.  At most one may be set (two or more: EINVAL).  Without one,
 * the access is forced wherever the host's policy allows it (the debugger's
 * rule, and Zircon's calls').  A mode only ever removes forcing: the
 * host's policy (see struct zxproc_mem) bounds every mode.
 *
 * ZXPROC_MEM_NO_FORCE: never forced.  The mapping's protection decides,
 * as for the target itself: memory mapped without PROT_READ is not read,
 * memory mapped without PROT_WRITE is not written (EACCES, nothing
 * copied at or after that page).
 *
 * ZXPROC_MEM_FORCE_EXEC: forced only where the mapping is executable
 * (PROT_EXEC), as Windows' WriteProcessMemory treats PAGE_EXECUTE_READ
 * code: program text is written by copy-on-write, while read-only data
 * is refused and memory mapped PROT_NONE is not read (EACCES).  Decided
 * page by page, under the target's mmap_lock, against the mapping each
 * page is pinned in, when it is pinned: as with process_vm_writev(2), a
 * target that changes the protection of its own pages while the call
 * runs may receive bytes by the protection they had then.
 *
 * ZXPROC_MEM_FORCE_FIRST_EXEC: forced only within the mapping that holds
 * the first byte of the range (@addr; a batch: each segment's @addr),
 * and only if that mapping is executable; past the end of that mapping,
 * never.  Windows' WriteProcessMemory, which decides by the region at
 * its base address: code there is made writable for the copy, but only
 * that region, so a range from writable memory into code, or from code
 * into read-only data, stops where the first region ends (a short copy,
 * or EACCES with ZXPROC_MEM_ALL_OR_NOTHING).  Decided like
 * ZXPROC_MEM_FORCE_EXEC, under the target's mmap_lock, at each pin,
 * against the mapping that holds the first byte then.
 */
#define ZXPROC_MEM_NO_FORCE		0x00000002U
#define ZXPROC_MEM_FORCE_EXEC		0x00000004U
#define ZXPROC_MEM_FORCE_FIRST_EXEC	0x00000008U
/* The protection modes. */
#define ZXPROC_MEM_MODES		(ZXPROC_MEM_NO_FORCE | \
					 ZXPROC_MEM_FORCE_EXEC | \
					 ZXPROC_MEM_FORCE_FIRST_EXEC)
/*
 * No fault (reads only; with a write, EINVAL): copy only what the
 * target's page tables map right now, and never fault a page in: no page
 * is read from a file or from swap, no memory is allocated for the
 * target (not even the shared zero page for memory it never touched), no
 * userfaultfd handler is asked, and the target's RSS and page-fault
 * counters do not change.  The copy stops at the first page that is not
 * mapped in the target's page tables (never touched, swapped out,
 * reclaimed, a file page this process has not faulted in, a page under
 * migration): a short count, or EAGAIN when that is the range's first
 * page (a batch: per segment).  With ZXPROC_MEM_ALL_OR_NOTHING, EAGAIN
 * and nothing copied unless every page is mapped.  Pages shared
 * copy-on-write with another process (after fork(2)) are read as they
 * are, not unshared.  Kernels before 6.5 fault hugetlb pages in even
 * when GUP is told not to, so there a no-fault read stops at the first
 * page of a hugetlb mapping (EAGAIN, or a short count).
 */
#define ZXPROC_MEM_NO_FAULT		0x00000010U
/* Every ZXPROC_MEM_* bit. */
#define ZXPROC_MEM_FLAGS		(ZXPROC_MEM_ALL_OR_NOTHING | \
					 ZXPROC_MEM_MODES | \
					 ZXPROC_MEM_NO_FAULT)

/**
 * struct zxproc_mem - argument of ZXPROC_IOC_WRITE and ZXPROC_IOC_READ
 * @addr: address in the target's address space.
 * @buf: address of the caller's buffer (source of a write, destination
 *	of a read).
 * @len: byte count, 1 to ZXPROC_MAX_TRANSFER.
 * @flags: ZXPROC_MEM_* bits: ZXPROC_MEM_ALL_OR_NOTHING, at most one
 *	protection mode (ZXPROC_MEM_NO_FORCE, ZXPROC_MEM_FORCE_EXEC or
 *	ZXPROC_MEM_FORCE_FIRST_EXEC), and for a read ZXPROC_MEM_NO_FAULT.
 * @reserved: must be zero.
 * @actual: out: bytes copied.  Written back (and only this field) on
 *	success and on every error found after the arguments and the
 *	handle's rights were accepted, that is all but EINVAL, E2BIG,
 *	ENOTTY and the rights' EACCES.  On EFAULT, EINTR, ESTALE and
 *	ENOMEM it counts the bytes that did reach their destination
 *	before the copy stopped.
 *
 * Copies start at @addr and stop at the first byte that cannot be
 * accessed.  Success with @actual < @len means the range ran past
 * accessible memory; nothing beyond @addr + @actual was touched.
 *
 * Forcing follows the host's policy for /proc/PID/mem (the kernel's
 * CONFIG_PROC_MEM_* choice and its proc_mem.force_override= boot
 * parameter), which the module parameter force_override can only make
 * stricter: "always" forces every access, "ptrace" only the accesses of
 * the target's ptrace tracer, "never" none.  A forced write goes through
 * a read-only private mapping (program text) by copy-on-write, and the
 * file behind it never changes; a forced read reads memory mapped
 * without PROT_READ.  Shared mappings are written only when they are
 * writable.  The handle's own process gets no exemption.  The
 * protection modes (ZXPROC_MEM_MODES) narrow this per call: they can
 * take forcing away, never grant it.
 *
 * Faults in the target are taken as process_vm_readv(2) takes them: the
 * target's locks are dropped while a page is brought in (a file on a
 * slow disk, swap, a userfaultfd handler), and a fatal signal ends the
 * wait.  No target page stays pinned while the caller's own buffer is
 * being faulted in.  A handle to one's own process may name a range
 * that overlaps @buf; the bytes copied are then unspecified, as with
 * memcpy(3).
 *
 * Errors, with nothing copied unless said otherwise:
 *	EACCES: the handle lacks ZXPROC_RIGHT_WRITE (write) or
 *		ZXPROC_RIGHT_READ (read); or the first byte is mapped but
 *		cannot be accessed without forcing, and the access is not
 *		forced (see above and the protection modes), or cannot
 *		be accessed at all (a shared
 *		read-only mapping, a read-only hugetlb mapping
 *		before Linux 7.2, memfd_secret(2) memory).
 *	EINVAL: @len is 0 or too large, @buf is 0, unknown @flags,
 *		two protection modes at once, ZXPROC_MEM_NO_FAULT on a
 *		write, or non-zero @reserved.
 *	EAGAIN: ZXPROC_MEM_NO_FAULT, and the first page is mapped and
 *		readable but not present in the target's page tables.
 *	ENOMEM: nothing is mapped at @addr (including addresses beyond
 *		the user address space, and ranges that wrap around); or
 *		the kernel ran out of memory (breaking copy-on-write,
 *		filling a page table), possibly after copying @actual
 *		bytes.
 *	EIO: the memory at @addr is not cacheable (VM_IO or VM_PFNMAP).
 *	ESTALE: the target has exited, or exec'd since the handle was
 *		made; nothing is ever copied into the new image.
 *	EFAULT: the caller's buffer (or this struct) is not accessible;
 *		@actual counts the bytes copied before that (always 0 with
 *		ZXPROC_MEM_ALL_OR_NOTHING).
 *	EINTR: a fatal signal arrived; @actual counts the bytes copied.
 *	ENOTTY: the descriptor is not a process handle.
 *	E2BIG: non-zero bytes past the known struct.
 */
struct zxproc_mem {
	__u64 addr;
	__u64 buf;
	__u64 len;
	__u32 flags;
	__u32 reserved;
	__u64 actual;
};

/**
 * struct zxproc_seg - one segment of a batched access
 * @addr: address in the target.
 * @buf: address of the caller's buffer for this segment.
 * @len: byte count, at least 1.
 * @actual: out: bytes copied for this segment, also when it failed
 *	partway (as struct zxproc_mem's @actual).
 * @status: out: 0, or a negative errno from the list of struct
 *	zxproc_mem for this segment alone.  A segment that copied fewer
 *	than @len bytes with @status 0 ran past accessible memory.
 * @reserved: must be zero.
 *
 * The array's element size travels in struct zxproc_memv's @seg_size,
 * so this struct grows as the others do: fields added later go at the
 * end, and an older caller's shorter elements are served as before.
 */
struct zxproc_seg {
	__u64 addr;
	__u64 buf;
	__u64 len;
	__u64 actual;
	__s32 status;
	__u32 reserved;
};

/* The first published size of struct zxproc_seg, and the largest taken. */
#define ZXPROC_SEG_SIZE_VER0	40
#define ZXPROC_SEG_SIZE_MAX	512

/**
 * struct zxproc_memv - argument of ZXPROC_IOC_WRITEV and ZXPROC_IOC_READV
 * @segs: address of an array of @nr_segs segments of @seg_size bytes.
 * @nr_segs: 1 to ZXPROC_MAX_SEGMENTS.
 * @flags: ZXPROC_MEM_* bits, applied to each segment (unknown bits,
 *	two protection modes at once, or ZXPROC_MEM_NO_FAULT on a
 *	WRITEV: EINVAL).
 * @actual: out: total bytes copied over all segments, counting also any
 *	segment whose outcome could not be written back (EFAULT).
 * @done: out: number of segments whose @actual and @status were written.
 * @seg_size: sizeof(struct zxproc_seg) as the caller knows it: a
 *	multiple of 8 from ZXPROC_SEG_SIZE_VER0 to ZXPROC_SEG_SIZE_MAX
 *	(else EINVAL).  Bytes of an element past the struct this kernel
 *	knows must be zero (else E2BIG); the kernel writes back only the
 *	fields it knows.
 *
 * Every segment is validated before any is copied: a zero or oversized
 * length, a zero buffer, non-zero @reserved, or a total over
 * ZXPROC_MAX_TRANSFER fails the whole call with EINVAL.  Segments are
 * then copied in order, each with the rules of ZXPROC_IOC_WRITE/READ,
 * and each gets its own @actual and @status; a segment's failure does
 * not stop the next one.  Only errors about the handle or the whole
 * target (EACCES for rights, ESTALE, EINTR) end the call early, returned
 * by the ioctl, with @done saying how far it got; a segment that met
 * ESTALE or EINTR is counted in @done and carries it as its @status (a
 * target already gone when the call begins fails it with @done 0).  An
 * outcome that cannot be written back to the caller's array ends the
 * call with EFAULT; @done then counts the outcomes written.
 */
struct zxproc_memv {
	__u64 segs;
	__u32 nr_segs;
	__u32 flags;
	__u64 actual;
	__u32 done;
	__u32 seg_size;
};

/* ZXPROC_MAP_* bits of struct zxproc_map.flags */
#define ZXPROC_MAP_READ		0x00000001U	/* PROT_READ */
#define ZXPROC_MAP_WRITE	0x00000002U	/* PROT_WRITE */
#define ZXPROC_MAP_EXEC		0x00000004U	/* PROT_EXEC */
/* MAP_SHARED (may be shared): /proc/PID/maps's 's' instead of 'p'. */
#define ZXPROC_MAP_SHARED	0x00000008U

/* Size of struct zxproc_map.name, the terminating NUL included. */
#define ZXPROC_MAP_NAME_LEN	128

/**
 * struct zxproc_map - one mapping of the handle's address space
 * @start: first address of the mapping.
 * @end: the address past its last byte.
 * @offset: for a file mapping, the byte offset in the file of @start;
 *	0 otherwise (as /proc/PID/maps).
 * @inode: the mapped file's inode number; 0 for anonymous memory.
 * @dev_major: major number of the file's device; 0 without a file.
 * @dev_minor: minor number of the file's device; 0 without a file.
 * @flags: ZXPROC_MAP_* bits: the mapping's protection, and whether it
 *	is shared.
 * @reserved: written as zero.
 * @name: NUL-terminated, as /proc/PID/maps names the mapping but for a
 *	file only its last component (no directory, no " (deleted)"):
 *	the file's name, "[heap]", "[stack]", "[vdso]", "[vvar]" (and
 *	other special mappings' names), "[anon:NAME]" for anonymous memory
 *	named with PR_SET_VMA_ANON_NAME (on 6.12 and later, "[anon_shmem:
 *	NAME]" for named shared anonymous memory), or "" for unnamed
 *	anonymous memory.  Truncated to ZXPROC_MAP_NAME_LEN - 1 bytes;
 *	the bytes after the NUL are zero.
 */
struct zxproc_map {
	__u64 start;
	__u64 end;
	__u64 offset;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 flags;
	__u32 reserved;
	char name[ZXPROC_MAP_NAME_LEN];
};

/* The first published size of struct zxproc_map, and the largest taken. */
#define ZXPROC_MAP_SIZE_VER0	176
#define ZXPROC_MAP_SIZE_MAX	4096

/**
 * struct zxproc_maps - argument of ZXPROC_IOC_MAPS
 * @addr: where the walk starts: mappings that end above @addr are
 *	reported (0 for all of them; a caller whose array filled up asks
 *	again from the last @end it got).
 * @entries: address of an array of @count elements of @entry_size bytes;
 *	may be 0 when @count is 0.
 * @count: capacity of @entries, in elements (0: only count them).
 * @entry_size: sizeof(struct zxproc_map) as the caller knows it: a
 *	multiple of 8 from ZXPROC_MAP_SIZE_VER0 to ZXPROC_MAP_SIZE_MAX
 *	(else EINVAL).  Bytes of an element past the struct this kernel
 *	knows are written as zero.
 * @flags: must be zero.
 * @reserved: must be zero.
 * @actual: out: elements written, in ascending address order.
 * @avail: out: mappings that end above @addr, whether they fitted or
 *	not (at least @actual).
 *
 * Describes the address space the handle is bound to, as /proc/PID/maps
 * describes the process's current one (the handle's process may have
 * exec'd since: then ESTALE, as for the memory calls).  The walk takes
 * the target's mmap_lock for reading, a bounded number of mappings at a
 * time; between two of those the target may map and unmap, so a larger
 * answer is a sequence of consistent pieces, each in ascending order and
 * never overlapping the one before (a mapping that grew across the point
 * where a piece ended is reported from that point).  The kernel's
 * vsyscall page, which /proc/PID/maps lists last on x86-64, is not a
 * mapping of the address space and is not reported.
 *
 * Needs ZXPROC_RIGHT_INSPECT (as Zircon's ZX_INFO_PROCESS_MAPS).  On
 * success and on the errors found after the arguments and rights were
 * accepted (ESTALE, EINTR, EFAULT, ENOMEM), @actual and @avail are
 * written back with the counts so far.
 *
 * Errors: EACCES (no ZXPROC_RIGHT_INSPECT), EINVAL (bad @entry_size,
 * non-zero @flags or @reserved, @count non-zero with @entries 0),
 * ESTALE (the target exited or exec'd), EINTR (fatal signal while
 * waiting for the target's locks), EFAULT (@entries or this struct not
 * writable), ENOMEM, E2BIG, ENOTTY.
 */
struct zxproc_maps {
	__u64 addr;
	__u64 entries;
	__u32 count;
	__u32 entry_size;
	__u32 flags;
	__u32 reserved;
	__u32 actual;
	__u32 avail;
};

/* ZXPROC_CAS_* bits of struct zxproc_cas.result */
/* The value matched @expected and @desired was stored. */
#define ZXPROC_CAS_SWAPPED	0x00000001U

/**
 * struct zxproc_cas - argument of ZXPROC_IOC_CAS
 * @addr: address in the target's address space, a multiple of @size.
 * @expected: the value to compare with, in its low @size bytes.
 * @desired: the value to store if the target's value equals @expected,
 *	in its low @size bytes.
 * @old: out: the value found at @addr (zero-extended), whether or not it
 *	was replaced.
 * @size: 1, 2, 4 or 8: the width of the value, in bytes.
 * @flags: at most one protection mode (ZXPROC_MEM_NO_FORCE,
 *	ZXPROC_MEM_FORCE_EXEC or ZXPROC_MEM_FORCE_FIRST_EXEC), as for a
 *	write; no other ZXPROC_MEM_* bit (a compare-and-swap is all or
 *	nothing by nature, so ZXPROC_MEM_ALL_OR_NOTHING is EINVAL too).
 * @result: out: ZXPROC_CAS_* bits: ZXPROC_CAS_SWAPPED when @desired was
 *	stored.
 * @reserved: must be zero.
 *
 * Atomically compares the naturally aligned @size-byte value at @addr
 * in the target with @expected and, if they are equal, replaces it with
 * @desired: one atomic compare-exchange instruction on the target's
 * page, as the kernel's futexes use, so it is atomic with respect to the
 * target's own threads and their atomic operations on the same value
 * (and to other ZXPROC_IOC_CAS calls).  Values are in the target's (the
 * machine's) byte order.  @old and @result are written back only on
 * success; on every error nothing in the target has changed.
 *
 * Needs both ZXPROC_RIGHT_READ (it reveals the value found) and
 * ZXPROC_RIGHT_WRITE (it may store one), whatever the outcome.
 *
 * The page is reached as a write reaches it (see struct zxproc_mem):
 * the same forcing policy and protection modes (forced, it goes through
 * a read-only private mapping by copy-on-write, and the file behind it
 * never changes), ESTALE after the target exec'd, and the target's
 * locks dropped while the page is faulted in.  The page is made
 * writable (copy-on-write broken, a missing page allocated) even when
 * the values differ, as any write would; zxproc marks it dirty only
 * when the value was replaced (the write fault that made it writable
 * may have, as a store by the target would).
 *
 * Errors, with nothing changed in the target:
 *	EACCES: the handle lacks ZXPROC_RIGHT_READ or ZXPROC_RIGHT_WRITE;
 *		or the value is mapped but not writable and the access is
 *		not forced, or cannot be written at all (a shared
 *		read-only mapping, memfd_secret(2) memory).
 *	EINVAL: @size not 1, 2, 4 or 8; @addr not a multiple of @size;
 *		a bit of @expected or @desired set above the low @size
 *		bytes; a @flags bit that is not a protection mode
 *		(ZXPROC_MEM_ALL_OR_NOTHING among them), or two modes;
 *		non-zero @reserved.
 *	ENOMEM: nothing is mapped at @addr (including addresses beyond
 *		the user address space); or the kernel ran out of memory.
 *	EIO: the memory at @addr is not cacheable (VM_IO or VM_PFNMAP:
 *		device memory).
 *	ESTALE: the target has exited, or exec'd since the handle was made.
 *	EINTR: a fatal signal arrived while the call waited for the
 *		target's locks or for the page to be brought in.
 *	EFAULT: this struct is not accessible: not readable, or @old and
 *		@result not writable (checked before the value is compared).
 *		The one exception to "nothing changed": another thread of
 *		the caller unmapping or protecting the struct while the call
 *		runs may make the outcome undeliverable after the swap.
 *	ENOTTY: the descriptor is not a process handle.
 *	E2BIG: non-zero bytes past the known struct.
 */
struct zxproc_cas {
	__u64 addr;
	__u64 expected;
	__u64 desired;
	__u64 old;
	__u32 size;
	__u32 flags;
	__u32 result;
	__u32 reserved;
};

/* Commands of /dev/zxproc. */
#define ZXPROC_IOC_GET_VERSION	_IOR(ZXPROC_IOC_MAGIC, 0x00, struct zxproc_version)
#define ZXPROC_IOC_PROCESS_OPEN	_IOW(ZXPROC_IOC_MAGIC, 0x01, struct zxproc_open)

/* Commands of a process handle. */
#define ZXPROC_IOC_INFO		_IOR(ZXPROC_IOC_MAGIC, 0x10, struct zxproc_info)
#define ZXPROC_IOC_DUPLICATE	_IOW(ZXPROC_IOC_MAGIC, 0x11, struct zxproc_dup)
#define ZXPROC_IOC_MAPS		_IOWR(ZXPROC_IOC_MAGIC, 0x12, struct zxproc_maps)
#define ZXPROC_IOC_WRITE	_IOWR(ZXPROC_IOC_MAGIC, 0x20, struct zxproc_mem)
#define ZXPROC_IOC_READ		_IOWR(ZXPROC_IOC_MAGIC, 0x21, struct zxproc_mem)
#define ZXPROC_IOC_WRITEV	_IOWR(ZXPROC_IOC_MAGIC, 0x22, struct zxproc_memv)
#define ZXPROC_IOC_READV	_IOWR(ZXPROC_IOC_MAGIC, 0x23, struct zxproc_memv)
#define ZXPROC_IOC_CAS		_IOWR(ZXPROC_IOC_MAGIC, 0x24, struct zxproc_cas)

#endif /* _UAPI_LINUX_ZXPROC_H */
