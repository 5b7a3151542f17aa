#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Python package installs from the source tree into a fresh virtual
# environment without a network, as its README says: Debian's python3
# -m venv --system-site-packages (for the build backend, python3-
# setuptools and python3-wheel), pip install --no-build-isolation
# --no-index.  Then, from outside the source tree: the installed copy is
# the one imported, with its py.typed and the version of the uapi
# header; it loads libzxproc.so.0 and a call's failure is a ZxError
# carrying the status (opening a pid that cannot exist: NOT_SUPPORTED
# where no module is loaded, else NOT_FOUND); and it uninstalls cleanly.  The guest suite
# package_test.sh runs the package against the module.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/lib/workdir.sh
. "$top/tests/lib/workdir.sh"
build=${BUILD:-$top/build}
workdir pyinst

# A copy: setuptools writes build/ and *.egg-info next to pyproject.toml.
cp -r "$top/userlib/python" "$work/src"
rm -rf "$work/src/tests"
check "a fresh venv (Debian's python3, system site packages)" \
	/usr/bin/python3 -m venv --system-site-packages "$work/venv"
py=$work/venv/bin/python3
# No network: no index, and a proxy that does not exist.
check "pip install --no-build-isolation --no-index from the source tree" \
	env PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 http_proxy=http://127.0.0.1:9 \
	https_proxy=http://127.0.0.1:9 \
	"$py" -m pip install --no-build-isolation --no-index --no-deps "$work/src"

version=$(sed -n 's/^#define ZXPROC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$top/uapi/linux/zxproc.h" | paste -sd.)
out=$(cd / && ZXPROC_LIBRARY="$build/userlib/libzxproc.so.0" "$py" - <<'PY' 2>&1
import os, sys
import zxproc
print("file", os.path.dirname(zxproc.__file__).startswith(sys.prefix))
print("typed", os.path.exists(os.path.join(os.path.dirname(zxproc.__file__), "py.typed")))
print("version", zxproc.__version__)
try:
    zxproc.Process(2**31 - 1)
    print("status none")
except zxproc.ZxError as e:
    print("status", type(e).__name__, e.status, e.status_name)
PY
) || true
case $out in *"file True"*) ok "the venv's copy is imported" ;; *) not_ok "the venv's copy is imported" "$out" ;; esac
case $out in *"typed True"*) ok "py.typed is installed" ;; *) not_ok "py.typed is installed" "$out" ;; esac
case $out in *"version $version"*) ok "__version__ is the uapi header's $version" ;; *) not_ok "__version__ is the uapi header's $version" "$out" ;; esac
dist=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$top/userlib/python/pyproject.toml")
if [ "$dist" = "$version" ]; then ok "pyproject.toml's version is $version"
else not_ok "pyproject.toml's version is $version" "$dist"; fi
# Without the module here: NOT_SUPPORTED; with it: no such process.
if [ -e /dev/zxproc ]; then want="NotFound -25 ZX_ERR_NOT_FOUND"
else want="NotSupported -2 ZX_ERR_NOT_SUPPORTED"; fi
case $out in *"status $want"*) ok "a failed open is a ZxError carrying the status ($want)" ;;
*) not_ok "a failed open is a ZxError carrying the status ($want)" "$out" ;; esac
out=$(cd / && env -u ZXPROC_LIBRARY LD_LIBRARY_PATH=/nonexistent "$py" -c '
import zxproc
try:
    zxproc.module_version()
except ImportError as e:
    print("import-error", e)' 2>&1) || true
case $out in *"import-error cannot load libzxproc.so.0"*) ok "without the library: ImportError naming it" ;;
*)
	# An installed libzxproc (the Debian package) is found instead.
	if /sbin/ldconfig -p | grep -q 'libzxproc\.so\.0 '; then ok "without the library: the installed one is found"
	else not_ok "without the library: ImportError naming it" "$out"; fi ;;
esac
check "pip uninstall" "$py" -m pip uninstall -y zxproc
out=$(cd / && "$py" -c 'import zxproc' 2>&1) && status=0 || status=$?
if [ "$status" -ne 0 ] && [[ $out == *ModuleNotFoundError* ]]; then ok "uninstalled: no zxproc"
else not_ok "uninstalled: no zxproc" "$out"; fi
done_testing
