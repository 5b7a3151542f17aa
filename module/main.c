// SPDX-License-Identifier: GPL-2.0
/*
 * zxproc: Zircon-style process handles and process memory access.
 *
 * /dev/zxproc is a misc device, root:root 0600 unless udev says
 * otherwise.  Its only jobs are to report the module version and to
 * mint process handles; everything else happens on a handle
 * (handle.c).  See uapi/linux/zxproc.h for the interface.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/stringify.h>

#include "zxproc.h"

static long zxproc_dev_version(unsigned int cmd, unsigned long arg)
{
	static const struct zxproc_version version = {
		.major = ZXPROC_VERSION_MAJOR,
		.minor = ZXPROC_VERSION_MINOR,
		.patch = ZXPROC_VERSION_PATCH,
	};

	return zxproc_args_out(arg, cmd, &version, sizeof(version));
}

static long zxproc_dev_open_process(const struct file *dev, unsigned int cmd,
				    unsigned long arg)
{
	struct zxproc_open req;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return -EINVAL;
	return zxproc_handle_open(dev, req.pid, req.rights);
}

static long zxproc_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_GET_VERSION))
		return zxproc_dev_version(cmd, arg);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_PROCESS_OPEN))
		return zxproc_dev_open_process(file, cmd, arg);
	return -ENOTTY;
}

static const struct file_operations zxproc_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = zxproc_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice zxproc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = ZXPROC_DEVICE_NAME,
	.fops = &zxproc_dev_fops,
	.mode = 0600,
};

static int __init zxproc_init(void)
{
	int ret;

	zxproc_force_init();
	ret = misc_register(&zxproc_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", ZXPROC_DEVICE_NAME, ret);
		return ret;
	}
	return 0;
}

static void __exit zxproc_exit(void)
{
	misc_deregister(&zxproc_misc);
}

module_init(zxproc_init);
module_exit(zxproc_exit);

MODULE_DESCRIPTION("Zircon-style process handles and process memory access");
MODULE_AUTHOR("The zxproc developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(ZXPROC_VERSION_MAJOR) "."
	       __stringify(ZXPROC_VERSION_MINOR) "."
	       __stringify(ZXPROC_VERSION_PATCH));
