/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness of linux-source-6.1 (its
 * tools/testing/selftests/kselftest_harness.h, next on the include path:
 * tests/tests.mk puts this directory first), with what the suites need
 * from later harnesses:
 *
 * - SKIP() after a failed EXPECT is a failure.  6.1's SKIP() sets
 *   "passed" again and a skipped test exits 255, so the failure vanished
 *   into "ok N # SKIP".
 * - SKIP() in FIXTURE_SETUP() skips the test body.  6.1 ran the body
 *   anyway, on a half-made fixture, and reported whatever it did as a
 *   skip (a failed EXPECT in it included).  As in 6.12, the body does
 *   not run; the teardown still does, as 6.1 already did.
 * - Options to pick tests, as 6.12's harness has them (6.1 ignores its
 *   arguments): -l lists the tests; -r FIXTURE[.VARIANT].TEST runs one;
 *   -t TEST, -f FIXTURE, -v VARIANT run those; -T, -F, -V leave them
 *   out.  Options are tried in order for each test and the first that
 *   names it decides; a test no option names runs only when every option
 *   is an exclusion.  Tests of the global fixture are "global.NAME".
 *
 * The TAP output is unchanged: 6.1 prints a skipped test as
 * "ok N # SKIP REASON" without its name, which tests/run-suites takes
 * from the "#  RUN  FIXTURE.TEST ..." line before it.
 */
#ifndef ZXPROC_KSELFTEST_HARNESS_H
#define ZXPROC_KSELFTEST_HARNESS_H

#include_next <kselftest_harness.h>

#include <ctype.h>

#undef SKIP
#define SKIP(statement, fmt, ...) do { \
	if (!_metadata->passed) { \
		__TH_LOG("SKIP after a failed check is a failure: " fmt, \
			 ##__VA_ARGS__); \
		statement; \
	} else { \
		snprintf(_metadata->results->reason, \
			 sizeof(_metadata->results->reason), fmt, ##__VA_ARGS__); \
		if (TH_LOG_ENABLED) \
			fprintf(TH_LOG_STREAM, "#      SKIP      %s\n", \
				_metadata->results->reason); \
		_metadata->passed = 1; \
		_metadata->skip = 1; \
		_metadata->trigger = 0; \
		/* In FIXTURE_SETUP(): on to the teardown, past the body. */ \
		if (!_metadata->setup_completed) { \
			_metadata->setup_completed = true; \
			longjmp(_metadata->env, 1); \
		} \
		statement; \
	} \
} while (0)

static inline bool zxproc_test_enabled(int argc, char **argv,
				const struct __fixture_metadata *f,
				const struct __fixture_variant_metadata *v,
				const struct __test_metadata *t)
{
	char full[512];
	bool positive = false;
	int opt;

	snprintf(full, sizeof(full), "%s%s%s.%s", f->name,
		 v->name[0] ? "." : "", v->name, t->name);
	optind = 1;
	while ((opt = getopt(argc, argv, "lhF:f:V:v:T:t:r:")) != -1) {
		const char *name;

		switch (tolower(opt)) {
		case 'f':
			name = f->name;
			break;
		case 'v':
			name = v->name;
			break;
		case 't':
			name = t->name;
			break;
		case 'r':
			name = full;
			break;
		default:
			continue;
		}
		positive |= islower(opt);
		if (!strcmp(name, optarg))
			return islower(opt);
	}
	return !positive;
}

static inline int zxproc_harness_run(int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant = { .name = "", };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_results *results;
	struct __test_metadata *t;
	unsigned int planned = 0, cases = 0, count = 0, passed = 0;
	bool list = false;
	int opt, ret = 0;

	(void)test_harness_run;	/* replaced by this function */
	while ((opt = getopt(argc, argv, "lhF:f:V:v:T:t:r:")) != -1) {
		if (opt == 'l') {
			list = true;
		} else if (opt == 'h' || opt == '?') {
			fprintf(stderr, "usage: %s [-l] [-r FIXTURE[.VARIANT].TEST] [-t|-T TEST] [-f|-F FIXTURE] [-v|-V VARIANT]...\n",
				argv[0]);
			return opt == 'h' ? 0 : KSFT_FAIL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return KSFT_FAIL;
	}

	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ?: &no_variant; v; v = v->next) {
			bool any = false;

			for (t = f->tests; t; t = t->next) {
				if (!zxproc_test_enabled(argc, argv, f, v, t))
					continue;
				if (list)
					printf("%s%s%s.%s\n", f->name,
					       v->name[0] ? "." : "", v->name, t->name);
				any = true;
				planned++;
			}
			cases += any;
		}
	}
	if (list)
		return 0;

	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (results == MAP_FAILED) {
		perror("mmap");
		return KSFT_FAIL;
	}
	ksft_print_header();
	ksft_set_plan(planned);
	ksft_print_msg("Starting %u tests from %u test cases.\n", planned, cases);
	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ?: &no_variant; v; v = v->next) {
			for (t = f->tests; t; t = t->next) {
				if (!zxproc_test_enabled(argc, argv, f, v, t))
					continue;
				count++;
				t->results = results;
				__run_test(f, v, t);
				t->results = NULL;
				if (t->passed)
					passed++;
				else
					ret = 1;
			}
		}
	}
	munmap(results, sizeof(*results));
	ksft_print_msg("%s: %u / %u tests passed.\n", ret ? "FAILED" : "PASSED",
		       passed, count);
	ksft_exit(ret == 0);
	return KSFT_FAIL;	/* not reached */
}

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		return zxproc_harness_run(argc, argv); \
	}

#endif /* ZXPROC_KSELFTEST_HARNESS_H */
