"""Models: options, fitting with progress and cancellation, history,
embeddings (lists and zero-copy numpy), files, evaluation."""

import ctypes
import gc
import math
import unittest

import support
import lastrec
from lastrec import _ffi


class TestOptions(unittest.TestCase):
    def test_defaults_and_keywords(self):
        m = lastrec.Model("als")
        self.assertEqual(m.algorithm, "als")
        self.assertFalse(m.fitted)
        self.assertIsInstance(m.option("factors"), int)
        m = lastrec.Model("als", factors=16, regularization=0.5, seed=3, solver="cholesky")
        self.assertEqual(m.option("factors"), 16)
        self.assertEqual(m.option("regularization"), 0.5)
        self.assertEqual(m.option("seed"), 3)
        self.assertEqual(m.option("solver"), "cholesky")
        self.assertEqual(lastrec.Model("mf", optimizer="sgd").option("optimizer"), "sgd")
        self.assertEqual(lastrec.Model("mf", transform=2).option("transform"), "binary")
        # An integral float is fine for an int option; a fraction is not.
        self.assertEqual(lastrec.Model("als", factors=12.0).option("factors"), 12)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model("als", factors=12.5)
        opts = m.options()
        self.assertEqual(opts["factors"], 16)
        self.assertEqual(set(opts), {o.name for o in lastrec.options()})

    def test_options_listing(self):
        infos = {o.name: o for o in lastrec.options()}
        self.assertEqual(infos["factors"].type, "int")
        self.assertEqual(infos["learning_rate"].type, "double")
        self.assertLessEqual(infos["factors"].minimum, infos["factors"].default)

    def test_bad_options(self):
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("als", no_such_option=1)
        self.assertEqual(cm.exception.status, lastrec.errors.E_INVALID)
        self.assertIn("no_such_option", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("als", factors=0)
        self.assertIn("factors", cm.exception.message)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model("als", factors=2 ** 70)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model("mf", optimizer="newton")
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model("als", factors=[3])
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("kmeans")
        self.assertIn("als", cm.exception.message)  # the known ones are listed
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model(99)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model("als").option("no_such_option")


class TestDefaults(unittest.TestCase):
    def test_option_default_is_what_a_model_uses(self):
        for algo in ("pop", "mf", "als", "bpr", "ease", "blend"):
            model = lastrec.Model(algo)
            for info in lastrec.options():
                self.assertEqual(lastrec.option_default(algo, info.name), model.option(info.name),
                                 (algo, info.name))

    def test_als_defaults_are_its_own(self):
        generic = {o.name: o.default for o in lastrec.options()}
        self.assertEqual(lastrec.option_default("als", "regularization"), 15.0)
        self.assertNotEqual(generic["regularization"], 15.0)
        self.assertEqual(lastrec.option_default("als", "transform"), "bm25")
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.option_default("nope", "factors")
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.option_default("als", "nope")

    def test_value_names_come_from_the_library(self):
        from lastrec import _base
        self.assertEqual(_base.option_choices("transform"),
                         {"raw": 0, "log1p": 1, "binary": 2, "bm25": 3})
        self.assertEqual(_base.option_choices("optimizer"), {"sgd": 1, "adagrad": 2, "adam": 3})
        self.assertEqual(_base.option_choices("solver"), {"cholesky": 1, "cg": 2})
        self.assertEqual(_base.option_choices("factors"), {})
        self.assertEqual(lastrec.Model("als", transform="BM25").option("transform"), "bm25")

    def test_init_has_help(self):
        self.assertIn("algorithm", lastrec.Model.__init__.__doc__)
        self.assertIn("option_default", lastrec.Model.__init__.__doc__)


class TestFit(unittest.TestCase):
    def setUp(self):
        self.ds, self.train, self.test = support.synthetic()

    def test_pop(self):
        m = lastrec.Model("pop").fit(self.train)
        self.assertTrue(m.fitted)
        self.assertEqual(m.user_ids(), self.train.user_ids())
        self.assertEqual(m.artist_ids(), self.train.artist_ids())
        history = m.history()
        self.assertEqual(tuple(history), lastrec.model.HISTORY_FIELDS)
        self.assertEqual(len(history["seconds"]), 1)
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            m.fit(self.train)
        self.assertIn("already fitted", cm.exception.message)
        with self.assertRaises(lastrec.Unsupported):
            m.user_embeddings()
        self.assertIn("pop", repr(m))

    def test_unfitted(self):
        m = lastrec.Model("pop")
        with self.assertRaises(lastrec.InvalidArgument):
            m.user_ids()
        self.assertEqual(m.history()["loss"], [])

    def test_progress(self):
        seen = []
        lastrec.Model("pop").fit(self.train, progress=lambda *a: seen.append(a))
        self.assertEqual(seen, [("epoch", 1, 1)])

    def test_cancel(self):
        m = lastrec.Model("pop")
        with self.assertRaises(lastrec.Cancelled) as cm:
            m.fit(self.train, progress=lambda stage, done, total: True)
        self.assertEqual(cm.exception.status, lastrec.errors.E_CANCELLED)
        self.assertFalse(m.fitted)
        # Nothing half-made: the same model fits afterwards, and the earlier
        # callback is no longer attached.
        m.fit(self.train)
        self.assertTrue(m.fitted)

    def test_exception_in_callback_cancels_and_is_reraised(self):
        class Boom(Exception):
            pass

        def explode(stage, done, total):
            raise Boom("epoch %d" % done)

        m = lastrec.Model("pop")
        with self.assertRaises(Boom) as cm:
            m.fit(self.train, progress=explode)
        self.assertEqual(str(cm.exception), "epoch 1")
        self.assertIsInstance(cm.exception.__cause__, lastrec.Cancelled)
        self.assertFalse(m.fitted)
        m.fit(self.train)  # the stored exception does not leak into the next fit
        self.assertTrue(m.fitted)

    def test_keyboard_interrupt_stops_a_fit(self):
        def interrupt(stage, done, total):
            raise KeyboardInterrupt

        m = lastrec.Model("pop")
        with self.assertRaises(KeyboardInterrupt):
            m.fit(self.train, progress=interrupt)
        self.assertFalse(m.fitted)

    def test_every_algorithm(self):
        for algorithm in ("pop", "als", "bpr", "mf", "ease", "blend"):
            with self.subTest(algorithm=algorithm):
                epochs = []
                m = lastrec.Model(algorithm, **support.QUICK[algorithm])
                try:
                    m.fit(self.train, progress=lambda s, d, t: epochs.append((d, t)))
                except lastrec.Unsupported as exc:
                    self.skipTest("%s: %s" % (algorithm, exc))
                self.assertTrue(m.fitted)
                self.assertTrue(epochs)
                self.assertEqual(epochs[-1][0], epochs[-1][1])
                history = m.history()
                self.assertEqual(len(history["seconds"]), len(epochs))
                if algorithm in support.FACTOR_MODELS:
                    self.assertTrue(all(math.isfinite(x) for x in history["loss"]))

    def test_validation_history(self):
        m = support.fit(self, "als", self.train, self.test)
        history = m.history()
        ndcg = history["val_ndcg"]
        if all(math.isnan(x) for x in ndcg):
            self.skipTest("validation metrics are not computed by this library yet")
        self.assertTrue(all(0.0 <= x <= 1.0 for x in ndcg))

    def test_same_seed_same_model(self):
        a = support.fit(self, "als", self.train, seed=5, threads=1)
        b = support.fit(self, "als", self.train, seed=5, threads=1)
        self.assertEqual(a.artist_embeddings(as_numpy=False), b.artist_embeddings(as_numpy=False))


class TestEmbeddings(unittest.TestCase):
    def setUp(self):
        self.ds, self.train, self.test = support.synthetic()

    def _model(self, algorithm="als"):
        return support.fit(self, algorithm, self.train)

    def _c_pointer(self, m, which):
        data = ctypes.POINTER(ctypes.c_float)()
        rows, cols = ctypes.c_size_t(), ctypes.c_size_t()
        _ffi.lr_model_embeddings(m._handle(), which, ctypes.byref(data), ctypes.byref(rows),
                                 ctypes.byref(cols))
        return ctypes.cast(data, ctypes.c_void_p).value, rows.value, cols.value

    def test_lists(self):
        for algorithm in support.FACTOR_MODELS:
            with self.subTest(algorithm=algorithm):
                m = self._model(algorithm)
                users = m.user_embeddings(as_numpy=False)
                artists = m.artist_embeddings(as_numpy=False)
                k = m.option("factors")
                self.assertEqual(len(users), len(m.user_ids()))
                self.assertEqual(len(artists), len(m.artist_ids()))
                self.assertTrue(all(len(row) == k for row in users + artists))
                self.assertTrue(all(math.isfinite(x) for row in artists for x in row))

    @unittest.skipIf(support.numpy is None, "numpy is not installed")
    def test_numpy_zero_copy(self):
        np = support.numpy
        m = self._model()
        arr = m.artist_embeddings()
        address, rows, cols = self._c_pointer(m, 2)
        self.assertIsInstance(arr, np.ndarray)
        self.assertEqual(arr.dtype, np.float32)
        self.assertEqual(arr.shape, (rows, cols))
        # No copy: the array's data is the model's own memory.
        self.assertEqual(arr.ctypes.data, address)
        self.assertEqual(arr.__array_interface__["data"][0], address)
        self.assertIs(arr.base.owner, m)
        self.assertFalse(arr.flags.writeable)
        with self.assertRaises(ValueError):
            arr[0, 0] = 1.0
        with self.assertRaises(ValueError):
            arr.flags.writeable = True
        self.assertEqual(arr.tolist(), m.artist_embeddings(as_numpy=False))
        users = m.user_embeddings()
        self.assertEqual(users.ctypes.data, self._c_pointer(m, 1)[0])

    @unittest.skipIf(support.numpy is None, "numpy is not installed")
    def test_numpy_array_keeps_the_model_alive(self):
        m = self._model()
        arr = m.artist_embeddings()
        expected = arr.copy()
        view = arr[1:3, :2]  # a view of a view still holds the model
        fin = m._finalizer
        del m, arr
        gc.collect()
        self.assertTrue(fin.alive)
        self.assertEqual(view.tolist(), expected[1:3, :2].tolist())
        del view
        gc.collect()
        self.assertFalse(fin.alive)

    @unittest.skipIf(support.numpy is None, "numpy is not installed")
    def test_close_with_live_array_defers_the_free(self):
        m = self._model()
        arr = m.user_embeddings()
        expected = arr.tolist()
        m.close()
        self.assertTrue(m.closed)
        self.assertTrue(m._finalizer.alive)
        self.assertEqual(arr.tolist(), expected)
        with self.assertRaises(lastrec.InvalidArgument):
            m.user_embeddings()
        fin = m._finalizer
        del arr
        gc.collect()
        self.assertTrue(fin.alive)  # the Model object itself still exists
        del m
        gc.collect()
        self.assertFalse(fin.alive)

    @unittest.skipIf(support.numpy is not None, "numpy is installed")
    def test_without_numpy(self):
        m = self._model()
        self.assertIsInstance(m.artist_embeddings(), list)
        with self.assertRaises(ImportError):
            m.artist_embeddings(as_numpy=True)

    def test_models_without_embeddings(self):
        for algorithm in ("pop", "ease"):
            with self.subTest(algorithm=algorithm):
                m = self._model(algorithm)
                with self.assertRaises(lastrec.Unsupported):
                    m.artist_embeddings()


class TestFiles(support.TempDirCase):
    def test_save_load(self):
        _, train, _ = support.synthetic()
        for algorithm in ("pop", "als", "bpr", "mf", "ease", "blend"):
            with self.subTest(algorithm=algorithm):
                m = support.fit(self, algorithm, train)
                path = self.path(algorithm + ".model")
                support.need(self, m.save, path)
                back = lastrec.Model.load(path)
                self.assertTrue(back.fitted)
                self.assertEqual(back.algorithm, algorithm)
                self.assertEqual(back.artist_ids(), m.artist_ids())
                self.assertEqual(back.option("factors"), m.option("factors"))
                if algorithm in support.FACTOR_MODELS:
                    self.assertEqual(back.artist_embeddings(as_numpy=False),
                                     m.artist_embeddings(as_numpy=False))
                with self.assertRaises(lastrec.InvalidArgument):
                    back.fit(train)

    def test_load_errors(self):
        with self.assertRaises((lastrec.LastrecIOError, lastrec.Unsupported)):
            lastrec.Model.load(self.path("missing.model"))
        bad = support.write(self.path("bad.model"), "not a model at all\n" * 10)
        with self.assertRaises((lastrec.FormatError, lastrec.Unsupported)) as cm:
            lastrec.Model.load(bad)
        if isinstance(cm.exception, lastrec.Unsupported):
            self.skipTest("model files are not in this library yet")

    def test_unfitted_cannot_be_saved(self):
        with self.assertRaises((lastrec.InvalidArgument, lastrec.Unsupported)):
            lastrec.Model("pop").save(self.path("x.model"))


class TestEvaluate(unittest.TestCase):
    def setUp(self):
        self.ds, self.train, self.test = support.synthetic()

    def test_metrics(self):
        m = lastrec.Model("pop").fit(self.train)
        metrics = support.need(self, lastrec.evaluate, m, self.train, self.test, k=10)
        self.assertIsInstance(metrics, lastrec.Metrics)
        self.assertEqual(metrics._fields, ("precision", "recall", "ndcg", "map", "hit_rate",
                                           "coverage", "rmse", "users", "cold_recall",
                                           "cold_users", "cold_pairs"))
        for name in ("precision", "recall", "ndcg", "map", "hit_rate", "coverage"):
            self.assertGreaterEqual(getattr(metrics, name), 0.0)
            self.assertLessEqual(getattr(metrics, name), 1.0)
        self.assertTrue(math.isnan(metrics.rmse))
        self.assertIsInstance(metrics.users, int)
        self.assertGreater(metrics.users, 0)
        # Cold artists (no training listener): popularity gives them no
        # fans and never recommends one.
        self.assertIsInstance(metrics.cold_users, int)
        self.assertIsInstance(metrics.cold_pairs, int)
        self.assertGreater(metrics.cold_users, 0)
        self.assertGreaterEqual(metrics.cold_pairs, metrics.cold_users)
        self.assertEqual(metrics.cold_recall, 0.0)
        # rmse is NaN for pop and NaN != NaN, so compare the rest.
        self.assertEqual(m.evaluate(self.train, self.test, k=10)._replace(rmse=0),
                         metrics._replace(rmse=0))
        metrics2, per_user = lastrec.evaluate(m, self.train, self.test, k=10, per_user=True)
        self.assertEqual(metrics2._replace(rmse=0), metrics._replace(rmse=0))
        self.assertIn("ndcg", per_user)
        self.assertEqual(len(per_user["ndcg"]), metrics.users)
        cold = per_user["cold_recall"]
        self.assertEqual(sum(not math.isnan(v) for v in cold.values()), metrics.cold_users)
        mean = sum(per_user["precision"].values()) / metrics.users
        self.assertAlmostEqual(mean, metrics.precision, places=9)

    def test_bad_k_and_unfitted(self):
        m = lastrec.Model("pop")
        with self.assertRaises((lastrec.InvalidArgument, lastrec.Unsupported)):
            lastrec.evaluate(m, self.train, self.test)
        m.fit(self.train)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.evaluate(m, self.train, self.test, k=0)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.evaluate(m, self.train, self.test, k=2.5)

    def test_better_than_popularity(self):
        pop = lastrec.Model("pop").fit(self.train)
        base = support.need(self, lastrec.evaluate, pop, self.train, self.test, k=10)
        als = support.fit(self, "als", self.train, factors=16, epochs=8)
        metrics = lastrec.evaluate(als, self.train, self.test, k=10)
        self.assertGreater(metrics.ndcg, base.ndcg)


if __name__ == "__main__":
    unittest.main()
