// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The /dev/zxproc node as ls -l shows it, for `status` and for the
 * message when it cannot be opened.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void zxc_devnode_stat(struct zxc_devnode *node)
{
	static const char rwx[] = "rwxrwxrwx";
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	int i;

	memset(node, 0, sizeof(*node));
	if (stat(ZXC_DEVICE_PATH, &st) != 0)
		return;
	node->present = true;
	node->is_char = S_ISCHR(st.st_mode);
	node->perm = st.st_mode & 07777;
	node->mode[0] = node->is_char ? 'c' : S_ISDIR(st.st_mode) ? 'd' :
			S_ISBLK(st.st_mode) ? 'b' : '-';
	for (i = 0; i < 9; i++)
		node->mode[1 + i] = (st.st_mode & (0400 >> i)) ? rwx[i] : '-';
	node->mode[10] = '\0';
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	if (pw != NULL)
		snprintf(node->owner, sizeof(node->owner), "%s", pw->pw_name);
	else
		snprintf(node->owner, sizeof(node->owner), "%u", (unsigned int)st.st_uid);
	if (gr != NULL)
		snprintf(node->group, sizeof(node->group), "%s", gr->gr_name);
	else
		snprintf(node->group, sizeof(node->group), "%u", (unsigned int)st.st_gid);
}
