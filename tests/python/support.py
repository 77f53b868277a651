"""Shared pieces of the Python binding's tests.

The tests run under `meson test` with LASTREC_LIBRARY naming the library
just built and PYTHONPATH the source tree's python/ directory; run by hand,
set the same two variables.  scripts/test-wheel runs them against the
package pip installed instead, with neither variable and
LASTREC_TEST_INSTALLED=1.
"""

import functools
import os
import shutil
import tempfile
import unittest

import lastrec
from lastrec import _ffi, _numpy

numpy = _numpy.numpy

# Against the installed package (scripts/test-wheel) rather than the tree.
INSTALLED = os.environ.get("LASTREC_TEST_INSTALLED") == "1"

# The file of the library the package loaded: LASTREC_LIBRARY's in the
# build tree, the package's own copy when installed by pip.
LIBRARY = os.environ.get("LASTREC_LIBRARY") or lastrec.library_path.rsplit(" (", 1)[0]

# Small enough that every test module finishes in a second or two, large
# enough that names collide, tags are dropped and splits hold out something.
SYNTH = dict(users=120, artists=400, clusters=6, tags=80, artists_per_user=25, seed=7)

# Quick settings per algorithm: a few epochs on few factors.
QUICK = {
    "pop": {},
    "als": dict(factors=8, epochs=3, regularization=0.1),
    "bpr": dict(factors=8, epochs=3),
    "mf": dict(factors=8, epochs=3),
    "ease": dict(),
    "blend": dict(factors=8, epochs=3, min_listeners=1),
}
FACTOR_MODELS = ("als", "bpr", "mf", "blend")


@functools.lru_cache(maxsize=None)
def _synthetic():
    ds = lastrec.Dataset.synthesize(**SYNTH)
    train, test = ds.split(seed=3)
    return ds, train, test


def synthetic():
    """(dataset, train, test), made once per process and shared: datasets
    are read-only, so the tests may share them."""
    return _synthetic()


def fit(case, algorithm, train, validation=None, **options):
    """A fitted model, or skip the test saying why when the library does not
    fit this algorithm yet."""
    settings = dict(QUICK.get(algorithm, {}), **options)
    model = lastrec.Model(algorithm, **settings)
    try:
        model.fit(train, validation)
    except lastrec.Unsupported as exc:
        case.skipTest("%s cannot be fitted by this library yet: %s" % (algorithm, exc))
    return model


def need(case, func, *args, **kwargs):
    """Call func, skipping the test if the library says the feature is not
    built (LR_E_UNSUPPORTED from a placeholder or a missing symbol)."""
    try:
        return func(*args, **kwargs)
    except lastrec.Unsupported as exc:
        case.skipTest("not in this library yet: %s" % exc)


def queries_available():
    return _ffi.available("lr_query_new")


class TempDirCase(unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="lastrec-py-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path
