# SPDX-License-Identifier: GPL-2.0
#
# Source tarball and Debian packages, included by the top-level Makefile
# (which defines TOP, BUILD and VERSION).
#
#   make dist   $(BUILD)/dist/zxproc-VERSION.tar.xz: the committed tree of
#               HEAD (git archive), byte for byte the same on every run
#               and machine for one commit: file times are the commit's
#               (SOURCE_DATE_EPOCH), owners 0/0, modes 0644/0755, and xz
#               runs single-threaded with fixed settings.  It builds
#               without network (`make` in the unpacked tree).
#   make deb    the Debian packages (contrib/debian), built from that
#               tarball in a clean $(BUILD)/deb with dpkg-buildpackage,
#               then checked with lintian: any error or warning fails
#               (each override in contrib/debian/*.lintian-overrides says
#               why).  Output: $(BUILD)/deb/*.deb and the .changes.

DIST_NAME	= zxproc-$(VERSION)
DIST_TARBALL	= $(BUILD)/dist/$(DIST_NAME).tar.xz
DEB_DIR		= $(BUILD)/deb
DEB_VERSION	= $(shell dpkg-parsechangelog -l $(TOP)/contrib/debian/changelog -SVersion)
DEB_CHANGES	= $(DEB_DIR)/zxproc_$(DEB_VERSION)_$(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null).changes

.PHONY: dist deb

dist: version-check
	@set -e; \
	git -C $(TOP) rev-parse -q --verify HEAD >/dev/null || \
		{ echo "make dist: $(TOP) is not a git checkout with a commit" >&2; exit 2; }; \
	[ -z "$$(git -C $(TOP) status --porcelain --untracked-files=no)" ] || \
		echo "make dist: note: uncommitted changes are not in the tarball (it packs HEAD)" >&2; \
	[ "$$(git -C $(TOP) show HEAD:uapi/linux/zxproc.h | sed -n 's/^#define ZXPROC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' | paste -sd.)" = "$(VERSION)" ] || \
		{ echo "make dist: HEAD's uapi/linux/zxproc.h is not version $(VERSION); commit it first" >&2; exit 2; }; \
	mkdir -p $(BUILD)/dist; \
	export SOURCE_DATE_EPOCH=$$(git -C $(TOP) log -1 --format=%ct HEAD); \
	git -C $(TOP) -c tar.umask=0022 archive --format=tar --prefix=$(DIST_NAME)/ HEAD | \
		xz -T1 -6 -c >$(DIST_TARBALL).tmp; \
	mv $(DIST_TARBALL).tmp $(DIST_TARBALL); \
	echo "  DIST    $(DIST_TARBALL) ($$(git -C $(TOP) rev-parse --short HEAD), SOURCE_DATE_EPOCH=$$SOURCE_DATE_EPOCH)"

# dpkg-buildpackage -b: binary packages only (the source package would be
# Debian's to make); lintian checks each .deb of the .changes.
deb: dist
	@set -e; \
	rm -rf $(DEB_DIR); mkdir -p $(DEB_DIR); \
	tar -C $(DEB_DIR) -xf $(DIST_TARBALL); \
	cp -a $(DEB_DIR)/$(DIST_NAME)/contrib/debian $(DEB_DIR)/$(DIST_NAME)/debian; \
	cd $(DEB_DIR)/$(DIST_NAME); \
	echo "  DEB     dpkg-buildpackage -us -uc -b in $(DEB_DIR)/$(DIST_NAME) (log: $(DEB_DIR)/build.log)"; \
	SOURCE_DATE_EPOCH=$$(dpkg-parsechangelog -STimestamp) dpkg-buildpackage -us -uc -b >$(DEB_DIR)/build.log 2>&1 || \
		{ tail -n 40 $(DEB_DIR)/build.log >&2; echo "make deb: dpkg-buildpackage failed; log: $(DEB_DIR)/build.log" >&2; exit 1; }; \
	echo "  LINTIAN $(DEB_CHANGES)"; \
	status=0; lintian --fail-on error,warning --display-info $(DEB_CHANGES) >$(DEB_DIR)/lintian.log 2>&1 || status=$$?; \
	cat $(DEB_DIR)/lintian.log; \
	[ $$status = 0 ] || { echo "make deb: lintian failed (status $$status); log: $(DEB_DIR)/lintian.log" >&2; exit 1; }; \
	ls $(DEB_DIR)/*.deb
