// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/zxproc itself and the ioctl argument rules every command shares:
 * the version, ENOTTY for unknown or misdirected commands, and the
 * extensible-struct sizes (_IOC_SIZE below the first version: ENOTTY;
 * above it: served when the tail is zero, E2BIG otherwise).
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "helpers.h"
#include "kselftest_harness.h"

/* A command with the same direction, type and number but another size. */
#define RESIZED(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

FIXTURE(device) {
	int dev;
	pid_t target;
	uint8_t *region;	/* 2 pages, pattern 1, also in the target */
	uint8_t *src;		/* 2 pages, pattern 2: what tests write */
	size_t len;
};

FIXTURE_SETUP(device)
{
	self->len = 2 * zx_page();
	self->region = zx_map(self->len, PROT_READ | PROT_WRITE, 1);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = zx_map(self->len, PROT_READ | PROT_WRITE, 2);
	ASSERT_NE(MAP_FAILED, self->src);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", ZX_DEV_PATH, strerror(-self->dev));
}

FIXTURE_TEARDOWN(device)
{
	zx_reap(self->target);
	if (self->dev >= 0)
		close(self->dev);
}

/* The target's region still holds pattern 1. */
static long region_differs(FIXTURE_DATA(device) *self)
{
	return zx_differs(self->target, zx_ptr(self->region), self->region,
			  self->len);
}

TEST_F(device, version_matches_header)
{
	struct zxproc_version v;

	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(0, zx_ioctl(self->dev, ZXPROC_IOC_GET_VERSION, &v));
	EXPECT_EQ((__u32)ZXPROC_VERSION_MAJOR, v.major);
	EXPECT_EQ((__u32)ZXPROC_VERSION_MINOR, v.minor);
	EXPECT_EQ((__u32)ZXPROC_VERSION_PATCH, v.patch);
	EXPECT_EQ(0U, v.reserved);
}

/* A newer caller's longer struct: the tail it knows and we do not is zeroed. */
TEST_F(device, version_longer_struct_gets_zeroed_tail)
{
	uint8_t buf[64];
	struct zxproc_version v;

	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_GET_VERSION, 40), buf));
	memcpy(&v, buf, sizeof(v));
	EXPECT_EQ((__u32)ZXPROC_VERSION_MAJOR, v.major);
	EXPECT_EQ((__u32)ZXPROC_VERSION_MINOR, v.minor);
	EXPECT_EQ((__u32)ZXPROC_VERSION_PATCH, v.patch);
	EXPECT_EQ(-1, zx_not_all(buf + sizeof(v), 0, 40 - sizeof(v)));
	/* Not one byte past the size the command named. */
	EXPECT_EQ(-1, zx_not_all(buf + 40, 0xff, sizeof(buf) - 40));
}

TEST_F(device, version_shorter_struct_is_enotty)
{
	uint8_t buf[16];

	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_GET_VERSION, 8), buf));
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, sizeof(buf)));
}

TEST_F(device, unknown_commands_are_enotty)
{
	struct termios tio;
	uint8_t buf[64];
	int before = zx_count_fds();

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, _IO(ZXPROC_IOC_MAGIC, 0x7f), buf));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, _IOWR(ZXPROC_IOC_MAGIC, 0x02, struct zxproc_open), buf));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, _IOW(ZXPROC_IOC_MAGIC + 1, 0x01, struct zxproc_open), buf));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, TCGETS, &tio));
	/* Right number and size, wrong direction. */
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, _IOW(ZXPROC_IOC_MAGIC, 0x00, struct zxproc_version), buf));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, _IOWR(ZXPROC_IOC_MAGIC, 0x01, struct zxproc_open), buf));
	EXPECT_EQ(before, zx_count_fds());
}

/* Handle commands sent to the device fail and touch nothing. */
TEST_F(device, handle_commands_on_device_are_enotty)
{
	struct zxproc_seg seg = {
		.addr = zx_ptr(self->region), .buf = zx_ptr(self->src),
		.len = self->len, .actual = ZX_SENTINEL, .status = (int32_t)ZX_SENTINEL,
	};
	struct zxproc_memv v = {
		.segs = zx_ptr(&seg), .nr_segs = 1, .actual = ZX_SENTINEL,
		.seg_size = sizeof(seg),
	};
	struct zxproc_info info;
	uint64_t actual = ZX_SENTINEL;

	/* Our own region as the "target": the device names no process. */
	EXPECT_EQ(-ENOTTY, zx_info(self->dev, &info));
	EXPECT_EQ(-ENOTTY, zx_dup(self->dev, ZXPROC_RIGHT_SAME_RIGHTS, 0));
	EXPECT_EQ(-ENOTTY, zx_write(self->dev, zx_ptr(self->region), self->src, self->len, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_EQ(-ENOTTY, zx_read(self->dev, zx_ptr(self->region), self->src, self->len, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, ZXPROC_IOC_WRITEV, &v));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, ZXPROC_IOC_READV, &v));
	EXPECT_EQ(ZX_SENTINEL, v.actual);
	EXPECT_EQ(ZX_SENTINEL, seg.actual);
	EXPECT_EQ((int32_t)ZX_SENTINEL, seg.status);

	/* Neither our region nor the source changed. */
	EXPECT_EQ(-1, zx_differs(getpid(), zx_ptr(self->region), self->region, self->len));
	uint8_t *want = malloc(self->len);

	ASSERT_NE(NULL, want);
	zx_fill(want, self->len, 1);
	EXPECT_EQ(0, memcmp(want, self->region, self->len));
	zx_fill(want, self->len, 2);
	EXPECT_EQ(0, memcmp(want, self->src, self->len));
	free(want);
}

