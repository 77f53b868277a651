"""Model.export(): the .npy files load with numpy.load as the model's own
embeddings, the TSV maps name their rows, a dot product (plus
artist_bias.npy) is the model's score, faiss and hnswlib index the arrays
when installed, and bad input raises the library's exceptions.  The
numpy parts skip, saying so, without numpy (tests/tool/test_export_tool.py
reads the same files without it)."""

import csv
import importlib
import os
import unittest

import lastrec
from support import TempDirCase, fit, numpy, synthetic


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[0], rows[1:]


class ExportTest(TempDirCase):
    @classmethod
    def setUpClass(cls):
        cls.ds, cls.train, cls.test = synthetic()
        cls.als = fit(cls, "als", cls.train)
        cls.bpr = fit(cls, "bpr", cls.train, item_bias=1)

    def need_numpy(self):
        if numpy is None:
            self.skipTest("numpy is not installed: numpy.load cannot be tried")

    def test_maps_name_every_row(self):
        out = self.path("serving", "als")  # made with its parent
        self.als.export(out)
        header, users = read_tsv(os.path.join(out, "users.tsv"))
        self.assertEqual(header, ["row", "user_id"])
        self.assertEqual([int(r[1]) for r in users], self.als.user_ids())
        self.assertEqual([int(r[0]) for r in users], list(range(len(users))))
        header, artists = read_tsv(os.path.join(out, "artists.tsv"))
        self.assertEqual(header, ["row", "artist_id", "name"])
        self.assertEqual([int(r[1]) for r in artists], self.als.artist_ids())
        for row in artists[:50]:
            self.assertEqual(row[2], self.ds.artist_name(int(row[1])))
        self.assertEqual(sorted(os.listdir(out)),
                         ["artists.npy", "artists.tsv", "users.npy", "users.tsv"])

    def test_numpy_load_gives_the_embeddings(self):
        self.need_numpy()
        out = self.path("als")
        self.als.export(out, format="npy")
        users = numpy.load(os.path.join(out, "users.npy"))
        artists = numpy.load(os.path.join(out, "artists.npy"))
        self.assertEqual(users.dtype, numpy.float32)
        self.assertTrue(users.flags["C_CONTIGUOUS"])
        numpy.testing.assert_array_equal(users, self.als.user_embeddings(as_numpy=True))
        numpy.testing.assert_array_equal(artists, self.als.artist_embeddings(as_numpy=True))
        # memory-mapped too, as a serving process would open a large one
        mapped = numpy.load(os.path.join(out, "artists.npy"), mmap_mode="r")
        numpy.testing.assert_array_equal(mapped, artists)

    def test_scores_are_dot_products_plus_bias(self):
        self.need_numpy()
        for model, has_bias in ((self.als, False), (self.bpr, True)):
            out = self.path(model.algorithm)
            model.export(out)
            users = numpy.load(os.path.join(out, "users.npy"))
            artists = numpy.load(os.path.join(out, "artists.npy"))
            bias_path = os.path.join(out, "artist_bias.npy")
            self.assertEqual(os.path.exists(bias_path), has_bias)
            bias = numpy.load(bias_path) if has_bias else numpy.zeros(len(artists), "f4")
            self.assertEqual(bias.shape, (len(artists),))
            row_of = {a: i for i, a in enumerate(model.artist_ids())}
            for urow, user in list(enumerate(model.user_ids()))[::40]:
                for rec in model.recommend(user, k=5):
                    a = row_of[rec.artist]
                    score = float(numpy.dot(users[urow].astype("f8"), artists[a]) + bias[a])
                    self.assertAlmostEqual(score, rec.score, delta=1e-5 * (1 + abs(rec.score)))

    def test_ann_indexes_read_the_arrays(self):
        self.need_numpy()
        out = self.path("als")
        self.als.export(out)
        users = numpy.load(os.path.join(out, "users.npy"))
        artists = numpy.load(os.path.join(out, "artists.npy"))
        best = numpy.argsort(-(users[:5] @ artists.T), axis=1, kind="stable")[:, 0]
        tried = []
        try:
            faiss = importlib.import_module("faiss")
        except ImportError:
            pass
        else:
            index = faiss.IndexFlatIP(artists.shape[1])
            index.add(artists)
            _, found = index.search(users[:5], 1)
            self.assertEqual(list(found[:, 0]), list(best))
            tried.append("faiss")
        try:
            hnswlib = importlib.import_module("hnswlib")
        except ImportError:
            pass
        else:
            index = hnswlib.Index(space="ip", dim=artists.shape[1])
            index.init_index(max_elements=len(artists), ef_construction=400, M=32)
            index.add_items(artists, numpy.arange(len(artists)))
            index.set_ef(len(artists))
            found, _ = index.knn_query(users[:5], k=1)
            self.assertGreaterEqual(sum(int(f) == int(b) for f, b in zip(found[:, 0], best)), 4)
            tried.append("hnswlib")
        if not tried:
            self.skipTest("neither faiss nor hnswlib is installed")

    def test_refusals_and_errors(self):
        for algo in ("pop", "ease"):
            model = fit(self, algo, self.train)
            with self.assertRaises(lastrec.Unsupported) as cm:
                model.export(self.path(algo))
            self.assertIn("%s models have no user or artist vectors" % algo, str(cm.exception))
            self.assertFalse(os.path.exists(self.path(algo)))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            self.als.export(self.path("x"), format="csv")
        self.assertIn("npy", str(cm.exception))
        blocker = self.path("blocker")
        with open(blocker, "w") as f:
            f.write("a file\n")
        with self.assertRaises(OSError) as cm:
            self.als.export(os.path.join(blocker, "out"))
        self.assertIn(blocker, str(cm.exception))
        os.makedirs(self.path("out", "users.tsv"))
        with self.assertRaises(lastrec.LastrecIOError):
            self.als.export(self.path("out"))
        self.assertEqual(os.listdir(self.path("out")), ["users.tsv"])


