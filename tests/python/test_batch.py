"""Batch calls: model.recommend(user_ids, k) and model.similar_artists(ids,
k) as (ids, scores) of shape n x k, numpy arrays or lists, padded with -1
and NaN, each row what the one-user (one-artist) call gives."""

import math
import unittest
from unittest import mock

import support
import lastrec
from lastrec import query

numpy = support.numpy


def setUpModule():
    if not support.queries_available():
        raise unittest.SkipTest("the loaded library has no lr_query_* functions yet")


def f32(x):
    """x rounded to float32, as batch scores are."""
    import struct
    return struct.unpack("<f", struct.pack("<f", x))[0]


class BatchCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds, cls.train, cls.test = support.synthetic()
        cls.model = lastrec.Model("als", **support.QUICK["als"]).fit(cls.train)
        cls.users = cls.model.user_ids()

    def single(self, user, k, **kw):
        """(ids, float32 scores) of the one-user call, padded to k."""
        results = self.model.recommend(user, k=k, explain=0, **kw)
        ids = [r.artist for r in results] + [-1] * (k - len(results))
        scores = [f32(r.score) for r in results] + [math.nan] * (k - len(results))
        return ids, scores

    def assertRowsEqual(self, got, want):
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertEqual(len(g), len(w))
            for a, b in zip(g, w):
                if isinstance(b, float) and math.isnan(b):
                    self.assertTrue(math.isnan(a), (g, w))
                else:
                    self.assertEqual(a, b, (g, w))

    def both_paths(self):
        """Run the body under the per-user path and the recommend_all path."""
        return [mock.patch.multiple(query, _ALL_SHARE=0, _ALL_MIN=10**9),   # one call per user
                mock.patch.multiple(query, _ALL_SHARE=10**9, _ALL_MIN=0)]   # recommend_all


class TestRecommendBatch(BatchCase):
    def test_rows_are_the_single_calls_on_both_paths(self):
        # Unsorted, with a repeat: rows follow the order given.
        batch = [self.users[7], self.users[2], self.users[50], self.users[2]]
        want = [self.single(u, 6) for u in batch]
        for path in self.both_paths():
            with path:
                ids, scores = self.model.recommend(batch, k=6, as_numpy=False)
            self.assertRowsEqual(ids, [w[0] for w in want])
            self.assertRowsEqual(scores, [w[1] for w in want])

    def test_filter_listened(self):
        user = self.users[0]
        listened = set(self.train.user_listens(user))
        k = len(listened) + 5
        for path in self.both_paths():
            with path:
                ids, _ = self.model.recommend([user], k=k, as_numpy=False)
                self.assertFalse(listened & set(ids[0]))
                ids, _ = self.model.recommend([user], k=k, filter_listened=False, as_numpy=False)
                self.assertTrue(listened & set(ids[0]))
                self.assertRowsEqual(ids, [self.single(user, k, exclude_listened=False)[0]])

    def test_padding_where_fewer_than_k(self):
        # More than there are artists: every row ends in -1 / NaN, after
        # exactly the artists the one-user call returns.
        k = len(self.model.artist_ids()) + 3
        batch = self.users[:3]
        for path in self.both_paths():
            with path:
                ids, scores = self.model.recommend(batch, k=k, as_numpy=False)
            for user, row, srow in zip(batch, ids, scores):
                n = len(self.model.recommend(user, k=k, explain=0))
                self.assertLess(n, k)
                self.assertEqual(row[n:], [-1] * (k - n))
                self.assertTrue(all(math.isnan(s) for s in srow[n:]))
                self.assertNotIn(-1, row[:n])

    def test_scalar_or_batch(self):
        user = self.users[4]
        one = self.model.recommend(user, k=3)
        self.assertIsInstance(one, list)
        self.assertIsInstance(one[0], lastrec.Recommendation)
        # Any iterable is a batch, even of one, even a range or a generator.
        for batch in ([user], (user,), range(user, user + 1), (u for u in [user])):
            ids, scores = self.model.recommend(batch, k=3, as_numpy=False)
            self.assertEqual(ids, [[r.artist for r in one]])
        ids, scores = self.model.recommend([], k=3, as_numpy=False)
        self.assertEqual((ids, scores), ([], []))

    def test_unknown_and_bad_users_name_their_index(self):
        messages = []
        for path in self.both_paths():
            with path:
                with self.assertRaises(lastrec.NotFound) as cm:
                    self.model.recommend([self.users[0], 10**6], k=3)
                self.assertEqual(cm.exception.status, lastrec.errors.E_NOTFOUND)
                self.assertEqual(cm.exception.code, lastrec.errors.E_NOTFOUND)
                self.assertIn("user_ids[1]", str(cm.exception))
                self.assertIn(str(10**6), str(cm.exception))
                messages.append(str(cm.exception))
        self.assertEqual(messages[0], messages[1])  # whichever path answered
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            self.model.recommend([self.users[0], 2.5], k=3)
        self.assertIn("user_ids[1]", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument):
            self.model.recommend([self.users[0]], k="ten")
        with self.assertRaises(lastrec.NotFound):
            self.model.recommend([-1], k=3)

    def test_default_without_numpy_is_lists(self):
        with mock.patch.object(lastrec._numpy, "numpy", None):
            ids, scores = self.model.recommend(self.users[:2], k=3)
            self.assertIsInstance(ids, list)
            self.assertIsInstance(scores[0][0], float)
            with self.assertRaises(ImportError):
                self.model.recommend(self.users[:2], k=3, as_numpy=True)


