"""progress=True on the long calls (load, synthesize, fit, evaluate, tsne):
a tqdm bar per stage when tqdm is installed, a plain line on stderr when
it is not.  tqdm is replaced by a recording stand-in (installed or not, the
test is the same on every machine), and made unimportable for the plain
lines."""

import io
import shutil
import sys
import tempfile
import types
import unittest

import lastrec
import support


class FakeTqdm:
    """What the binding may use of tqdm's class: the constructor's
    keywords, update(n) and close()."""

    bars = []

    def __init__(self, total=None, desc=None, unit="it", unit_scale=False, leave=True):
        self.total, self.desc, self.unit, self.unit_scale = total, desc, unit, unit_scale
        self.n = 0
        self.closed = False
        self.updates = 0
        FakeTqdm.bars.append(self)

    def update(self, n=1):
        assert not self.closed, "update after close"
        assert n > 0, "update by %r" % n
        self.n += n
        self.updates += 1

    def close(self):
        self.closed = True


class ProgressTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds, cls.train, cls.test = support.synthetic()
        cls.tmp = tempfile.mkdtemp(prefix="lastrec-progress-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        FakeTqdm.bars = []
        self.saved = {k: sys.modules.get(k) for k in ("tqdm", "tqdm.auto")}
        tqdm = types.ModuleType("tqdm")
        auto = types.ModuleType("tqdm.auto")
        auto.tqdm = FakeTqdm
        tqdm.auto = auto
        sys.modules["tqdm"], sys.modules["tqdm.auto"] = tqdm, auto

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v

    def bars(self, desc):
        return [b for b in FakeTqdm.bars if b.desc == desc]

    def assert_all_closed(self):
        self.assertTrue(FakeTqdm.bars, "no bar was made")
        for b in FakeTqdm.bars:
            self.assertTrue(b.closed, "bar %r left open" % b.desc)

    def test_fit_draws_epochs(self):
        model = lastrec.Model("als", factors=4, epochs=3)
        model.fit(self.train, progress=True)
        epochs = self.bars("epoch")
        self.assertEqual(len(epochs), 1)
        self.assertEqual((epochs[0].total, epochs[0].n), (3, 3))
        self.assert_all_closed()
        # another fit starts its epochs over: a new bar
        lastrec.Model("als", factors=4, epochs=3).fit(self.train, progress=True)
        self.assertEqual(len(self.bars("epoch")), 2)
        self.assert_all_closed()

    def test_load_counts_bytes(self):
        hetrec = self.tmp + "/hetrec"
        self.ds.write_hetrec(hetrec)
        lastrec.Dataset.load(hetrec, progress=True)
        reads = [b for b in FakeTqdm.bars if b.desc.startswith("read ")]
        self.assertIn("read user_artists.dat", [b.desc for b in reads])
        for b in reads:
            self.assertEqual((b.unit, b.unit_scale), ("B", True))
            self.assertEqual(b.n, b.total)  # the whole file, in bytes
        self.assert_all_closed()

    def test_synthesize_counts_users(self):
        lastrec.Dataset.synthesize(users=5000, artists=500, progress=True)
        listens = self.bars("synthesize listens")
        self.assertEqual(len(listens), 1)
        self.assertEqual((listens[0].total, listens[0].n), (5000, 5000))
        self.assertGreaterEqual(listens[0].updates, 2)  # on the way, not only at the end
        self.assert_all_closed()

    def test_evaluate_and_tsne(self):
        model = support.fit(self, "als", self.train)
        model.evaluate(self.train, self.test, progress=True)
        ev = self.bars("evaluate")
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0].n, ev[0].total)
        FakeTqdm.bars = []
        model.tsne(perplexity=10, iterations=300, progress=True)
        self.assertTrue(any(b.desc.startswith("tsne") for b in FakeTqdm.bars),
                        [b.desc for b in FakeTqdm.bars])
        self.assert_all_closed()

    def test_interrupt_closes_the_bar(self):
        class Interrupting(FakeTqdm):
            def update(self, n=1):
                super().update(n)
                raise KeyboardInterrupt

        sys.modules["tqdm.auto"].tqdm = Interrupting
        model = lastrec.Model("als", factors=4, epochs=5)
        with self.assertRaises(KeyboardInterrupt) as cm:
            model.fit(self.train, progress=True)
        self.assertIsInstance(cm.exception.__cause__, lastrec.Cancelled)
        self.assertFalse(model.fitted)
        self.assert_all_closed()

    def test_plain_lines_without_tqdm(self):
        sys.modules["tqdm"] = sys.modules["tqdm.auto"] = None  # import fails
        err, sys.stderr = sys.stderr, io.StringIO()
        try:
            lastrec.Model("als", factors=4, epochs=3).fit(self.train, progress=True)
            text = sys.stderr.getvalue()
        finally:
            sys.stderr = err
        self.assertFalse(FakeTqdm.bars)
        self.assertIn("lastrec: epoch: ", text)
        self.assertIn("/3", text)
        self.assertNotIn("\r", text)  # not a terminal: no redraws
        self.assertNotIn("\033", text)

    def test_callable_and_bad_values(self):
        seen = []
        lastrec.Dataset.synthesize(users=50, artists=100,
                                   progress=lambda s, d, t: seen.append(s))
        self.assertIn("synthesize listens", seen)
        with self.assertRaises(lastrec.Cancelled):
            lastrec.Dataset.synthesize(users=50, artists=100, progress=lambda *a: True)
        lastrec.Dataset.synthesize(users=50, artists=100, progress=False)
        self.assertFalse(FakeTqdm.bars)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Dataset.synthesize(users=50, artists=100, progress="yes")


if __name__ == "__main__":
    unittest.main()
