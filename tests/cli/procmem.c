// SPDX-License-Identifier: GPL-2.0
/*
 * The command's guest tests read a target's memory back through
 * /proc/PID/mem, a path that does not go through zxproc:
 *
 *   procmem PID ADDR LEN
 *
 * prints LEN bytes at ADDR (decimal or 0x hex) as lowercase hex without
 * spaces and a newline.  One program instead of dd | od | tr: each exec
 * costs a tenth of a second on the debug kernel under TCG.  Exit 1, with
 * a message, when fewer than LEN bytes could be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long long addr, len, done = 0;
	char path[64], *end;
	unsigned char buf[4096];
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: procmem PID ADDR LEN\n");
		return 2;
	}
	errno = 0;
	addr = strtoull(argv[2], &end, 0);
	if (errno || *end)
		return fprintf(stderr, "procmem: bad address '%s'\n", argv[2]), 2;
	len = strtoull(argv[3], &end, 0);
	if (errno || *end)
		return fprintf(stderr, "procmem: bad length '%s'\n", argv[3]), 2;
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fprintf(stderr, "procmem: %s: %s\n", path, strerror(errno)), 1;
	while (done < len) {
		size_t want = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)(addr + done));

		if (n <= 0) {
			putchar('\n');
			fprintf(stderr, "procmem: %s at 0x%llx: %s\n", path, addr + done,
				n ? strerror(errno) : "end of file");
			return 1;
		}
		for (ssize_t i = 0; i < n; i++)
			printf("%02x", buf[i]);
		done += n;
	}
	putchar('\n');
	return 0;
}