class RealDataExportTest(TempDirCase):
    """On the real data (LASTREC_DATA): ranking every artist by the
    exported dot products plus biases, leaving out the user's own, gives
    lastrec's top 10 for the users sampled."""

    def test_top10_from_the_files_is_lastrecs(self):
        path = os.environ.get("LASTREC_DATA")
        if not path:
            self.skipTest("LASTREC_DATA is not set")
        if numpy is None:
            self.skipTest("numpy is not installed")
        ds = lastrec.Dataset.load(path)
        model = lastrec.Model("bpr", factors=32, epochs=20).fit(ds)
        out = self.path("bpr")
        model.export(out)
        users = numpy.load(os.path.join(out, "users.npy"))
        artists = numpy.load(os.path.join(out, "artists.npy"))
        bias = numpy.load(os.path.join(out, "artist_bias.npy"))
        _, user_rows = read_tsv(os.path.join(out, "users.tsv"))
        _, artist_rows = read_tsv(os.path.join(out, "artists.tsv"))
        ids = numpy.array([int(r[1]) for r in artist_rows])
        row_of = {a: i for i, a in enumerate(ids.tolist())}
        user_ids = [int(r[1]) for r in user_rows]
        sample = user_ids[::37]
        want, _ = model.recommend(sample, k=10, as_numpy=True)
        same = 0
        for j, user in enumerate(sample):
            scores = users[user_ids.index(user)] @ artists.T + bias
            scores[[row_of[a] for a in ds.user_listens(user)]] = -numpy.inf
            # equal scores by the lower artist ID, as lastrec breaks ties
            top = ids[numpy.argsort(-scores, kind="stable")[:10]]
            same += top.tolist() == want[j].tolist()
        # float32 sums in another order may swap two nearly equal scores
        self.assertGreaterEqual(same, 0.95 * len(sample), "%d of %d" % (same, len(sample)))


if __name__ == "__main__":
    unittest.main()
