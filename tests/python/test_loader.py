"""Loading liblastrec: search order, version handshake, missing symbols."""

import ctypes
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import support
import lastrec
from lastrec import _ffi, _lib


class TestLoader(unittest.TestCase):
    def test_env_var_wins(self):
        if "LASTREC_LIBRARY" not in os.environ:
            self.skipTest("LASTREC_LIBRARY is unset (scripts/test-wheel's installed package)")
        self.assertIn(support.LIBRARY, lastrec.library_path)
        self.assertIn("LASTREC_LIBRARY", lastrec.library_path)

    def test_installed_package_uses_its_own_library(self):
        # What pip installed (scripts/test-wheel): the package outside the
        # source tree, loading the copy of the library it carries by its
        # absolute path, with nothing in the environment pointing at either.
        if not support.INSTALLED:
            self.skipTest("only against the package pip installed (scripts/test-wheel)")
        for var in ("LASTREC_LIBRARY", "LD_LIBRARY_PATH"):
            self.assertNotIn(var, os.environ)
        package = os.path.dirname(os.path.abspath(lastrec.__file__))
        source = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
        self.assertFalse(package.startswith(source + os.sep), package)
        self.assertEqual(lastrec.library_path,
                         os.path.join(package, "liblastrec.so.1") + " (bundled)")
        self.assertTrue(os.path.isfile(os.path.join(package, "py.typed")))
        # A wheel records no libdir: its library is the bundled one.
        self.assertIsNone(_lib._installed_libdir())
        from importlib import metadata
        self.assertEqual(metadata.version("lastrec"), lastrec.__version__)
        # ... and works in a fresh interpreter started from elsewhere.
        out = subprocess.run([sys.executable, "-c", "import lastrec; print(lastrec.library_path)"],
                             capture_output=True, text=True, cwd=tempfile.gettempdir(),
                             env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("(bundled)", out.stdout)

    def test_versions_agree(self):
        number = lastrec.library_version_number()
        major, minor, patch = (int(x) for x in lastrec.library_version().split("."))
        self.assertEqual(number, major * 10000 + minor * 100 + patch)
        self.assertEqual(major, _lib.EXPECTED_MAJOR)
        self.assertIn(lastrec.library_version(), lastrec.build_info())

    def test_binding_version_is_the_project_version(self):
        # Meson passes the project's version; the binding must be bumped with it.
        project = os.environ.get("LASTREC_PROJECT_VERSION")
        if not project:
            self.skipTest("LASTREC_PROJECT_VERSION is set by meson test only")
        self.assertEqual(lastrec.__version__, project)
        self.assertEqual(int(project.split(".")[0]), _lib.EXPECTED_MAJOR)

    def test_handshake_refuses_another_major(self):
        with mock.patch.object(_lib, "EXPECTED_MAJOR", _lib.EXPECTED_MAJOR + 1):
            with self.assertRaises(ImportError) as cm:
                _lib.load_library()
        message = str(cm.exception)
        # Both sides of the mismatch are named.
        self.assertIn("%d.x" % (_lib.EXPECTED_MAJOR + 1), message)
        self.assertIn(lastrec.library_version(), message)

    def test_check_version_directly(self):
        _lib.check_version(10203, "1.2.3", "x", expected_major=1)
        with self.assertRaisesRegex(ImportError, r"needs liblastrec 2\.x .* version 1\.2\.3"):
            _lib.check_version(10203, "1.2.3", "x", expected_major=2)

    def test_handshake_failure_fails_the_import(self):
        # The real import path in a fresh interpreter: the loader module is
        # loaded and rigged first, so the package's import picks it up.
        code = ("import importlib.util, sys\n"
                "spec = importlib.util.spec_from_file_location('lastrec._lib', %r)\n"
                "mod = importlib.util.module_from_spec(spec)\n"
                "spec.loader.exec_module(mod)\n"
                "mod.EXPECTED_MAJOR += 7\n"
                "sys.modules['lastrec._lib'] = mod\n"
                "try:\n    import lastrec\nexcept ImportError as e:\n    print('ImportError:', e)\n"
                % _lib.__file__)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=os.environ.copy(), timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("ImportError:", out.stdout)
        self.assertIn("%d.x" % (_lib.EXPECTED_MAJOR + 7), out.stdout)

    def test_bad_env_path_is_an_import_error_not_a_fallback(self):
        env = dict(os.environ, LASTREC_LIBRARY="/nonexistent/liblastrec.so.1")
        out = subprocess.run([sys.executable, "-c", "import lastrec"], capture_output=True,
                             text=True, env=env, timeout=60)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ImportError", out.stderr)
        self.assertIn("/nonexistent/liblastrec.so.1", out.stderr)

    def test_bundled_library_comes_next(self):
        with tempfile.TemporaryDirectory() as pkg:
            os.symlink(os.path.realpath(support.LIBRARY),
                       os.path.join(pkg, "liblastrec.so.1"))
            env = {k: v for k, v in os.environ.items() if k != "LASTREC_LIBRARY"}
            with mock.patch.dict(os.environ, env, clear=True):
                lib, where = _lib.load_library(package_dir=pkg)
        self.assertIn("bundled", where)
        self.assertIn(pkg, where)
        self.assertTrue(hasattr(lib, "lr_dataset_load"))

    def test_installed_libdir_comes_after_bundled(self):
        # The libdir meson install records (_install.py) is tried after a
        # bundled copy, before find_library and the loader's search path.
        real = os.path.realpath(support.LIBRARY)
        env = {k: v for k, v in os.environ.items() if k != "LASTREC_LIBRARY"}
        with tempfile.TemporaryDirectory() as libdir, tempfile.TemporaryDirectory() as pkg:
            os.symlink(real, os.path.join(libdir, "liblastrec.so.1"))
            with mock.patch.dict(os.environ, env, clear=True):
                lib, where = _lib.load_library(package_dir=pkg, installed_libdir=libdir)
                self.assertIn("installed", where)
                self.assertIn(libdir, where)
                os.symlink(real, os.path.join(pkg, "liblastrec.so.1"))
                lib, where = _lib.load_library(package_dir=pkg, installed_libdir=libdir)
                self.assertIn("bundled", where)
                order = [how for how, _, must in _lib._candidates(pkg, libdir) if not must]
            self.assertEqual(order[:2], ["bundled", "installed"])
            with mock.patch.dict(os.environ, {"LASTREC_LIBRARY": real}):
                self.assertEqual([how for how, _, _ in _lib._candidates(pkg, libdir)],
                                 ["LASTREC_LIBRARY"])

    def test_source_tree_has_no_recorded_libdir(self):
        # Only an installed package has _install.py; the source tree must not.
        self.assertIsNone(_lib._installed_libdir())

    def test_missing_symbol_raises_unsupported_when_used(self):
        func = _ffi.ffi("lr_no_such_function", [], ctypes.c_int)
        try:
            self.assertFalse(_ffi.available("lr_no_such_function"))
            with self.assertRaises(lastrec.Unsupported) as cm:
                func()
            self.assertEqual(cm.exception.status, lastrec.errors.E_UNSUPPORTED)
            self.assertIn("lr_no_such_function", str(cm.exception))
        finally:
            del _ffi.lr_no_such_function

    def test_every_declared_function_exists(self):
        # The library built alongside must provide the whole table.
        missing = [name for name, value in vars(_ffi).items()
                   if name.startswith("lr_") and not _ffi.available(name)]
        self.assertEqual(missing, [], "declared in _ffi.py but not exported")


if __name__ == "__main__":
    unittest.main()
