# SPDX-License-Identifier: GPL-2.0
#
# zxproc: kernel module, libzxproc, the zxproc command, and their tests.
#
#   make                  module for every Debian kernel, library, command
#   make module KDIR=DIR  the module against any other kernel tree
#   make debug-module     the module (and its KUnit suite) for the debug kernel
#   make check            host tests, then every guest suite on every kernel:
#                         Debian's 6.1, 6.12 and 6.12-rt, and 7.2 (debug)
#   make check-debug      every guest suite on the 7.2 debug kernel (KASAN, ...)
#   make style            checkpatch --strict; `make sparse` runs make C=2
#   make dist, make deb   the source tarball; the Debian packages
#                         (contrib/dist.mk, contrib/debian)
#
# The kernel build itself is described by ./Kbuild (also what DKMS uses).
# Every build product lands under build/; nothing is written into the
# source directories, so one tree builds for several kernels at once.

TOP		:= $(CURDIR)
BUILD		?= $(TOP)/build
ZXPROC_CACHE	?= /var/cache/zxproc
export ZXPROC_CACHE

# The single version source (see uapi/linux/zxproc.h).
version_part = $(shell sed -n 's/^\#define ZXPROC_VERSION_$(1) \([0-9]*\)$$/\1/p' $(TOP)/uapi/linux/zxproc.h)
VERSION_MAJOR	:= $(call version_part,MAJOR)
VERSION		:= $(VERSION_MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)

# Debian's kernels, resolved from the meta-packages: "NAME RELEASE" pairs.
# Where those are not installed (not Debian 12: Ubuntu, Fedora, a
# self-built kernel), the running kernel, if its build tree is there.
# KERNEL_LIST and KERNEL_RELEASE are there to be overridden (the tests of
# this fallback do).
KERNEL_LIST	?= $(TOP)/tests/vm/kernels
KERNEL_RELEASE	?= $(shell uname -r)
DEBIAN_KERNELS	:= $(shell $(KERNEL_LIST) 2>/dev/null | awk '$$1 != "debug" {print $$2}')
KERNELS		:= $(or $(DEBIAN_KERNELS),$(if $(wildcard /lib/modules/$(KERNEL_RELEASE)/build/Makefile),$(KERNEL_RELEASE)))
KERNEL_SRCS	:= Kbuild $(wildcard module/*.c module/*.h) uapi/linux/zxproc.h
# The test-only delay module (tests/kmod), built beside zxproc.ko.
KMOD_SRCS	:= $(wildcard tests/kmod/*.c)

# W=1 always: the module must build without warnings at that level.
KBUILD_FLAGS	?= W=1

.PHONY: all modules module debug-module clean style sparse version-check

all: version-check modules

# One out-of-tree copy per kernel release, so builds do not clobber each
# other's objects.  $(1) = kernel release, $(2) = kernel build dir.
define build_module
	@mkdir -p $(BUILD)/kernel/$(1)
	@rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
		$(TOP)/Kbuild $(TOP)/module $(TOP)/uapi $(TOP)/tests/kmod $(BUILD)/kernel/$(1)/ 2>/dev/null || \
		cp -a $(TOP)/Kbuild $(TOP)/module $(TOP)/uapi $(TOP)/tests/kmod $(BUILD)/kernel/$(1)/
	$(MAKE) -C $(2) M=$(BUILD)/kernel/$(1) $(KBUILD_FLAGS) $(3) modules
endef

modules: $(patsubst %,$(BUILD)/kernel/%/zxproc.ko,$(KERNELS))
ifeq ($(strip $(KERNELS)),)
modules: no-kernel
endif

# No kernel to build for: say what to install, per distribution.
.PHONY: no-kernel
no-kernel:
	@echo "make: no kernel to build zxproc.ko for: Debian 12's kernel meta-packages are not installed" >&2
	@echo "  and the running kernel's build tree /lib/modules/$(KERNEL_RELEASE)/build is missing." >&2
	@echo "  Install the headers of the running kernel $(KERNEL_RELEASE):" >&2
	@echo "    Debian, Ubuntu:  apt-get install linux-headers-$(KERNEL_RELEASE)" >&2
	@echo "    Fedora:          dnf install kernel-devel-$(KERNEL_RELEASE)" >&2
	@echo "  or build against another tree: make module KDIR=/path/to/kernel/tree;" >&2
	@echo "  the library and the command alone: make lib cli" >&2
	@exit 2

$(BUILD)/kernel/%/zxproc.ko: $(KERNEL_SRCS) $(KMOD_SRCS)
	$(call build_module,$*,/lib/modules/$*/build)

