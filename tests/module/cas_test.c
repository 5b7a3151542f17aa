// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_CAS through the raw ioctl: every size at every offset of a
 * word (aligned ones swap, the others are EINVAL), swap and no swap,
 * the old value and the outcome written back only on success, every bad
 * input refused with its documented errno, read-only private memory
 * with and without forcing, shared read-only and device memory, holes,
 * rights, and a target that exec'd or exited.  After each call the
 * target is read back through /proc/PID/mem: a refused call changed
 * nothing, a swap changed exactly its bytes.
 *
 * The race against the target's own atomic increments is in
 * races/cas_test.c.
 */
#include "helpers.h"
#include "kselftest_harness.h"

/* The target's pattern in its read-write page (ours holds another). */
#define SEED_T 61
#define SEED_US 62
#define SEED_RO 63

FIXTURE(cas) {
	size_t page;
	uint8_t *rw;		/* 1 page, read-write, the target's pattern */
	uint8_t *ro;		/* 1 page, read-only private, pattern SEED_RO */
	uint8_t *rx;		/* 1 page, read-exec private, pattern SEED_RO */
	uint8_t *hole;		/* 1 page, unmapped */
	uint8_t *shared_ro;	/* 1 page of a file, shared, read-only */
	char file[64];
	pid_t pid;
	int dev, h;
};

static int cas_prep(void *p)
{
	FIXTURE_DATA(cas) *self = p;

	zx_fill(self->rw, self->page, SEED_T);
	return 0;
}

FIXTURE_SETUP(cas)
{
	uint8_t *data;
	int fd;

	self->page = zx_page();
	self->rw = zx_map(self->page, PROT_READ | PROT_WRITE, SEED_US);
	ASSERT_NE(MAP_FAILED, self->rw);
	self->ro = zx_map(self->page, PROT_READ, SEED_RO);
	ASSERT_NE(MAP_FAILED, self->ro);
	self->rx = zx_map(self->page, PROT_READ | PROT_EXEC, SEED_RO);
	ASSERT_NE(MAP_FAILED, self->rx);

	data = zx_want(self->page, SEED_RO);
	ASSERT_NE(NULL, data);
	strcpy(self->file, "/dev/shm/zxproc-cas-XXXXXX");
	ASSERT_EQ(0, zx_make_file(self->file, data, self->page, 0600));
	free(data);
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->shared_ro = mmap(NULL, self->page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, self->shared_ro);

	/* Last before the fork, so that no mapping of ours fills it. */
	self->hole = zx_map(self->page, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, self->hole);
	ASSERT_EQ(0, munmap(self->hole, self->page));
	self->pid = zx_target_prep(cas_prep, self);
	ASSERT_LT(0, self->pid);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(cas)
{
	zx_reap(self->pid);
	close(self->h);
	close(self->dev);
	unlink(self->file);
}

/*
 * ZXPROC_IOC_CAS with @flags; 0 or -errno.  old and result go in as
 * ZX_SENTINEL (and its low half) and come back in *@old and *@result.
 */
static int cas(int h, uint64_t addr, uint32_t size, uint64_t expected,
	       uint64_t desired, uint32_t flags, uint64_t *old,
	       uint32_t *result)
{
	struct zxproc_cas req = {
		.addr = addr, .expected = expected, .desired = desired,
		.size = size, .flags = flags,
		.old = ZX_SENTINEL, .result = (uint32_t)ZX_SENTINEL,
	};
	int ret = zx_ioctl(h, ZXPROC_IOC_CAS, &req);

	if (old)
		*old = req.old;
	if (result)
		*result = req.result;
	return ret;
}

/* The @size-byte value at @p, as the machine reads it. */
static uint64_t value_at(const uint8_t *p, uint32_t size)
{
	uint64_t v = 0;

	switch (size) {
	case 1: v = *p; break;
	case 2: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
	case 4: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
	default: memcpy(&v, p, 8); break;
	}
	return v;
}

static void store_at(uint8_t *p, uint32_t size, uint64_t v)
{
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case 1: *p = (uint8_t)v; break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

static uint64_t mask_of(uint32_t size)
{
	return size == 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

static const uint32_t sizes[] = { 1, 2, 4, 8 };

/*
 * Every size at every offset of two words: the aligned ones compare
 * without swapping (expected != found), then swap (expected == found),
 * each checked against the whole page read back; the misaligned ones
 * are EINVAL and change nothing.
 */
TEST_F(cas, every_size_and_offset)
{
	uint8_t *want = zx_want(self->page, SEED_T);
	size_t si, off;

	ASSERT_NE(NULL, want);
	for (si = 0; si < 4; si++) {
		uint32_t size = sizes[si];

		for (off = 64; off < 64 + 16; off++) {
			uint64_t addr = zx_ptr(self->rw + off);
			uint64_t found = value_at(want + off, size);
			uint64_t desired = ~found & mask_of(size);
			uint64_t old;
			uint32_t result;

			if (off % size) {
				EXPECT_EQ(-EINVAL, cas(self->h, addr, size, found,
						       desired, 0, &old, &result));
				EXPECT_EQ(ZX_SENTINEL, old);
				EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw),
							 want, self->page));
				continue;
			}
			/* No swap: the value is reported, nothing changes. */
			EXPECT_EQ(0, cas(self->h, addr, size, desired, found, 0,
					 &old, &result)) TH_LOG("size %u off %zu", size, off);
			EXPECT_EQ(found, old);
			EXPECT_EQ(0u, result);
			EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want,
						 self->page));
			/* Swap: exactly these bytes change. */
			EXPECT_EQ(0, cas(self->h, addr, size, found, desired, 0,
					 &old, &result));
			EXPECT_EQ(found, old);
			EXPECT_EQ(ZXPROC_CAS_SWAPPED, result);
			store_at(want + off, size, desired);
			EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want,
						 self->page)) TH_LOG("size %u off %zu", size, off);
		}
	}
	free(want);
}