@unittest.skipIf(numpy is None, "numpy is not installed")
class TestRecommendBatchNumpy(BatchCase):
    def test_arrays(self):
        batch = numpy.array(self.users[10:15], dtype=numpy.int64)
        for path in self.both_paths():
            with path:
                ids, scores = self.model.recommend(batch, k=4)
            self.assertEqual(ids.shape, (5, 4))
            self.assertEqual(scores.shape, (5, 4))
            self.assertEqual(ids.dtype, numpy.int32)
            self.assertEqual(scores.dtype, numpy.float32)
            lists = self.model.recommend(batch, k=4, as_numpy=False)
            self.assertEqual(ids.tolist(), lists[0])
            self.assertEqual(scores.tolist(), lists[1])

    def test_numpy_scalar_is_one_user(self):
        user = numpy.int32(self.users[3])
        one = self.model.recommend(user, k=3)
        self.assertIsInstance(one[0], lastrec.Recommendation)
        one0d = self.model.recommend(numpy.array(self.users[3]), k=3)
        self.assertEqual([r.artist for r in one], [r.artist for r in one0d])

    def test_two_dimensional_is_refused(self):
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            self.model.recommend(numpy.array([self.users[:2]]), k=3)
        self.assertIn("one-dimensional", str(cm.exception))

    def test_everyone_matches_recommend_all(self):
        everyone = self.model.query(k=5, explain=0).recommend_all()
        ids, scores = self.model.recommend(everyone.users, k=5)
        self.assertTrue((ids == everyone.artists).all())
        self.assertTrue(numpy.array_equal(scores, everyone.scores, equal_nan=True))


class TestSimilarArtists(BatchCase):
    def test_rows_are_similar(self):
        artists = self.model.artist_ids()[:4]
        ids, scores = self.model.similar_artists(artists, k=5, as_numpy=False)
        self.assertEqual(len(ids), 4)
        for a, row, srow in zip(artists, ids, scores):
            want = self.model.similar(a, k=5)
            self.assertEqual(row, [r.artist for r in want])
            self.assertEqual(srow, [f32(r.score) for r in want])
            self.assertNotIn(a, row)

    def test_names_scalars_and_padding(self):
        a = self.model.artist_ids()[1]
        name = self.ds.artist_name(a)
        by_id = self.model.similar_artists([a], k=4, as_numpy=False)
        by_name = self.model.similar_artists([name], k=4, as_numpy=False)
        self.assertEqual(by_id, by_name)
        ids, scores = self.model.similar_artists(a, k=4, as_numpy=False)
        self.assertEqual(ids, by_id[0][0])
        k = len(self.model.artist_ids()) + 2
        ids, scores = self.model.similar_artists(a, k=k, as_numpy=False)
        self.assertEqual(ids[-2:], [-1, -1])
        self.assertTrue(math.isnan(scores[-1]))

    def test_unknown_artist_names_its_index(self):
        with self.assertRaises(lastrec.NotFound) as cm:
            self.model.similar_artists([self.model.artist_ids()[0], 10**7], k=3)
        self.assertIn("artist_ids[1]", str(cm.exception))

    def test_pop_has_no_similar_artists(self):
        pop = lastrec.Model("pop").fit(self.train)
        with self.assertRaises(lastrec.Unsupported):
            pop.similar_artists([self.model.artist_ids()[0]], k=3)

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_arrays(self):
        artists = numpy.array(self.model.artist_ids()[:3])
        ids, scores = self.model.similar_artists(artists, k=5)
        self.assertEqual((ids.shape, ids.dtype), ((3, 5), numpy.int32))
        self.assertEqual((scores.shape, scores.dtype), ((3, 5), numpy.float32))
        ids1, scores1 = self.model.similar_artists(artists[0], k=5)
        self.assertEqual(ids1.shape, (5,))
        self.assertEqual(ids1.tolist(), ids[0].tolist())


