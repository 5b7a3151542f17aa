# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libzxproc, included by the top-level Makefile, which defines TOP, BUILD,
# VERSION and VERSION_MAJOR (all derived from uapi/linux/zxproc.h).
#
#   make lib   $(BUILD)/userlib/libzxproc.so.$(VERSION), its soname link
#              libzxproc.so.$(VERSION_MAJOR) and the libzxproc.so link,
#              libzxproc.a, libzxproc.pc, and san/libzxproc.a (the same
#              library built with ASan/UBSan, for host tests).  It also
#              checks that every public header compiles on its own as
#              C11 and as C++, and that the shared library exports
#              exactly the functions the public headers declare, and
#              that each of those has a man page that groff renders
#              without warnings.  The same for libzxproc-win32
#              (userlib/win32/, <zxproc/win32.h>): its shared library
#              holds its own hidden copy of libzxproc's internals and
#              exports only Windows' names, its static library only
#              win32.o (link libzxproc.a after it), and libzxproc
#              exports only zx_* and zxproc_* names.
#
# PREFIX, LIBDIR and INCLUDEDIR only fill in libzxproc.pc.

LIB_DIR		:= $(TOP)/userlib
LIB_OUT		:= $(BUILD)/userlib
LIB_SRCS	:= $(sort $(wildcard $(LIB_DIR)/src/*.c))
LIB_PUBLIC_HDRS	:= $(sort $(shell cd $(LIB_DIR)/include && find . -name '*.h' | sed 's|^\./||'))
# The header of libzxproc-win32; the others are libzxproc's.
W32_HDR		:= zxproc/win32.h
LIB_OWN_HDRS	:= $(filter-out $(W32_HDR),$(LIB_PUBLIC_HDRS))
LIB_DEPS	:= $(addprefix $(LIB_DIR)/include/,$(LIB_PUBLIC_HDRS)) \
		   $(LIB_DIR)/src/internal.h $(TOP)/uapi/linux/zxproc.h
LIB_MAP		:= $(LIB_DIR)/libzxproc.map
# The names of the functions a header declares: a declaration starts in
# column 0 with its type, and its name is followed by "(" (the Zircon
# names are lower case, Windows' in <zxproc/win32.h> capitalised).
LIB_FUNC_NAMES	:= sed -n 's/^[A-Za-z_][A-Za-z0-9_ ]*[ *]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p'

LIB_CC		?= $(CC)
LIB_CXX		?= $(CXX)
# CPPFLAGS, CFLAGS and LDFLAGS of the caller's come last (a distribution's
# hardening flags: dpkg-buildflags for contrib/debian).
LIB_CPPFLAGS	:= -I$(LIB_DIR)/include -I$(TOP)/uapi -D_GNU_SOURCE $(CPPFLAGS)
LIB_CFLAGS	:= -std=c11 -fPIC -fvisibility=hidden -Wall -Wextra -Werror -O2 -g $(CFLAGS)
LIB_SAN_CFLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all

LIB_SONAME	:= libzxproc.so.$(VERSION_MAJOR)
LIB_SO		:= $(LIB_OUT)/libzxproc.so.$(VERSION)
LIB_A		:= $(LIB_OUT)/libzxproc.a
LIB_SAN_A	:= $(LIB_OUT)/san/libzxproc.a
LIB_PC		:= $(LIB_OUT)/libzxproc.pc
LIB_OBJS	:= $(patsubst $(LIB_DIR)/src/%.c,$(LIB_OUT)/obj/%.o,$(LIB_SRCS))
LIB_SAN_OBJS	:= $(patsubst $(LIB_DIR)/src/%.c,$(LIB_OUT)/san/obj/%.o,$(LIB_SRCS))

W32_SONAME	:= libzxproc-win32.so.$(VERSION_MAJOR)
W32_SO		:= $(LIB_OUT)/libzxproc-win32.so.$(VERSION)
W32_A		:= $(LIB_OUT)/libzxproc-win32.a
W32_SAN_A	:= $(LIB_OUT)/san/libzxproc-win32.a
W32_PC		:= $(LIB_OUT)/libzxproc-win32.pc
W32_MAP		:= $(LIB_DIR)/libzxproc-win32.map
W32_OBJ		:= $(LIB_OUT)/obj/win32/win32.o
W32_SAN_OBJ	:= $(LIB_OUT)/san/obj/win32/win32.o

PREFIX		?= /usr/local
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include

.PHONY: lib
all: lib
lib: $(LIB_SO) $(LIB_OUT)/$(LIB_SONAME) $(LIB_OUT)/libzxproc.so $(LIB_A) \
	$(LIB_SAN_A) $(LIB_PC) $(LIB_OUT)/headers.ok $(LIB_OUT)/exports.ok \
	$(LIB_OUT)/man.ok $(W32_SO) $(LIB_OUT)/$(W32_SONAME) \
	$(LIB_OUT)/libzxproc-win32.so $(W32_A) $(W32_SAN_A) $(W32_PC) \
	$(LIB_OUT)/win32-exports.ok

$(LIB_OUT)/obj/%.o: $(LIB_DIR)/src/%.c $(LIB_DEPS)
	@mkdir -p $(@D)
	$(LIB_CC) $(LIB_CPPFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_OUT)/san/obj/%.o: $(LIB_DIR)/src/%.c $(LIB_DEPS)
	@mkdir -p $(@D)
	$(LIB_CC) $(LIB_CPPFLAGS) $(LIB_CFLAGS) $(LIB_SAN_CFLAGS) -c -o $@ $<

$(W32_OBJ): $(LIB_DIR)/win32/win32.c $(LIB_DEPS)
	@mkdir -p $(@D)
	$(LIB_CC) $(LIB_CPPFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(W32_SAN_OBJ): $(LIB_DIR)/win32/win32.c $(LIB_DEPS)
	@mkdir -p $(@D)
	$(LIB_CC) $(LIB_CPPFLAGS) $(LIB_CFLAGS) $(LIB_SAN_CFLAGS) -c -o $@ $<

# Self-contained: libzxproc's internals are hidden there, so they come
# along, hidden here too; the version script exports Windows' names only.
$(W32_SO): $(W32_OBJ) $(LIB_OBJS) $(W32_MAP)
	$(LIB_CC) -shared -Wl,-soname,$(W32_SONAME) \
		-Wl,--version-script,$(W32_MAP) -Wl,--no-undefined \
		-Wl,-z,relro,-z,now $(LDFLAGS) -o $@ $(W32_OBJ) $(LIB_OBJS) -lpthread

$(LIB_OUT)/$(W32_SONAME): $(W32_SO)
	ln -sf $(notdir $<) $@

$(LIB_OUT)/libzxproc-win32.so: $(LIB_OUT)/$(W32_SONAME)
	ln -sf $(notdir $<) $@

$(W32_A): $(W32_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(W32_SAN_A): $(W32_SAN_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS) $(LIB_MAP)
	$(LIB_CC) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script,$(LIB_MAP) -Wl,--no-undefined \
		-Wl,-z,relro,-z,now $(LDFLAGS) -o $@ $(LIB_OBJS) -lpthread

$(LIB_OUT)/$(LIB_SONAME): $(LIB_SO)
	ln -sf $(notdir $<) $@

$(LIB_OUT)/libzxproc.so: $(LIB_OUT)/$(LIB_SONAME)
	ln -sf $(notdir $<) $@

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SAN_A): $(LIB_SAN_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# Rewritten only when its content changes, so PREFIX=... takes effect.
$(LIB_PC) $(W32_PC): $(LIB_OUT)/%.pc: $(LIB_DIR)/%.pc.in FORCE
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		$< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@"; fi

# Each public header must compile alone, as C11 and as C++.
$(LIB_OUT)/headers.ok: $(LIB_DEPS)
	@mkdir -p $(@D)
	@for h in $(LIB_PUBLIC_HDRS); do \
		printf "#include <%s>\nint zxp_header_check;\n" $$h | $(LIB_CC) -std=c11 -pedantic -Wall -Wextra -Werror \
			-I$(LIB_DIR)/include -x c -fsyntax-only - || exit 1; \
		printf "#include <%s>\nint zxp_header_check;\n" $$h | $(LIB_CXX) -std=c++11 -pedantic -Wall -Wextra -Werror \
			-I$(LIB_DIR)/include -x c++ -fsyntax-only - || exit 1; \
	done
	@touch $@

# The shared library exports exactly the functions the public headers
# declare: a function missing from libzxproc.map, or a stray export,
# fails the build.
LIB_EXPORTS	= nm -D --defined-only $(1) | awk '$$2 != "A" { sub(/@.*/, "", $$3); print $$3 }' | sort
$(LIB_OUT)/exports.ok: $(LIB_SO) $(LIB_DEPS)
	@$(call LIB_EXPORTS,$(LIB_SO)) > $@.have
	@cat $(addprefix $(LIB_DIR)/include/,$(LIB_OWN_HDRS)) | \
		$(LIB_FUNC_NAMES) | sort > $@.want
	@diff -u $@.want $@.have || { echo "libzxproc: exports differ from the public headers' functions" >&2; exit 1; }
	@! grep -v -e '^zx_' -e '^zxproc_' $@.have || { echo "libzxproc: exports a name that is neither zx_* nor zxproc_*" >&2; exit 1; }
	@rm -f $@.have $@.want
	@touch $@