# Any other kernel tree: make module KDIR=/path/to/tree.  The output goes
# to $(BUILD)/kernel/RELEASE/, named by the tree's own release string, which
# is where tests/vm/run looks for a kernel's module.
KDIR_RELEASE	= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
module:
	@test -n "$(KDIR)" || { echo "usage: make module KDIR=/path/to/kernel/tree" >&2; exit 2; }
	@test -n "$(KDIR_RELEASE)" || { echo "make module: $(KDIR) is not a prepared kernel tree (no include/config/kernel.release)" >&2; exit 2; }
	$(call build_module,$(KDIR_RELEASE),$(KDIR))

# The 7.2 (debug) tier's module (and zxproc_kunit.ko, since that kernel
# has CONFIG_KUNIT), built against the tree tests/vm/debug-kernel caches;
# fetches and builds that kernel first if it is not cached.
debug-module:
	@$(TOP)/tests/vm/debug-kernel --build >/dev/null
	@$(MAKE) --no-print-directory module KDIR="$$($(TOP)/tests/vm/debug-kernel --print-dir)/build"

# sparse on every kernel (C=2 checks every file, not only rebuilt ones).
sparse:
	@for k in $(KERNELS); do \
		$(MAKE) --no-print-directory KBUILD_FLAGS="W=1 C=2" $(BUILD)/kernel/$$k/zxproc.ko -B || exit 1; \
	done

# checkpatch.pl --strict, taken from Debian's linux-source-6.1 at run time.
# module/compat.h alone is checked without LINUX_VERSION_CODE and
# CONSTANT_COMPARISON: it holds the one version test an out-of-tree
# module for two kernels cannot avoid (checkpatch is written for in-tree
# code, where that test is never needed).
CHECKPATCH	= $(TOP)/tests/linux-source checkpatch --strict --no-tree --terse --show-types -f
style:
	@$(CHECKPATCH) $(filter-out module/compat.h,$(wildcard module/*.c module/*.h)) uapi/linux/zxproc.h
	@$(CHECKPATCH) --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON module/compat.h

# The version in every derived place must agree with uapi/linux/zxproc.h.
version-check:
	@$(TOP)/tests/version-check $(VERSION)

clean:
	rm -rf $(BUILD)

-include userlib/userlib.mk
-include userlib/cli/cli.mk
-include tests/tests.mk
-include tests/arm64/arm64.mk
-include tests/demo/demo.mk
-include tests/bench/bench.mk
-include contrib/dist.mk

# ---- install ----
#
# Installing zxproc like any other kernel software (issue 6):
#
#   make install        the module for KERNELS (then depmod), the library
#                       (shared, with its soname links, and static), its
#                       headers, libzxproc.pc, the man pages, the zxproc
#                       command, the udev rule (/dev/zxproc root:zxproc
#                       0660), the sysusers.d entry for group zxproc, and
#                       with MODULES_LOAD=yes a modules-load.d entry
#   make uninstall      remove exactly the files `make install` puts there
#   make dkms-install   copy the module sources to /usr/src/zxproc-VERSION,
#                       then `dkms add`, `dkms build`, `dkms install` them
#                       for KERNELS; re-running it rebuilds from the copy
#   make dkms-remove    `dkms remove --all`, and delete that copy
#   make install-userland, install-module (and uninstall-*): the two
#                       halves of `make install`; packages take the first
#   make dkms-source DKMS_SRC_DIR=DIR
#                       only the copy of the module sources and dkms.conf
#   make sign           sign $(BUILD)/kernel/REL/zxproc.ko for KERNELS with
#                       a MOK key pair (MOK_KEY, MOK_CERT; see below)
#   make mok-keygen     create a MOK key pair in MOK_DIR
#
# DESTDIR stages the files for a package: nothing outside it is touched,
# and what a real install also does is left to the package's scripts (run
# `depmod -a REL`, create the group with systemd-sysusers or `groupadd
# --system zxproc`, run ldconfig, reload udev).  Without DESTDIR,
# `make install` does all of that itself.
#
# PREFIX (/usr/local) places the library, headers, man pages and command.
# udev and systemd never read /usr/local, so the udev rule, sysusers.d and
# modules-load.d files go where the system's own udev and systemd look
# (from their pkg-config files), and the module under /lib/modules.

BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
UDEVRULESDIR	?= $(or $(shell pkg-config --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d
SYSUSERSDIR	?= $(or $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
MODULESLOADDIR	?= $(or $(shell pkg-config --variable=modulesloaddir systemd 2>/dev/null),/usr/lib/modules-load.d)
# Under /lib/modules/REL: "updates" is searched before the kernel's own
# modules (depmod.d(5)); DKMS uses its subdirectory updates/dkms.
INSTALL_MOD_DIR	?= updates
MODULES_LOAD	?= no
INSTALL		?= install

# Installed files, relative to their directories.
INST_MODULE	= lib/modules/$$rel/$(INSTALL_MOD_DIR)/zxproc.ko
INST_MAN	:= $(sort $(wildcard $(TOP)/userlib/man/man1/*.1 $(TOP)/userlib/man/man3/*.3))
INST_DATA	:= $(TOP)/userlib/data
# The zxproc command, once its rules exist (userlib/cli/cli.mk).
INST_CLI	:= $(if $(wildcard $(TOP)/userlib/cli/cli.mk),$(BUILD)/userlib/zxproc)

.PHONY: install uninstall dkms-install dkms-remove sign mok-keygen version-check-built \
	install-module install-userland uninstall-module uninstall-userland \
	version-check-userland dkms-source

# Built products carry the version too; check them once they are built
# (tests/version-check runs before the build for the literal copies).
all: version-check-built
version-check-built: modules version-check-userland
	@$(TOP)/tests/version-check $(VERSION) $(patsubst %,$(BUILD)/kernel/%/zxproc.ko,$(KERNELS))
version-check-userland: version-check lib $(INST_CLI)
	@$(TOP)/tests/version-check $(VERSION) $(LIB_SO) $(LIB_PC)

# Only with DESTDIR empty: the running system's own state.
real_install	= $(if $(DESTDIR),,yes)

# depmod for one release ($$rel): on the real system; in DESTDIR only when
# it holds that kernel's whole module tree (a system image), because index
# files generated for our module alone would replace the system's.
define depmod_release
	if [ -z "$(DESTDIR)" ]; then \
		depmod -a $$rel; \
	elif [ -e "$(DESTDIR)/lib/modules/$$rel/modules.order" ]; then \
		depmod -b "$(DESTDIR)" -a $$rel; \
	fi
endef

# udev re-reads its rules and re-applies them to /dev/zxproc, if udev runs.
define udev_reload
	if udevadm control --ping >/dev/null 2>&1; then \
		udevadm control --reload && \
		udevadm trigger --action=add --subsystem-match=misc --sysname-match=zxproc && \
		udevadm settle; \
	fi
endef

# Headers go to their own directory, INCDIR, never straight into
# INCLUDEDIR: <zircon/*.h> there would shadow the Fuchsia SDK's, and
# <linux/zxproc.h> would sit in linux-libc-dev's directory.  The .pc
# files' Cflags point there.  Header directories, and the headers of one
# of them ($(1), e.g. zircon/).
INCDIR		= $(INCLUDEDIR)/libzxproc
INST_HDR_DIRS	:= $(sort $(dir $(LIB_PUBLIC_HDRS)))
inst_hdrs	= $(foreach h,$(LIB_PUBLIC_HDRS),$(if $(filter $(1),$(dir $(h))),$(LIB_DIR)/include/$(h)))
# install = install-module + install-userland; packages take the second
# alone (contrib/debian: the module comes from zxproc-dkms).
# One install(1) per directory: under TCG each process costs seconds.
install: install-module install-userland
install-module: version-check-built
	@set -e; \
	$(INSTALL) -d $(foreach rel,$(KERNELS),"$(DESTDIR)/lib/modules/$(rel)/$(INSTALL_MOD_DIR)"); \
	for rel in $(KERNELS); do \
		echo "  INSTALL $(DESTDIR)/$(INST_MODULE)"; \
		$(INSTALL) -m 0644 $(BUILD)/kernel/$$rel/zxproc.ko "$(DESTDIR)/$(INST_MODULE)"; \
		$(depmod_release); \
	done

install-userland: version-check-userland
	@set -e; \
	case "$(MODULES_LOAD)" in yes|no) ;; \
	*) echo "install: MODULES_LOAD must be yes or no, not '$(MODULES_LOAD)'; nothing installed" >&2; exit 2 ;; \
	esac; \
	if [ -n "$(real_install)" ] && ! getent group zxproc >/dev/null; then \
		echo "  GROUP   zxproc (groupadd --system)"; groupadd --system zxproc; \
	fi; \
	$(INSTALL) -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(PKGCONFIGDIR)" "$(DESTDIR)$(INCDIR)/linux" \
		$(foreach d,$(INST_HDR_DIRS),"$(DESTDIR)$(INCDIR)/$(d)") \
		$(foreach s,$(sort $(suffix $(INST_MAN))),"$(DESTDIR)$(MANDIR)/man$(subst .,,$(s))") \
		$(if $(INST_CLI),"$(DESTDIR)$(BINDIR)") "$(DESTDIR)$(UDEVRULESDIR)" "$(DESTDIR)$(SYSUSERSDIR)" \
		$(if $(filter yes,$(MODULES_LOAD)),"$(DESTDIR)$(MODULESLOADDIR)"); \
	echo "  INSTALL $(DESTDIR)$(LIBDIR)/libzxproc.*"; \
	$(INSTALL) -m 0644 $(LIB_SO) $(LIB_A) "$(DESTDIR)$(LIBDIR)/"; \
	ln -sfn libzxproc.so.$(VERSION) "$(DESTDIR)$(LIBDIR)/$(LIB_SONAME)"; \
	ln -sfn $(LIB_SONAME) "$(DESTDIR)$(LIBDIR)/libzxproc.so"; \
	$(INSTALL) -m 0644 $(W32_SO) $(W32_A) "$(DESTDIR)$(LIBDIR)/"; \
	ln -sfn libzxproc-win32.so.$(VERSION) "$(DESTDIR)$(LIBDIR)/$(W32_SONAME)"; \
	ln -sfn $(W32_SONAME) "$(DESTDIR)$(LIBDIR)/libzxproc-win32.so"; \
	$(INSTALL) -m 0644 $(LIB_PC) $(W32_PC) "$(DESTDIR)$(PKGCONFIGDIR)/"; \
	echo "  INSTALL $(DESTDIR)$(INCDIR)/ $(INST_HDR_DIRS) linux/"; \
	$(foreach d,$(INST_HDR_DIRS),$(INSTALL) -m 0644 $(call inst_hdrs,$(d)) "$(DESTDIR)$(INCDIR)/$(d)";) \
	$(INSTALL) -m 0644 $(TOP)/uapi/linux/zxproc.h "$(DESTDIR)$(INCDIR)/linux/"; \
	echo "  INSTALL $(DESTDIR)$(MANDIR)"; \
	$(foreach s,$(sort $(suffix $(INST_MAN))), \
		$(INSTALL) -m 0644 $(filter %$(s),$(INST_MAN)) "$(DESTDIR)$(MANDIR)/man$(subst .,,$(s))/";) \
	if [ -n "$(INST_CLI)" ]; then \
		echo "  INSTALL $(DESTDIR)$(BINDIR)/zxproc"; \
		$(INSTALL) -m 0755 $(INST_CLI) "$(DESTDIR)$(BINDIR)/zxproc"; \
	fi; \
	echo "  INSTALL $(DESTDIR)$(UDEVRULESDIR)/60-zxproc.rules"; \
	$(INSTALL) -m 0644 $(INST_DATA)/60-zxproc.rules "$(DESTDIR)$(UDEVRULESDIR)/60-zxproc.rules"; \
	$(INSTALL) -m 0644 $(INST_DATA)/sysusers.conf "$(DESTDIR)$(SYSUSERSDIR)/zxproc.conf"; \
	if [ "$(MODULES_LOAD)" = yes ]; then \
		echo "  INSTALL $(DESTDIR)$(MODULESLOADDIR)/zxproc.conf"; \
		$(INSTALL) -m 0644 $(INST_DATA)/modules-load.conf "$(DESTDIR)$(MODULESLOADDIR)/zxproc.conf"; \
	fi; \
	if [ -n "$(real_install)" ]; then \
		ldconfig; $(udev_reload); \
	else \
		echo "  NOTE    packages run: depmod -a REL; systemd-sysusers zxproc.conf (or groupadd --system zxproc); ldconfig; udevadm control --reload"; \
	fi

# The group stays: files and processes may still carry its gid, and a
# later group that reused the number would inherit them (Debian's policy
# for system groups too).
uninstall: uninstall-module uninstall-userland
uninstall-module:
	@set -e; \
	for rel in $(KERNELS); do \
		echo "  REMOVE  $(DESTDIR)/$(INST_MODULE)"; \
		rm -f "$(DESTDIR)/$(INST_MODULE)"; \
		if [ -d "$(DESTDIR)/lib/modules/$$rel" ]; then $(depmod_release); fi; \
	done

uninstall-userland:
	@set -e; \
	echo "  REMOVE  $(DESTDIR)$(LIBDIR)/libzxproc.* and the rest"; \
	rm -f "$(DESTDIR)$(LIBDIR)/libzxproc.so.$(VERSION)" "$(DESTDIR)$(LIBDIR)/$(LIB_SONAME)" \
		"$(DESTDIR)$(LIBDIR)/libzxproc.so" "$(DESTDIR)$(LIBDIR)/libzxproc.a" \
		"$(DESTDIR)$(PKGCONFIGDIR)/libzxproc.pc" \
		"$(DESTDIR)$(LIBDIR)/libzxproc-win32.so.$(VERSION)" "$(DESTDIR)$(LIBDIR)/$(W32_SONAME)" \
		"$(DESTDIR)$(LIBDIR)/libzxproc-win32.so" "$(DESTDIR)$(LIBDIR)/libzxproc-win32.a" \
		"$(DESTDIR)$(PKGCONFIGDIR)/libzxproc-win32.pc" \
		$(foreach h,$(LIB_PUBLIC_HDRS) linux/zxproc.h,"$(DESTDIR)$(INCDIR)/$(h)") \
		$(foreach m,$(INST_MAN),"$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))") \
		"$(DESTDIR)$(BINDIR)/zxproc" "$(DESTDIR)$(UDEVRULESDIR)/60-zxproc.rules" \
		"$(DESTDIR)$(SYSUSERSDIR)/zxproc.conf" "$(DESTDIR)$(MODULESLOADDIR)/zxproc.conf"; \
	for d in $$(printf '%s\n' $(INST_HDR_DIRS) linux/ | sort -r) ""; do \
		[ ! -d "$(DESTDIR)$(INCDIR)/$$d" ] || rmdir --ignore-fail-on-non-empty "$(DESTDIR)$(INCDIR)/$$d"; \
	done; \
	if [ -n "$(real_install)" ]; then ldconfig; $(udev_reload); fi

# DKMS builds from its own copy of exactly the module's sources: Kbuild
# alone describes the build, so nothing outside the copy is needed.
DKMS		?= dkms
DKMS_SRC	= /usr/src/zxproc-$(VERSION)
dkms_added	= $(DKMS) status -m zxproc -v $(VERSION) 2>/dev/null | grep -q .

# The DKMS source tree alone, into DKMS_SRC_DIR (a package's staging
# directory: contrib/debian's zxproc-dkms).
DKMS_SRC_DIR	?= $(DKMS_SRC)
dkms-source: version-check
	@set -e; \
	echo "  COPY    $(DKMS_SRC_DIR)"; \
	for f in $(KERNEL_SRCS) dkms.conf; do $(INSTALL) -D -m 0644 $(TOP)/$$f "$(DKMS_SRC_DIR)/$$f"; done

dkms-install: version-check
	@set -e; \
	rm -rf "$(DKMS_SRC).new"; \
	$(MAKE) --no-print-directory dkms-source DKMS_SRC_DIR="$(DKMS_SRC).new"; \
	rm -rf "$(DKMS_SRC)"; mv "$(DKMS_SRC).new" "$(DKMS_SRC)"; \
	$(dkms_added) || $(DKMS) add -m zxproc -v $(VERSION); \
	for rel in $(KERNELS); do \
		$(DKMS) build --force -m zxproc -v $(VERSION) -k $$rel; \
		$(DKMS) install --force -m zxproc -v $(VERSION) -k $$rel; \
	done

dkms-remove:
	@set -e; \
	if $(dkms_added); then $(DKMS) remove -m zxproc -v $(VERSION) --all; fi; \
	echo "  REMOVE  $(DKMS_SRC)"; rm -rf "$(DKMS_SRC)"

# Module signing for Secure Boot.  The key pair is MOK_DIR's (made by
# `make mok-keygen`), else DKMS's own (/var/lib/dkms/mok.key, mok.pub,
# which Debian's dkms creates and signs its builds with), unless MOK_KEY
# and MOK_CERT name one.  Enroll the certificate once with
# `mokutil --import CERT` and confirm it in the firmware's MokManager at
# the next boot.  tests/install/sign-module documents the signing itself.
MOK_DIR		?= /var/lib/zxproc
mok_pair	= $(if $(filter 2,$(words $(wildcard $(1) $(2)))),$(1) $(2))
MOK_PAIR	:= $(or $(call mok_pair,$(MOK_DIR)/mok.key,$(MOK_DIR)/mok.der), \
		        $(call mok_pair,/var/lib/dkms/mok.key,/var/lib/dkms/mok.pub), \
		        $(MOK_DIR)/mok.key $(MOK_DIR)/mok.der)
MOK_KEY		?= $(word 1,$(MOK_PAIR))
MOK_CERT	?= $(word 2,$(MOK_PAIR))

sign: modules
	@for rel in $(KERNELS); do \
		$(TOP)/tests/install/sign-module "$(MOK_KEY)" "$(MOK_CERT)" /lib/modules/$$rel/build \
			$(BUILD)/kernel/$$rel/zxproc.ko || exit 1; \
	done

# Never replaces a key: one that is enrolled cannot be made again.
mok-keygen:
	@set -e; \
	if [ -e "$(MOK_DIR)/mok.key" ] || [ -e "$(MOK_DIR)/mok.der" ]; then \
		echo "mok-keygen: $(MOK_DIR) already holds a key pair; not replacing it" >&2; exit 1; \
	fi; \
	$(INSTALL) -d -m 0700 "$(MOK_DIR)"; \
	umask 077; \
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=zxproc module signing key/" \
		-addext basicConstraints=critical,CA:FALSE -addext keyUsage=digitalSignature \
		-addext extendedKeyUsage=codeSigning \
		-keyout "$(MOK_DIR)/mok.key" -outform DER -out "$(MOK_DIR)/mok.der" 2>/dev/null; \
	chmod 0644 "$(MOK_DIR)/mok.der"; \
	echo "  KEYGEN  $(MOK_DIR)/mok.key (private) and $(MOK_DIR)/mok.der (certificate)"; \
	echo "  enroll it for Secure Boot: mokutil --import $(MOK_DIR)/mok.der, reboot, confirm in MokManager"
