// SPDX-License-Identifier: GPL-2.0
/*
 * The demo's target: prints a value once a tick, forever, and calls
 * tick() each time, so that a breakpoint planted in tick()'s text is hit.
 *
 * It prints the addresses a tool needs (as a debugger would find them in
 * the symbol table), then "value = N" lines.  On SIGTRAP (an int3 planted
 * by `zxproc write`) it reports the breakpoint's address and exits 0.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

volatile uint32_t value = 1;
static volatile unsigned long ticks;

/* noinline + a side effect: the call, and its first byte, must exist. */
__attribute__((noinline)) void tick(void)
{
	ticks++;
}

static void on_trap(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	char msg[128];
	int n;

	(void)sig;
	(void)si;
	/* After int3, RIP points one byte past the breakpoint. */
	n = snprintf(msg, sizeof(msg),
		     "counter: breakpoint hit at %#llx (tick = %p)\n",
		     (unsigned long long)uc->uc_mcontext.gregs[REG_RIP] - 1,
		     (void *)tick);
	if (n > 0)
		(void)!write(STDOUT_FILENO, msg, (size_t)n);
	_exit(0);
}

int main(int argc, char **argv)
{
	struct timespec period = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };
	struct sigaction sa;
	long limit = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("counter: pid %d, value at %p, tick() at %p\n", (int)getpid(),
	       (void *)&value, (void *)tick);
	for (long i = 0; !limit || i < limit; i++) {
		printf("value = %u\n", value);
		tick();
		nanosleep(&period, NULL);
	}
	return 1;	/* ran out of ticks without being hit */
}