class TestQueryBatch(BatchCase):
    """Query mirrors the Model's single calls, and so its batch forms:
    the rows are the query's own single calls under its settings."""

    def query_rows(self, q, users, k):
        rows = [q.recommend(u, k=k) for u in users]
        ids = [[r.artist for r in row] + [-1] * (k - len(row)) for row in rows]
        scores = [[f32(r.score) for r in row] + [math.nan] * (k - len(row)) for row in rows]
        return ids, scores

    def test_recommend_rows_are_the_single_calls_on_both_paths(self):
        batch = [self.users[9], self.users[3], self.users[9], self.users[60]]
        with lastrec.Query(self.model, k=5, measure="cosine", explain=2) as q:
            want_ids, want_scores = self.query_rows(q, batch, 5)
            for path in self.both_paths():
                with path:
                    ids, scores = q.recommend(batch, as_numpy=False)
                self.assertRowsEqual(ids, want_ids)
                self.assertRowsEqual(scores, want_scores)
            # the batch leaves the query's settings as they were
            self.assertEqual((q.k, q.measure, q.explain), (5, "cosine", 2))
            self.assertEqual(len(q.recommend(batch[0])[0].because), 2)
            # a tag filter and a k given to the call apply to the batch too
            tag = self.model.recommend(batch[0], k=1)[0].top_tag
            q.tag = tag
            want_ids, _ = self.query_rows(q, batch, 3)
            ids, _ = q.recommend(batch, k=3, as_numpy=False)
            self.assertEqual(ids, want_ids)

    def test_recommend_errors_name_the_index(self):
        with lastrec.Query(self.model) as q:
            with self.assertRaises(lastrec.NotFound) as cm:
                q.recommend([self.users[0], 10**6], k=3)
            self.assertIn("user_ids[1]", str(cm.exception))
            ids, scores = q.recommend([], k=3, as_numpy=False)
            self.assertEqual((ids, scores), ([], []))

    def test_similar_artists_rows_are_the_single_calls(self):
        artists = self.model.artist_ids()[5:9]
        name = self.ds.artist_name(artists[1])
        with lastrec.Query(self.model, k=4, measure="cosine") as q:
            want = [q.similar(a) for a in artists]
            ids, scores = q.similar_artists([artists[0], name] + artists[2:], as_numpy=False)
            self.assertEqual(ids, [[r.artist for r in w] for w in want])
            self.assertEqual(scores, [[f32(r.score) for r in w] for w in want])
            one_ids, _ = q.similar_artists(artists[3], as_numpy=False)
            self.assertEqual(one_ids, ids[3])
            with self.assertRaises(lastrec.NotFound) as cm:
                q.similar_artists([artists[0], 10**7])
            self.assertIn("artist_ids[1]", str(cm.exception))

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_arrays(self):
        with lastrec.Query(self.model, k=5) as q:
            ids, scores = q.recommend(numpy.array(self.users[:4]))
            self.assertEqual((ids.shape, ids.dtype), ((4, 5), numpy.int32))
            self.assertEqual((scores.shape, scores.dtype), ((4, 5), numpy.float32))
            sids, _ = q.similar_artists(numpy.array(self.model.artist_ids()[:3]))
            self.assertEqual(sids.shape, (3, 5))


if __name__ == "__main__":
    unittest.main()
