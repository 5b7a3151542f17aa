// SPDX-License-Identifier: GPL-2.0
/*
 * The target process of the zxproc command's tests (tests/cli/): it lays
 * out memory with known contents and shapes, prints where everything
 * is, then prints its variable `value` ten times a second, so a test
 * can see a write land the way a user would.
 *
 *   cli_target DIR [BIG-MIB]
 *
 * DIR is a writable directory for the files it maps.  Lines printed
 * once, before "ready":
 *   value VADDR        int32 `value` (7 at start), printed in the loop
 *   buf ADDR           64 heap bytes (malloc), byte i == i
 *   edge ADDR          a read-write page whose next page is unmapped
 *   guard ADDR         the page after that hole: mapped, PROT_NONE
 *   roshared ADDR      DIR/a/zxdata, MAP_SHARED from an O_RDONLY fd
 *   spare ADDR         spare(), a function never called (program text)
 *   big ADDR           BIG-MIB MiB of read-write memory (if asked)
 *   sparse ADDR        DIR/sparse.bin, 1 MiB mapped private read-only,
 *                      "zxsparse" at offset 0x100 of its first page and of
 *                      the page at 512 KiB; only the first page is read,
 *                      so the other is in the page cache but not mapped
 *                      (fault-around maps at most 64 KiB around a fault)
 * DIR/a/zxdata is mapped twice from offset 0 (roshared and another
 * private mapping) and DIR/b/zxdata once, so "zxdata" names two files
 * and DIR/a/zxdata two mappings.
 * SIGUSR1 makes it exec /bin/sleep (a new program in the same process).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile int32_t value = 7;

__attribute__((noinline)) int spare(int x)
{
	return x * 3 + 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *map_file(const char *dir, const char *sub, int shared)
{
	char path[4096];
	static const char content[4096] = "zxproc test data\n";
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/zxdata", dir, sub);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || write(fd, content, sizeof(content)) != sizeof(content))
		die(path);
	close(fd);
	/* Read-only descriptor: a shared mapping without VM_MAYWRITE. */
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	p = mmap(NULL, 4096, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap file");
	close(fd);
	return p;
}

/* DIR/sparse.bin, written (so in the page cache) and mapped. */
static const uint8_t *map_sparse(const char *dir)
{
	static uint8_t page[4096];
	const volatile uint8_t *p;
	char path[4096];
	int fd, i;

	snprintf(path, sizeof(path), "%s/sparse.bin", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	for (i = 0; i < 256; i++) {
		memset(page, 0, sizeof(page));
		if (i == 0 || i == 128)
			memcpy(page + 0x100, "zxsparse", 8);
		if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
			die("write sparse.bin");
	}
	p = mmap(NULL, 256 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap sparse.bin");
	close(fd);
	(void)p[0];
	return (const uint8_t *)p;
}

static void exec_sleep(int sig)
{
	static char *const argv[] = { "sleep", "1000", NULL };

	(void)sig;
	execv("/bin/sleep", argv);
	_exit(127);
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *buf, *edge, *big = NULL;
	const uint8_t *sparse;
	size_t big_len = 0;
	void *roshared;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: cli_target DIR [BIG-MIB]\n");
		return 2;
	}
	if (argc > 2)
		big_len = (size_t)atol(argv[2]) << 20;
	signal(SIGUSR1, exec_sleep);

	buf = malloc(64);
	if (buf == NULL)
		die("malloc");
	for (i = 0; i < 64; i++)
		buf[i] = (uint8_t)i;
	roshared = map_file(argv[1], "a", 1);
	map_file(argv[1], "a", 0);
	map_file(argv[1], "b", 0);
	if (big_len) {
		big = mmap(NULL, big_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (big == MAP_FAILED)
			die("mmap big");
	}
	sparse = map_sparse(argv[1]);
	/*
	 * Three pages, the middle one unmapped: a hole after edge.  Made
	 * last, so no later mapping of ours can land in the hole.
	 */
	edge = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edge == MAP_FAILED)
		die("mmap");
	memset(edge, 0x5a, page);
	munmap(edge + page, page);
	mprotect(edge + 2 * page, page, PROT_NONE);

	printf("value %p\nbuf %p\nedge %p\nguard %p\nroshared %p\nspare %p\n",
	       (void *)&value, (void *)buf, (void *)edge,
	       (void *)(edge + 2 * page), roshared, (void *)(uintptr_t)spare);
	if (big)
		printf("big %p\n", (void *)big);
	printf("sparse %p\n", (const void *)sparse);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		printf("value = %d\n", (int)value);
		fflush(stdout);
		nanosleep(&tick, NULL);
	}
}