$(LIB_OUT)/win32-exports.ok: $(W32_SO) $(LIB_DEPS)
	@$(call LIB_EXPORTS,$(W32_SO)) > $@.have
	@$(LIB_FUNC_NAMES) $(LIB_DIR)/include/$(W32_HDR) | sort > $@.want
	@diff -u $@.want $@.have || { echo "libzxproc-win32: exports differ from <zxproc/win32.h>'s functions" >&2; exit 1; }
	@rm -f $@.have $@.want
	@touch $@

# Every public function has its man page, and every page renders
# without a single groff warning.
LIB_MAN_PAGES	:= $(sort $(wildcard $(LIB_DIR)/man/man3/*.3))
$(LIB_OUT)/man.ok: $(LIB_MAN_PAGES) $(LIB_DIR)/man/man3 $(LIB_DEPS)
	@mkdir -p $(@D)
	@for f in $$(cat $(addprefix $(LIB_DIR)/include/,$(LIB_PUBLIC_HDRS)) | \
			$(LIB_FUNC_NAMES)); do \
		test -f $(LIB_DIR)/man/man3/$$f.3 || { echo "libzxproc: no man page for $$f" >&2; exit 1; }; \
	done
	@for p in $(LIB_MAN_PAGES); do \
		out=$$(groff -man -ww -z $$p 2>&1); \
		test -z "$$out" || { echo "$$p: $$out" >&2; exit 1; }; \
	done
	@touch $@

.PHONY: FORCE
FORCE:
