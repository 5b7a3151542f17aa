// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible ioctl arguments.
 *
 * Each command's struct size travels in _IOC_SIZE(cmd), so one command
 * number serves every version of its struct (the scheme of
 * Documentation/driver-api/ioctl.rst and of pidfd's PIDFD_GET_INFO).
 * The struct is copied from userspace exactly once; handlers then look
 * only at the kernel copy, so a second thread rewriting the user struct
 * during the call cannot make the kernel validate one value and use
 * another.
 */
#include <linux/ioctl.h>
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include <kunit/visibility.h>

#include "zxproc.h"

#define ZXPROC_IOC_SIZE_BITS (_IOC_SIZEMASK << _IOC_SIZESHIFT)

/**
 * zxproc_cmd_is() - does @cmd name the command @known, at any struct size?
 * @cmd: the command number the caller passed.
 * @known: the command as this module's uapi header defines it.
 *
 * Direction, type and number must match exactly; the size may be larger
 * (a newer caller) but not smaller than the first published struct.
 *
 * Return: true if @cmd is @known at a size this module can serve.
 */
bool zxproc_cmd_is(unsigned int cmd, unsigned int known)
{
	return (cmd & ~ZXPROC_IOC_SIZE_BITS) == (known & ~ZXPROC_IOC_SIZE_BITS) &&
	       _IOC_SIZE(cmd) >= _IOC_SIZE(known);
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_cmd_is);

/**
 * zxproc_args_in() - copy a command's argument struct in, once
 * @karg: kernel copy, @ksize bytes.
 * @ksize: size of the struct this module knows.
 * @cmd: the command; _IOC_SIZE(cmd) is the caller's struct size.
 * @arg: the user pointer.
 *
 * Return: 0, -EFAULT, or -E2BIG when the caller's struct is longer and
 * a byte past @ksize is not zero (copy_struct_from_user()'s rule).
 */
int zxproc_args_in(void *karg, size_t ksize, unsigned int cmd,
		   unsigned long arg)
{
	return copy_struct_from_user(karg, ksize, u64_to_user_ptr((u64)arg),
				     _IOC_SIZE(cmd));
}

/**
 * zxproc_args_out() - copy a result struct out
 * @arg: the user pointer.
 * @cmd: the command; _IOC_SIZE(cmd) is the caller's struct size.
 * @karg: the result, @ksize bytes.
 * @ksize: size of the struct this module knows.
 *
 * A longer caller struct gets its unknown tail zeroed, so a field this
 * module does not know reads as "absent" rather than as stale memory.
 *
 * Return: 0 or -EFAULT.
 */
int zxproc_args_out(unsigned long arg, unsigned int cmd, const void *karg,
		    size_t ksize)
{
	void __user *uarg = u64_to_user_ptr((u64)arg);
	size_t usize = _IOC_SIZE(cmd);

	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}