TEST_F(device, device_commands_on_handle_are_enotty)
{
	struct zxproc_open req = { .pid = self->target, .rights = ZXPROC_RIGHTS_ALL };
	struct zxproc_version v;
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	int before;

	ASSERT_LE(0, h);
	before = zx_count_fds();
	memset(&v, 0xee, sizeof(v));
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, ZXPROC_IOC_GET_VERSION, &v));
	EXPECT_EQ(-1, zx_not_all(&v, 0xee, sizeof(v)));
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, ZXPROC_IOC_PROCESS_OPEN, &req));
	EXPECT_EQ(before, zx_count_fds());
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, _IO(ZXPROC_IOC_MAGIC, 0x7f), NULL));
	close(h);
}

TEST_F(device, open_shorter_struct_is_enotty)
{
	struct zxproc_open req = { .pid = self->target, .rights = ZXPROC_RIGHTS_ALL };
	int before = zx_count_fds();

	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, 12), &req));
	EXPECT_EQ(-ENOTTY, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, 0), &req));
	EXPECT_EQ(before, zx_count_fds());
}

TEST_F(device, open_longer_struct_with_zero_tail_works)
{
	uint8_t buf[64] = { 0 };
	struct zxproc_open req = { .pid = self->target, .rights = ZXPROC_RIGHT_READ };
	struct zxproc_info info;
	int h;

	memcpy(buf, &req, sizeof(req));
	h = zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, sizeof(buf)), buf);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(self->target, info.pid);
	EXPECT_EQ(ZXPROC_RIGHT_READ, info.rights);
	close(h);

	/* The largest size _IOC can carry, all of the tail zero. */
	uint8_t *big = calloc(1, _IOC_SIZEMASK);

	ASSERT_NE(NULL, big);
	memcpy(big, &req, sizeof(req));
	h = zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, _IOC_SIZEMASK), big);
	EXPECT_LE(0, h);
	if (h >= 0)
		close(h);
	big[_IOC_SIZEMASK - 1] = 1;
	EXPECT_EQ(-E2BIG, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, _IOC_SIZEMASK), big));
	free(big);
}

TEST_F(device, open_longer_struct_with_nonzero_tail_is_e2big)
{
	uint8_t buf[64] = { 0 };
	struct zxproc_open req = { .pid = self->target, .rights = ZXPROC_RIGHT_READ };
	int before = zx_count_fds();

	memcpy(buf, &req, sizeof(req));
	buf[sizeof(buf) - 1] = 1;
	EXPECT_EQ(-E2BIG, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, sizeof(buf)), buf));
	buf[sizeof(buf) - 1] = 0;
	buf[sizeof(req)] = 0x80;	/* the first byte past the known struct */
	EXPECT_EQ(-E2BIG, zx_ioctl(self->dev, RESIZED(ZXPROC_IOC_PROCESS_OPEN, sizeof(buf)), buf));
	EXPECT_EQ(before, zx_count_fds());
}

/* WRITE with a longer struct: zero tail served, non-zero tail refused. */
TEST_F(device, write_longer_struct)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	struct zxproc_mem req = {
		.addr = zx_ptr(self->region), .buf = zx_ptr(self->src),
		.len = 100, .actual = ZX_SENTINEL,
	};
	uint8_t buf[sizeof(req) + 16];
	uint8_t *want = malloc(self->len);

	ASSERT_LE(0, h);
	ASSERT_NE(NULL, want);

	/* Non-zero tail: E2BIG, nothing written, actual untouched. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &req, sizeof(req));
	buf[sizeof(req) + 3] = 7;
	EXPECT_EQ(-E2BIG, zx_ioctl(h, RESIZED(ZXPROC_IOC_WRITE, sizeof(buf)), buf));
	memcpy(&req, buf, sizeof(req));
	EXPECT_EQ(ZX_SENTINEL, req.actual);
	EXPECT_EQ(-1, region_differs(self));

	/* Zero tail: written, actual set, the tail left as it was. */
	buf[sizeof(req) + 3] = 0;
	ASSERT_EQ(0, zx_ioctl(h, RESIZED(ZXPROC_IOC_WRITE, sizeof(buf)), buf));
	memcpy(&req, buf, sizeof(req));
	EXPECT_EQ(100U, req.actual);
	EXPECT_EQ(-1, zx_not_all(buf + sizeof(req), 0, sizeof(buf) - sizeof(req)));
	memcpy(want, self->region, self->len);
	memcpy(want, self->src, 100);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->region), want, self->len));

	/* Shorter than the first version: ENOTTY, nothing more written. */
	req.addr += 200;
	req.actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, RESIZED(ZXPROC_IOC_WRITE, 32), &req));
	EXPECT_EQ(ZX_SENTINEL, req.actual);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->region), want, self->len));
	free(want);
	close(h);
}