/* The values' upper bits, sizes, flags and reserved: EINVAL, nothing changed. */
TEST_F(cas, bad_arguments_change_nothing)
{
	uint8_t *want = zx_want(self->page, SEED_T);
	uint64_t addr = zx_ptr(self->rw + 128);
	struct zxproc_cas req;
	unsigned int bit;
	size_t si;
	uint64_t old;

	ASSERT_NE(NULL, want);
	for (si = 0; si < 3; si++) {
		uint32_t size = sizes[si];
		uint64_t found = value_at(want + 128, size);
		uint64_t over = mask_of(size) + 1;

		EXPECT_EQ(-EINVAL, cas(self->h, addr, size, found | over, 0, 0,
				       &old, NULL));
		EXPECT_EQ(-EINVAL, cas(self->h, addr, size, found, over, 0,
				       &old, NULL));
		EXPECT_EQ(ZX_SENTINEL, old);
	}
	EXPECT_EQ(-EINVAL, cas(self->h, addr, 0, 0, 0, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, cas(self->h, addr, 3, 0, 0, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, cas(self->h, addr, 16, 0, 0, 0, NULL, NULL));
	/* Every bit but the protection modes, known to the header or not. */
	for (bit = 0; bit < 32; bit++) {
		if ((UINT32_C(1) << bit) & ZXPROC_MEM_MODES)
			continue;
		EXPECT_EQ(-EINVAL, cas(self->h, addr, 4, value_at(want + 128, 4),
				       1, UINT32_C(1) << bit, NULL, NULL))
			TH_LOG("flag bit %u", bit);
	}
	EXPECT_EQ(-EINVAL, cas(self->h, addr, 4, value_at(want + 128, 4), 1,
			       ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_EXEC,
			       NULL, NULL));
	memset(&req, 0, sizeof(req));
	req.addr = addr;
	req.size = 4;
	req.expected = value_at(want + 128, 4);
	req.desired = 1;
	req.reserved = 1;
	EXPECT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_CAS, &req));
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want, self->page));
	free(want);
}

