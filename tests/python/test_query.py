"""Queries: for a user, for preferences, similar artists, settings,
filters, batch, threads and lifetimes."""

import gc
import math
import threading
import unittest

import support
import lastrec


def setUpModule():
    if not support.queries_available():
        raise unittest.SkipTest("the loaded library has no lr_query_* functions yet")


class QueryCase(unittest.TestCase):
    algorithm = "pop"

    @classmethod
    def setUpClass(cls):
        cls.ds, cls.train, cls.test = support.synthetic()
        cls.model = None

    def setUp(self):
        if type(self).model is None:
            type(self).model = support.fit(self, self.algorithm, self.train)

    def listened(self, user):
        return set(self.train.user_listens(user))

    def check_results(self, results, k, excluded=()):
        self.assertLessEqual(len(results), k)
        for r in results:
            self.assertIsInstance(r, lastrec.Recommendation)
            self.assertNotIn(r.artist, excluded)
            self.assertEqual(r.name, self.ds.artist_name(r.artist))
            self.assertEqual(r.fans, self.train.artist_stats(r.artist).fans)
            self.assertLessEqual(len(r.tags), 5)
            if r.top_tag is None:
                self.assertEqual(r.tags, ())
            else:
                self.assertEqual(r.tags[0][0], r.top_tag)
            counts = [c for _, c in r.tags]
            self.assertEqual(counts, sorted(counts, reverse=True))
        for a, b in zip(results, results[1:]):
            # Best first; equal scores by the lower artist ID.
            self.assertTrue(a.score > b.score or (a.score == b.score and a.artist < b.artist),
                            (a, b))


class TestPop(QueryCase):
    algorithm = "pop"

    def test_recommend_is_by_fans(self):
        user = self.ds.user_ids()[3]
        results = self.model.recommend(user, k=10)
        self.assertEqual(len(results), 10)
        self.check_results(results, 10, self.listened(user))
        fans = {a: self.train.artist_stats(a).fans for a in self.train.artist_ids()}
        expected = sorted((a for a in fans if a not in self.listened(user)),
                          key=lambda a: (-fans[a], a))[:10]
        self.assertEqual([r.artist for r in results], expected)
        self.assertTrue(all(r.because == () for r in results))

    def test_exclude_listened_off(self):
        user = self.ds.user_ids()[3]
        results = self.model.recommend(user, k=20, exclude_listened=False)
        fans = {a: self.train.artist_stats(a).fans for a in self.train.artist_ids()}
        expected = sorted(fans, key=lambda a: (-fans[a], a))[:20]
        self.assertEqual([r.artist for r in results], expected)

    def test_unknown_user(self):
        with self.assertRaises(lastrec.NotFound) as cm:
            self.model.recommend(-77)
        self.assertEqual(cm.exception.status, lastrec.errors.E_NOTFOUND)
        with self.assertRaises(lastrec.InvalidArgument):
            self.model.recommend(self.ds.user_ids()[0], k=0)

    def test_similar_is_unsupported(self):
        with self.assertRaises(lastrec.Unsupported):
            self.model.similar(self.ds.artist_ids()[0])

    def test_cosine_is_unsupported(self):
        with self.assertRaises(lastrec.Unsupported):
            self.model.recommend(self.ds.user_ids()[0], measure="cosine")
        with self.assertRaises(lastrec.InvalidArgument):
            self.model.recommend(self.ds.user_ids()[0], measure="manhattan")


class TestNames(QueryCase):
    algorithm = "pop"

    def ambiguous_fragment(self):
        # A word that several names contain while no name is exactly it.
        names = [self.ds.artist_name(a) for a in self.ds.artist_ids()]
        exact = {n.casefold() for n in names}
        for name in names:
            for word in name.split():
                if len(word) >= 4 and word.casefold() not in exact:
                    if len(self.ds.find_artist(word, limit=None)) >= 2:
                        return word
        self.skipTest("no ambiguous name fragment in the synthetic data")

    def test_find_artist(self):
        a = self.ds.artist_ids()[11]
        name = self.ds.artist_name(a)
        self.assertEqual(self.model.find_artist(name), a)
        self.assertEqual(self.model.find_artist(name.upper()), a)
        with self.assertRaises(lastrec.NotFound):
            self.model.find_artist("zzqqxx no such band")

    def test_ambiguous_has_candidates(self):
        word = self.ambiguous_fragment()
        with self.assertRaises(lastrec.Ambiguous) as cm:
            self.model.find_artist(word)
        exc = cm.exception
        self.assertEqual(exc.status, lastrec.errors.E_AMBIGUOUS)
        self.assertIsInstance(exc, LookupError)
        self.assertGreaterEqual(len(exc.candidates), 2)
        self.assertEqual({c.id for c in exc.candidates},
                         {m.id for m in self.ds.find_artist(word, limit=None)})
        for c in exc.candidates:
            self.assertEqual(c.name, self.ds.artist_name(c.id))
        with self.assertRaises(lastrec.Ambiguous) as cm:
            self.model.recommend_for({word: 100})
        self.assertTrue(cm.exception.candidates)

    def test_query_candidates(self):
        word = self.ambiguous_fragment()
        with lastrec.Query(self.model) as q:
            with self.assertRaises(lastrec.Ambiguous):
                q.find_artist(word)
            self.assertGreaterEqual(len(q.candidates()), 2)
            self.assertEqual(q.artist_name(q.candidates()[0].id), q.candidates()[0].name)