TEST_F(device, dup_and_info_and_batch_longer_structs)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	struct zxproc_dup dup = { .rights = ZXPROC_RIGHT_READ };
	struct zxproc_info info;
	uint8_t buf[64];
	int before, d;

	ASSERT_LE(0, h);

	/* DUPLICATE: non-zero tail refused with no new fd, zero tail works. */
	before = zx_count_fds();
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &dup, sizeof(dup));
	buf[40] = 1;
	EXPECT_EQ(-E2BIG, zx_ioctl(h, RESIZED(ZXPROC_IOC_DUPLICATE, sizeof(buf)), buf));
	EXPECT_EQ(before, zx_count_fds());
	buf[40] = 0;
	d = zx_ioctl(h, RESIZED(ZXPROC_IOC_DUPLICATE, sizeof(buf)), buf);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, zx_info(d, &info));
	EXPECT_EQ(ZXPROC_RIGHT_READ, info.rights);
	close(d);
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, RESIZED(ZXPROC_IOC_DUPLICATE, 4), &dup));

	/* INFO: a longer struct gets a zeroed tail. */
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, zx_ioctl(h, RESIZED(ZXPROC_IOC_INFO, 48), buf));
	memcpy(&info, buf, sizeof(info));
	EXPECT_EQ(self->target, info.pid);
	EXPECT_EQ(ZXPROC_RIGHTS_ALL, info.rights);
	EXPECT_EQ(-1, zx_not_all(buf + sizeof(info), 0, 48 - sizeof(info)));
	EXPECT_EQ(-1, zx_not_all(buf + 48, 0xff, sizeof(buf) - 48));
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, RESIZED(ZXPROC_IOC_INFO, 12), buf));

	/* WRITEV: non-zero tail refused, nothing written. */
	struct zxproc_seg seg = {
		.addr = zx_ptr(self->region), .buf = zx_ptr(self->src), .len = 64,
		.actual = ZX_SENTINEL, .status = (int32_t)ZX_SENTINEL,
	};
	struct zxproc_memv v = { .segs = zx_ptr(&seg), .nr_segs = 1, .seg_size = sizeof(seg) };

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &v, sizeof(v));
	buf[sizeof(v)] = 1;
	EXPECT_EQ(-E2BIG, zx_ioctl(h, RESIZED(ZXPROC_IOC_WRITEV, sizeof(buf)), buf));
	EXPECT_EQ(ZX_SENTINEL, seg.actual);
	EXPECT_EQ((int32_t)ZX_SENTINEL, seg.status);
	EXPECT_EQ(-1, region_differs(self));
	EXPECT_EQ(-ENOTTY, zx_ioctl(h, RESIZED(ZXPROC_IOC_WRITEV, 16), &v));
	EXPECT_EQ(-1, region_differs(self));
	close(h);
}

TEST_F(device, bad_argument_pointer_is_efault)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	int before;

	ASSERT_LE(0, h);
	before = zx_count_fds();
	EXPECT_EQ(-EFAULT, zx_ioctl(self->dev, ZXPROC_IOC_GET_VERSION, NULL));
	EXPECT_EQ(-EFAULT, zx_ioctl(self->dev, ZXPROC_IOC_PROCESS_OPEN, NULL));
	EXPECT_EQ(-EFAULT, zx_ioctl(self->dev, ZXPROC_IOC_PROCESS_OPEN, (void *)-4096L));
	EXPECT_EQ(-EFAULT, zx_ioctl(h, ZXPROC_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, zx_ioctl(h, ZXPROC_IOC_DUPLICATE, NULL));
	EXPECT_EQ(-EFAULT, zx_ioctl(h, ZXPROC_IOC_WRITE, NULL));
	EXPECT_EQ(-EFAULT, zx_ioctl(h, ZXPROC_IOC_READ, NULL));
	EXPECT_EQ(-EFAULT, zx_ioctl(h, ZXPROC_IOC_WRITEV, NULL));
	EXPECT_EQ(before, zx_count_fds());
	EXPECT_EQ(-1, region_differs(self));
	close(h);
}

/* A char device, root:root 0600: only root may even open it. */
TEST(device_node_is_root_only_char_device)
{
	char sys[64];
	unsigned int maj, min;
	struct stat st;

	ASSERT_EQ(0, stat(ZX_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
	/* The node is the misc device the module registered. */
	ASSERT_LT(0, zx_read_file("/sys/class/misc/" ZXPROC_DEVICE_NAME "/dev", sys, sizeof(sys)));
	ASSERT_EQ(2, sscanf(sys, "%u:%u", &maj, &min));
	EXPECT_EQ(maj, major(st.st_rdev));
	EXPECT_EQ(min, minor(st.st_rdev));
}

TEST_HARNESS_MAIN
