"""Model.artist_norms(), Model.pca() and Model.tsne(): lists without numpy,
arrays with it, the same numbers either way; correlations against a direct
computation; bad input raises InvalidArgument naming the cause; progress
sees the KL and can cancel."""

import math
import unittest

import lastrec
from support import numpy, synthetic, fit


def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    return sab / math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r, i = [0.0] * len(v), 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for t in range(i, j + 1):
            r[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return r


class EmbedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds, cls.train, cls.test = synthetic()
        cls.als = fit(cls, "als", cls.train)

    def test_norms_as_lists(self):
        n = self.als.artist_norms(as_numpy=False)
        self.assertIsInstance(n, lastrec.ArtistNorms)
        self.assertEqual(n.ids, self.als.artist_ids())
        emb = self.als.artist_embeddings(as_numpy=False)
        for i in range(len(n.ids)):
            self.assertAlmostEqual(n.norms[i], math.sqrt(sum(x * x for x in emb[i])), places=9)
            self.assertEqual(n.fans[i], self.train.artist_stats(n.ids[i]).fans)
        used = [(v, f) for v, f in zip(n.norms, n.fans) if f > 0 and v > 0]
        self.assertEqual(n.used, len(used))
        # als leaves the artists the split left unheard at exactly zero
        self.assertEqual(n.zero_vectors, sum(1 for f in n.fans if f == 0))
        self.assertGreater(n.zero_vectors, 0)
        self.assertAlmostEqual(n.pearson, pearson([v for v, _ in used],
                                                  [math.log1p(f) for _, f in used]), places=9)
        self.assertAlmostEqual(n.spearman, pearson(ranks([v for v, _ in used]),
                                                   ranks([f for _, f in used])), places=9)

    def test_pca(self):
        p = self.als.pca(3, as_numpy=False)
        self.assertEqual(len(p.coords), len(p.ids))
        self.assertTrue(all(len(row) == 3 for row in p.coords))
        self.assertEqual(p.explained, sorted(p.explained, reverse=True))
        self.assertAlmostEqual(p.explained[0], p.variance[0] / p.total_variance)
        # the variance of each column is the component's
        col = [row[0] for row in p.coords]
        mean = sum(col) / len(col)
        self.assertAlmostEqual(sum((x - mean) ** 2 for x in col) / (len(col) - 1),
                               p.variance[0], places=9)
        fewer = self.als.pca(2, min_fans=5, as_numpy=False)
        self.assertLess(len(fewer.ids), len(p.ids))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            self.als.pca(99)
        self.assertIn("between 1 and 8", str(cm.exception))

    def test_tsne(self):
        seen = []
        t = self.als.tsne(perplexity=10, iterations=300, seed=5, threads=1, as_numpy=False,
                          progress=lambda stage, done, total: seen.append((stage, done)))
        self.assertIsInstance(t, lastrec.TSNEMap)
        self.assertEqual(len(t.coords), len(t.ids))
        self.assertEqual(t.iterations, 300)
        self.assertTrue(0 < t.kl < 5 and 0 < t.nn_preservation <= 1)
        self.assertEqual([d for _, d in seen], list(range(50, 301, 50)))
        self.assertTrue(seen[-1][0].startswith("tsne kl="))
        again = self.als.tsne(perplexity=10, iterations=300, seed=5, threads=2, as_numpy=False)
        self.assertEqual(again.coords, t.coords)
        euclid = self.als.tsne(perplexity=10, iterations=300, metric="euclidean", as_numpy=False)
        self.assertNotEqual(euclid.coords, t.coords)

    def test_cancel(self):
        with self.assertRaises(lastrec.Cancelled):
            self.als.tsne(perplexity=10, iterations=300, progress=lambda *a: True)

    def test_bad_input(self):
        pop = fit(self, "pop", self.train)
        for call in (pop.artist_norms, lambda: pop.pca(2), pop.tsne):
            with self.assertRaises(lastrec.InvalidArgument) as cm:
                call()
            self.assertIn("pop models have no artist vectors", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            self.als.tsne(perplexity=10000)
        self.assertIn("tsne_perplexity", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            self.als.tsne(min_fans=10 ** 6)
        self.assertIn("t-SNE needs 4", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument):
            self.als.tsne(perplexty=10)
        with self.assertRaises(lastrec.InvalidArgument):
            self.als.tsne(metric="manhattan")

    def test_names(self):
        a = self.als.artist_ids()[0]
        self.assertEqual(self.als.artist_name(a), self.ds.artist_name(a))
        self.assertIsInstance(self.als.artist_top_tag(a), str)
        self.assertIsNone(self.als.artist_name(-1))

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy(self):
        n = self.als.artist_norms()
        lists = self.als.artist_norms(as_numpy=False)
        self.assertEqual(n.norms.tolist(), lists.norms)
        self.assertEqual(n.fans.tolist(), lists.fans)
        p = self.als.pca(3)
        self.assertEqual(p.coords.shape, (len(p.ids), 3))
        self.assertEqual(p.coords.tolist(), self.als.pca(3, as_numpy=False).coords)
        t = self.als.tsne(perplexity=10, iterations=300)
        self.assertEqual(t.coords.shape, (len(t.ids), 2))


if __name__ == "__main__":
    unittest.main()