class TestFactorModel(QueryCase):
    algorithm = "als"

    def test_recommend_user(self):
        for user in self.ds.user_ids()[:10]:
            results = self.model.recommend(user, k=10)
            self.assertEqual(len(results), 10)
            listened = self.listened(user)
            self.check_results(results, 10, listened)
            for r in results:
                self.assertLessEqual(len(r.because), 3)
                for b in r.because:
                    self.assertIsInstance(b, lastrec.Because)
                    self.assertIn(b.artist, listened)
                    self.assertEqual(b.name, self.ds.artist_name(b.artist))
                    self.assertGreater(b.contribution, 0)
                contributions = [b.contribution for b in r.because]
                self.assertEqual(contributions, sorted(contributions, reverse=True))

    def test_recommend_for_preferences(self):
        ids = self.ds.artist_ids()
        prefs = {ids[0]: 4000, ids[5]: 600, self.ds.artist_name(ids[9]): 100}
        results = self.model.recommend_for(prefs, k=10)
        preferred = {ids[0], ids[5], ids[9]}
        self.check_results(results, 10, preferred)
        self.assertEqual(len(results), 10)
        for r in results:
            self.assertTrue({b.artist for b in r.because} <= preferred)
        as_list = self.model.recommend_for(list(prefs.items()), k=10)
        self.assertEqual(as_list, results)
        with self.assertRaises(lastrec.RangeError):
            self.model.recommend_for({ids[0]: -3})
        with self.assertRaises(lastrec.InvalidArgument):
            self.model.recommend_for({})
        with self.assertRaises(lastrec.NotFound):
            self.model.recommend_for({-5: 10})
        # The failures left nothing behind for the next call.
        self.assertEqual(self.model.recommend_for(prefs, k=10), results)

    def test_stateful_preferences(self):
        ids = self.ds.artist_ids()
        with self.model.query(k=5) as q:
            self.assertEqual(q.add_preference(ids[2], 50), ids[2])
            name = self.ds.artist_name(ids[3])
            self.assertEqual(q.add_preference(name, 70), ids[3])
            q.add_preference(ids[2], 80)  # replaces
            self.assertEqual(q.preferences(), {ids[2]: 80.0, ids[3]: 70.0})
            results = q.recommend_preferences()
            self.assertEqual(len(results), 5)
            self.assertEqual(results, q.recommend_for({ids[2]: 80, ids[3]: 70}))
            self.assertEqual(q.preferences(), {})  # recommend_for clears
            q.add_preference(ids[2], 1)
            q.clear_preferences()
            with self.assertRaises(lastrec.InvalidArgument):
                q.recommend_preferences()

    def test_similar(self):
        a = self.ds.artist_ids()[4]
        name = self.ds.artist_name(a)
        results = self.model.similar(a, k=10)
        self.assertEqual(len(results), 10)
        self.check_results(results, 10, {a})
        self.assertTrue(all(r.because == () for r in results))
        self.assertEqual(self.model.similar(name, k=10), results)
        cosine = self.model.similar(a, k=10, measure="cosine")
        self.assertTrue(all(r.score <= 1.0 + 1e-5 for r in cosine))
        with self.assertRaises(lastrec.NotFound):
            self.model.similar(-8)
        with self.assertRaises(lastrec.NotFound):
            self.model.similar("zzqqxx no such band")

    def test_similar_by_partial_name(self):
        a = self.ds.artist_ids()[4]
        name = self.ds.artist_name(a)
        with self.model.query() as q:
            results = q.similar(name[: max(3, len(name) // 2)])
            best = q.candidates()[0].id
            self.assertNotIn(best, [r.artist for r in results])

    def test_settings_and_filters(self):
        user = self.ds.user_ids()[0]
        with lastrec.Query(self.model, k=7, explain=0) as q:
            self.assertEqual((q.k, q.explain, q.measure, q.exclude_listened), (7, 0, "dot", True))
            results = q.recommend(user)
            self.assertEqual(len(results), 7)
            self.assertTrue(all(r.because == () for r in results))
            q.explain = 2
            self.assertTrue(all(len(r.because) <= 2 for r in q.recommend(user)))
            self.assertEqual(len(q.recommend(user, k=3)), 3)
            self.assertEqual(q.k, 3)
            allow = self.ds.artist_ids()[:40]
            q.set_filter(allow=allow)
            self.assertTrue(all(r.artist in allow for r in q.recommend(user, k=10)))
            deny = [r.artist for r in q.recommend(user, k=10)]
            q.set_filter(deny=deny)
            self.assertFalse({r.artist for r in q.recommend(user, k=10)} & set(deny))
            q.set_filter()
            with self.assertRaises(lastrec.NotFound):
                q.set_filter(allow=[-1])
            with self.assertRaises(lastrec.InvalidArgument):
                q.set_filter(allow=[1], deny=[2])
            with self.assertRaises(lastrec.InvalidArgument):
                q.k = 0
            self.assertEqual(q.k, 10)  # a refused setting leaves the old one
            top = self.train.artist_stats(self.ds.artist_ids()[0]).top_tag
            if top:
                q.tag = top
                for r in q.recommend(user, k=10):
                    self.assertTrue(r.top_tag == top or top in [t for t, _ in r.tags])
                q.tag = None
            with self.assertRaises(lastrec.NotFound):
                q.tag = "NoSuchTagAnywhere"
            self.assertIn("k=10", repr(q))

    def test_recommend_all(self):
        with self.model.query(k=5) as q:
            everyone = q.recommend_all(as_numpy=False, threads=2)
            self.assertEqual(everyone.users, self.model.user_ids())
            for i, user in enumerate(everyone.users[:15]):
                self.assertEqual(everyone.artists[i], [r.artist for r in q.recommend(user)])
                self.assertEqual(len(everyone.scores[i]), 5)
            if support.numpy is not None:
                arrays = q.recommend_all()
                self.assertEqual(arrays.artists.shape, (len(everyone.users), 5))
                self.assertEqual(arrays.artists.tolist(), everyone.artists)
                self.assertEqual(arrays.users.tolist(), everyone.users)

    def test_threads_agree_with_one_thread(self):
        users = self.ds.user_ids()
        artists = self.ds.artist_ids()

        def ask(i):
            if i % 3 == 0:
                return self.model.recommend(users[i % len(users)], k=10)
            if i % 3 == 1:
                return self.model.similar(artists[i % len(artists)], k=10)
            return self.model.recommend_for({artists[i % 50]: 100, artists[(i * 7) % 90]: 30}, k=10)

        expected = [ask(i) for i in range(120)]
        failures = []

        def worker(offset):
            for j in range(120):
                i = (j + offset) % 120
                if ask(i) != expected[i]:
                    failures.append(i)

        threads = [threading.Thread(target=worker, args=(n * 17,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])


class TestOtherAlgorithms(unittest.TestCase):
    def test_each_algorithm_answers(self):
        ds, train, _ = support.synthetic()
        user = ds.user_ids()[2]
        for algorithm in ("bpr", "mf", "ease", "blend"):
            with self.subTest(algorithm=algorithm):
                m = support.fit(self, algorithm, train)
                results = m.recommend(user, k=10)
                self.assertEqual(len(results), 10)
                self.assertFalse({r.artist for r in results} & set(train.user_listens(user)))
                self.assertEqual(len(m.recommend_for({ds.artist_ids()[0]: 100}, k=5)), 5)
                self.assertTrue(all(math.isfinite(r.score) for r in results))

    def test_blend_explains_and_finds_neighbours(self):
        # The best model answers every kind of query, and its explanations
        # name the listener's own artists.
        ds, train, _ = support.synthetic()
        m = support.fit(self, "blend", train, item_regularization=20, blend_weight=1.5)
        self.assertEqual(m.option("blend_weight"), 1.5)
        user = ds.user_ids()[5]
        own = set(train.user_listens(user))
        results = m.recommend(user, k=10)
        self.assertTrue(all(r.because for r in results[:3]))
        for r in results:
            self.assertTrue({b.artist for b in r.because} <= own)
        likes = dict(list(train.user_listens(user).items())[:4])
        for r in m.recommend_for(likes, k=10):
            self.assertNotIn(r.artist, likes)
            self.assertTrue({b.artist for b in r.because} <= set(likes))
        artist = sorted(own)[0]
        similar = m.similar(artist, k=5)
        self.assertEqual(len(similar), 5)
        self.assertNotIn(artist, {r.artist for r in similar})
        self.assertEqual([r.score for r in similar], sorted((r.score for r in similar), reverse=True))


class TestSoftmaxTower(unittest.TestCase):
    def test_explains_by_tags(self):
        # softmax folds preferences in through its user tower: a training
        # user's own listens give that user's recommendations, and the
        # results name the tags of the liked artists that raised them.
        ds, train, _ = support.synthetic()
        m = support.fit(self, "softmax", train, factors=12, epochs=3, hidden_width=16,
                        tag_dim=4)
        user = ds.user_ids()[5]
        listens = train.user_listens(user)
        mine = m.recommend(user, k=10)
        folded = m.recommend_for(dict(listens), k=10)
        self.assertEqual([(r.artist, r.score) for r in mine],
                         [(r.artist, r.score) for r in folded])
        self.assertEqual([r.because_tags for r in mine], [r.because_tags for r in folded])
        theirs = {t.name for a in listens for t in train.artist_tags(a)}
        tagged = 0
        for r in folded:
            self.assertLessEqual(len(r.because_tags), 3)
            for b in r.because_tags:
                self.assertIsInstance(b, lastrec.BecauseTag)
                self.assertGreater(b.contribution, 0)
                self.assertIn(b.tag, theirs)
            contributions = [b.contribution for b in r.because_tags]
            self.assertEqual(contributions, sorted(contributions, reverse=True))
            tagged += bool(r.because_tags)
        self.assertGreater(tagged, 0)
        # no explanations asked, none given; other models give no tags
        self.assertTrue(all(r.because_tags == () for r in m.recommend(user, explain=0)))
        als = support.fit(self, "als", train)
        self.assertTrue(all(r.because_tags == () for r in als.recommend(user)))
        self.assertTrue(all(r.because_tags == () for r in m.similar(sorted(listens)[0])))


class TestLifetimes(unittest.TestCase):
    def test_query_keeps_model_alive(self):
        _, train, _ = support.synthetic()
        m = lastrec.Model("pop").fit(train)
        q = lastrec.Query(m, k=3)
        user = train.user_ids()[0]
        expected = q.recommend(user)
        fin = m._finalizer
        del m
        gc.collect()
        self.assertTrue(fin.alive)
        self.assertEqual(q.recommend(user), expected)
        self.assertIs(q.model._finalizer, fin)
        q.close()
        self.assertTrue(q.closed)
        with self.assertRaises(lastrec.InvalidArgument):
            q.recommend(user)
        del q
        gc.collect()
        self.assertFalse(fin.alive)

    def test_model_close_waits_for_queries(self):
        _, train, _ = support.synthetic()
        m = lastrec.Model("pop").fit(train)
        user = train.user_ids()[0]
        m.recommend(user)  # a per-thread query exists too
        q = m.query(k=4)
        expected = q.recommend(user)
        m.close()
        self.assertTrue(m.closed)
        with self.assertRaises(lastrec.InvalidArgument):
            m.recommend(user)
        self.assertEqual(q.recommend(user), expected)  # still valid memory
        self.assertTrue(m._finalizer.alive)
        q.close()
        del q
        gc.collect()
        fin = m._finalizer
        del m
        gc.collect()
        self.assertFalse(fin.alive)

    def test_thread_queries_end_with_their_thread(self):
        _, train, _ = support.synthetic()
        m = lastrec.Model("pop").fit(train)
        t = threading.Thread(target=m.recommend, args=(train.user_ids()[0],))
        t.start()
        t.join()
        gc.collect()
        self.assertEqual(len(m._queries), 0)
        m.recommend(train.user_ids()[0])
        self.assertEqual(len(m._queries), 1)
        m.close()
        self.assertEqual(len(m._queries), 0)
        self.assertFalse(m._finalizer.alive)

    def test_query_needs_a_fitted_model(self):
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Query(lastrec.Model("pop"))


if __name__ == "__main__":
    unittest.main()
