// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A program of Windows tooling: it includes only <zxproc/win32.h> and
 * links only with `pkg-config --libs libzxproc-win32`.  Its own enum
 * names DELETE and SYNCHRONIZE, which the header must leave alone.  On
 * a machine without the module it runs and says so through
 * GetLastError(): exit status 0 when every answer is Windows'.
 */
#include <stdio.h>

#include <zxproc/win32.h>

enum verb { DELETE, SYNCHRONIZE };

int main(void)
{
	static const char text[] = "win32";
	char got[sizeof(text)] = "";
	SIZE_T n = 0;
	enum verb v = SYNCHRONIZE;

	if (GetCurrentProcess() != (HANDLE)(intptr_t)-1 || v != 1 || DELETE != 0)
		return 1;
	SetLastError(0);
	if (OpenProcess(PROCESS_VM_READ, FALSE, 1) != NULL)
		return 2;
	if (GetLastError() != ERROR_NOT_SUPPORTED) {
		/* The module is there: the pseudo-handle reads our memory. */
		if (!ReadProcessMemory(GetCurrentProcess(), text, got,
				       sizeof(text), &n) || n != sizeof(text))
			return 3;
	}
	printf("ok %s\n", got);
	return 0;
}
