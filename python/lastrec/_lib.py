"""Finding and loading liblastrec, and the version handshake.

The search order lets a build tree, a wheel and a system
install each win where they should:

1. ``LASTREC_LIBRARY``: an explicit path; if it cannot be loaded that is an
   error, never a silent fallback to some other copy.
2. A library bundled in this package's directory (a wheel or a vendored copy).
3. The library ``meson install`` installed with this package: the libdir
   that ``_install.py`` records (only an installed package has that module),
   so that a package installed into any prefix needs no variable.
4. ``ctypes.util.find_library('lastrec')`` (the linker cache).
5. ``liblastrec.so.1`` through the dynamic loader's own search path.

A bundled copy goes before the recorded one: it is in the package's own
directory only because someone put it there for this package, while a
recorded libdir may hold a copy installed later by another build.

The SONAME, not the unversioned ``liblastrec.so`` development symlink, is
what gets loaded, so an ABI break (a new SONAME) is never picked up by
accident.  The major version is checked as well, because the SONAME of a
0.x series cannot express that.
"""

import ctypes
import ctypes.util
import os
import sys

# The major version of the C library this binding was written against.  A
# library with another major has a different ABI; loading it would
# misinterpret arguments rather than fail cleanly.
EXPECTED_MAJOR = 0

ENV_VAR = "LASTREC_LIBRARY"

if sys.platform == "darwin":
    _BUNDLED_NAMES = ("liblastrec.1.dylib", "liblastrec.dylib")
elif sys.platform == "win32":
    _BUNDLED_NAMES = ("lastrec-1.dll", "lastrec.dll", "liblastrec.dll")
else:
    _BUNDLED_NAMES = ("liblastrec.so.1",)
_SONAME = "liblastrec.so.1"


def _installed_libdir():
    """The libdir recorded at install time, or None (not installed by Meson)."""
    try:
        from . import _install
    except ImportError:
        return None
    return _install.LIBDIR


def _candidates(package_dir, installed_libdir=None):
    """Yield (how it was found, name or path, must succeed)."""
    env = os.environ.get(ENV_VAR)
    if env:
        yield ENV_VAR, env, True
        return
    for name in _BUNDLED_NAMES:
        path = os.path.join(package_dir, name)
        if os.path.exists(path):
            yield "bundled", path, False
    if installed_libdir:
        for name in _BUNDLED_NAMES:
            yield "installed", os.path.join(installed_libdir, name), False
    found = ctypes.util.find_library("lastrec")
    if found:
        yield "find_library", found, False
    yield "default", _SONAME, False


def check_version(number, string, where, expected_major=None):
    """Raise ImportError unless the library's major version is the expected one."""
    if expected_major is None:
        expected_major = EXPECTED_MAJOR
    major = number // 10000
    if major != expected_major:
        raise ImportError(
            "lastrec: the binding needs liblastrec %d.x but %s is version %s "
            "(version number %d); install matching versions or point %s at "
            "the right library" % (expected_major, where, string, number, ENV_VAR))


def load_library(package_dir=None, installed_libdir=None):
    """Load liblastrec and check its version.

    package_dir and installed_libdir default to this package's directory and
    the libdir recorded when it was installed.
    Returns (ctypes.CDLL, description of where it came from).
    Raises ImportError when no usable library is found.
    """
    if package_dir is None:
        package_dir = os.path.dirname(os.path.abspath(__file__))
    if installed_libdir is None:
        installed_libdir = _installed_libdir()
    tried = []
    for how, name, must in _candidates(package_dir, installed_libdir):
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            if must:
                raise ImportError("lastrec: cannot load %s=%s: %s" % (ENV_VAR, name, exc)) from exc
            tried.append("%s (%s): %s" % (name, how, exc))
            continue
        where = "%s (%s)" % (name, how)
        try:
            vnum = lib.lr_version_number
            vstr = lib.lr_version_string
        except AttributeError as exc:
            raise ImportError("lastrec: %s is not liblastrec: %s" % (where, exc)) from exc
        vnum.argtypes = []
        vnum.restype = ctypes.c_uint
        vstr.argtypes = []
        vstr.restype = ctypes.c_char_p
        check_version(vnum(), vstr().decode("ascii", "replace"), where)
        return lib, where
    raise ImportError("lastrec: liblastrec not found; set %s to its path. Tried: %s"
                      % (ENV_VAR, "; ".join(tried)))