/* A longer struct with a non-zero tail is E2BIG; the device is ENOTTY. */
TEST_F(cas, struct_size_and_descriptor)
{
	struct {
		struct zxproc_cas cas;
		uint64_t tail;
	} big = { .cas = { .addr = zx_ptr(self->rw), .size = 1 }, .tail = 1 };
	unsigned long cmd_big = _IOWR(ZXPROC_IOC_MAGIC, 0x24, big);
	unsigned long cmd_small = _IOWR(ZXPROC_IOC_MAGIC, 0x24, uint64_t[5]);
	uint8_t *want = zx_want(self->page, SEED_T);
	uint64_t old;

	ASSERT_NE(NULL, want);
	big.cas.expected = want[0];
	big.cas.desired = (uint8_t)~want[0];
	EXPECT_EQ(-E2BIG, zx_ioctl(self->h, cmd_big, &big));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->h, cmd_small, &big));
	EXPECT_EQ(-ENOTTY, cas(self->dev, zx_ptr(self->rw), 1, want[0],
			       (uint8_t)~want[0], 0, &old, NULL));
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want, self->page));
	/* A zero tail is served as the known struct. */
	big.tail = 0;
	EXPECT_EQ(0, zx_ioctl(self->h, cmd_big, &big));
	EXPECT_EQ(want[0], big.cas.old);
	EXPECT_EQ(ZXPROC_CAS_SWAPPED, big.cas.result);
	EXPECT_EQ(0, big.tail);
	want[0] = (uint8_t)~want[0];
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want, self->page));
	free(want);
}

/* Read-only private memory: swapped by copy-on-write when forced only. */
TEST_F(cas, read_only_private)
{
	uint8_t *want = zx_want(self->page, SEED_RO);
	uint64_t addr = zx_ptr(self->ro + 8);
	uint64_t found, old;
	uint32_t result;

	ASSERT_NE(NULL, want);
	found = value_at(want + 8, 8);
	EXPECT_EQ(-EACCES, cas(self->h, addr, 8, found, ~found,
			       ZXPROC_MEM_NO_FORCE, &old, &result));
	EXPECT_EQ(ZX_SENTINEL, old);
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->ro), want, self->page));
	/* Not executable: FORCE_EXEC does not force it either. */
	EXPECT_EQ(-EACCES, cas(self->h, addr, 8, found, ~found,
			       ZXPROC_MEM_FORCE_EXEC, &old, &result));
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->ro), want, self->page));
	/* The guest's default policy forces ("always"). */
	EXPECT_EQ(0, cas(self->h, addr, 8, found, ~found, 0, &old, &result));
	EXPECT_EQ(found, old);
	EXPECT_EQ(ZXPROC_CAS_SWAPPED, result);
	store_at(want + 8, 8, ~found);
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->ro), want, self->page));
	/* Our own copy, from before the fork, is untouched. */
	EXPECT_EQ(found, value_at(self->ro + 8, 8));
	free(want);
}

/* Program text: the FORCE_*EXEC modes force it, NO_FORCE does not. */
TEST_F(cas, read_exec_private_modes)
{
	uint8_t *want = zx_want(self->page, SEED_RO);
	uint64_t addr = zx_ptr(self->rx + 16);
	uint64_t found, old;

	ASSERT_NE(NULL, want);
	found = value_at(want + 16, 4);
	EXPECT_EQ(-EACCES, cas(self->h, addr, 4, found, found ^ 1,
			       ZXPROC_MEM_NO_FORCE, &old, NULL));
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rx), want, self->page));
	EXPECT_EQ(0, cas(self->h, addr, 4, found, found ^ 1,
			 ZXPROC_MEM_FORCE_EXEC, &old, NULL));
	EXPECT_EQ(found, old);
	EXPECT_EQ(0, cas(self->h, addr, 4, found ^ 1, found,
			 ZXPROC_MEM_FORCE_FIRST_EXEC, &old, NULL));
	EXPECT_EQ(found ^ 1, old);
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rx), want, self->page));
	free(want);
}

/* Shared read-only, device memory, holes: refused, nothing changed. */
TEST_F(cas, unwritable_memory)
{
	uint8_t *want = zx_want(self->page, SEED_RO);
	uint64_t found = value_at(want, 4);
	uint8_t *device;
	uint64_t old;

	ASSERT_NE(NULL, want);
	EXPECT_EQ(-EACCES, cas(self->h, zx_ptr(self->shared_ro), 4, found,
			       ~found & 0xffffffffu, 0, &old, NULL));
	EXPECT_EQ(ZX_SENTINEL, old);
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->shared_ro), want,
				 self->page));
	EXPECT_EQ(-ENOMEM, cas(self->h, zx_ptr(self->hole), 4, 0, 1, 0, &old,
			       NULL));
	EXPECT_EQ(-ENOMEM, cas(self->h, UINT64_C(1) << 63, 8, 0, 1, 0, &old,
			       NULL));
	EXPECT_EQ(-ENOMEM, cas(self->h, UINT64_MAX & ~UINT64_C(7), 8, 0, 1, 0,
			       &old, NULL));
	EXPECT_EQ(ZX_SENTINEL, old);
	free(want);

	/* Device memory of our own (the target's is the same rule). */
	device = zx_device_page(NULL);
	ASSERT_NE(MAP_FAILED, device) TH_LOG("no /dev/mem page: %s", strerror(errno));
	{
		int self_h = zx_open(self->dev, getpid(), ZXPROC_RIGHTS_ALL);
		uint64_t before = value_at(device, 4);

		ASSERT_LE(0, self_h);
		EXPECT_EQ(-EIO, cas(self_h, zx_ptr(device), 4, before,
				    ~before & 0xffffffffu, 0, &old, NULL));
		EXPECT_EQ(before, value_at(device, 4));
		close(self_h);
	}
	munmap(device, self->page);
}

/* Both READ and WRITE are needed, whatever the outcome. */
TEST_F(cas, rights)
{
	static const uint32_t lacking[] = {
		ZXPROC_RIGHT_READ, ZXPROC_RIGHT_WRITE,
		ZXPROC_RIGHTS_ALL & ~ZXPROC_RIGHT_READ,
		ZXPROC_RIGHTS_ALL & ~ZXPROC_RIGHT_WRITE,
	};
	uint8_t *want = zx_want(self->page, SEED_T);
	uint64_t addr = zx_ptr(self->rw + 256);
	uint64_t found, old;
	size_t i;
	int h;

	ASSERT_NE(NULL, want);
	found = value_at(want + 256, 4);
	for (i = 0; i < sizeof(lacking) / sizeof(lacking[0]); i++) {
		h = zx_dup(self->h, lacking[i], 0);
		ASSERT_LE(0, h);
		/* Neither the swap nor the mere comparison. */
		EXPECT_EQ(-EACCES, cas(h, addr, 4, found, found + 1, 0, &old, NULL));
		EXPECT_EQ(-EACCES, cas(h, addr, 4, found + 1, found, 0, &old, NULL));
		EXPECT_EQ(ZX_SENTINEL, old);
		close(h);
	}
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want, self->page));
	h = zx_dup(self->h, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE, 0);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, cas(h, addr, 4, found, (found + 1) & 0xffffffffu, 0, &old,
			 NULL));
	EXPECT_EQ(found, old);
	close(h);
	store_at(want + 256, 4, found + 1);
	EXPECT_EQ(-1, zx_differs(self->pid, zx_ptr(self->rw), want, self->page));
	free(want);
}

/* After the target exec'd, or exited: ESTALE, the new image untouched. */
TEST_F(cas, stale_after_exec_and_exit)
{
	uint64_t addr = zx_ptr(self->rw);
	int go[2], done[2];
	char c;
	pid_t pid;
	int h;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(done[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* Mapped at the same address in the new image? Never ours. */
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	close(done[1]);
	h = zx_open(self->dev, pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, cas(h, addr, 1, self->rw[0], self->rw[0], 0, NULL, NULL));
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, read(done[0], &c, 1));	/* EOF: the exec happened */
	EXPECT_EQ(-ESTALE, cas(h, addr, 1, 0, 1, 0, NULL, NULL));
	close(h);
	zx_reap(pid);

	/* Exited and reaped. */
	h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	zx_reap(self->pid);
	EXPECT_EQ(-ESTALE, cas(h, addr, 1, 0, 1, 0, NULL, NULL));
	close(h);
	close(go[0]);
	close(go[1]);
	close(done[0]);
}

/* One's own process, through a self handle: the same call, seen at once. */
TEST_F(cas, own_process)
{
	uint64_t word = 41, old;
	uint32_t result;
	int h = zx_open(self->dev, getpid(), ZXPROC_RIGHTS_ALL);

	ASSERT_LE(0, h);
	EXPECT_EQ(0, cas(h, zx_ptr(&word), 8, 41, 42, 0, &old, &result));
	EXPECT_EQ(41u, old);
	EXPECT_EQ(ZXPROC_CAS_SWAPPED, result);
	EXPECT_EQ(42u, *(volatile uint64_t *)&word);
	close(h);
}

TEST_HARNESS_MAIN
