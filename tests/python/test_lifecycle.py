"""Handles: close(), with blocks, garbage collection, shutdown."""

import gc
import os
import subprocess
import sys
import textwrap
import unittest
import weakref

import support
import lastrec


class TestLifecycle(unittest.TestCase):
    def test_close_and_with(self):
        ds = lastrec.Dataset.synthesize(**support.SYNTH)
        with ds as same:
            self.assertIs(same, ds)
            self.assertFalse(ds.closed)
        self.assertTrue(ds.closed)
        ds.close()  # twice is harmless
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            ds.users
        self.assertIn("closed", str(cm.exception))
        self.assertIn("closed", repr(ds))
        with self.assertRaises(lastrec.InvalidArgument):
            with ds:
                pass

    def test_garbage_collection_frees(self):
        ds = lastrec.Dataset.synthesize(**support.SYNTH)
        fin = ds._finalizer
        del ds
        gc.collect()
        self.assertFalse(fin.alive)
        m = lastrec.Model("pop")
        fin = m._finalizer
        del m
        gc.collect()
        self.assertFalse(fin.alive)

    def test_model_close(self):
        _, train, _ = support.synthetic()
        with lastrec.Model("pop").fit(train) as m:
            self.assertTrue(m.fitted)
        self.assertTrue(m.closed)
        self.assertFalse(m._finalizer.alive)
        with self.assertRaises(lastrec.InvalidArgument):
            m.fitted
        self.assertIn("closed", repr(m))

    def test_split_sides_do_not_hold_the_parent(self):
        ds = lastrec.Dataset.synthesize(**support.SYNTH)
        parent = weakref.ref(ds)
        fin = ds._finalizer
        train, test = ds.split()
        del ds
        gc.collect()
        self.assertIsNone(parent())
        self.assertFalse(fin.alive)
        self.assertGreater(train.listens, 0)
        self.assertGreater(len(train.artist_ids()), 0)
        self.assertTrue(train.artist_name(train.artist_ids()[0]))

    def test_model_outlives_its_training_data(self):
        ds = lastrec.Dataset.synthesize(**support.SYNTH)
        train, test = ds.split()
        m = lastrec.Model("pop").fit(train)
        ids = train.artist_ids()
        ds.close()
        train.close()
        test.close()
        gc.collect()
        self.assertEqual(m.artist_ids(), ids)

    def test_closing_during_use_elsewhere_is_refused(self):
        ds = lastrec.Dataset.synthesize(**support.SYNTH)
        ds.close()
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Model("pop").fit(ds)

    def test_wrong_handle_types(self):
        _, train, _ = support.synthetic()
        with self.assertRaises(TypeError):
            lastrec.Model("pop").fit("not a dataset")
        with self.assertRaises(TypeError):
            lastrec.Model("pop").fit(train, validation=lastrec.Model("pop"))
        with self.assertRaises(TypeError):
            lastrec.evaluate(train, train, train)
        with self.assertRaises(TypeError):
            lastrec.Query(train)
        with self.assertRaises(TypeError):
            lastrec.Dataset()

    def test_interpreter_exit_with_live_handles(self):
        # Objects still alive at exit, in cycles and in module globals, with
        # numpy views and per-thread queries, must not crash the shutdown.
        code = textwrap.dedent("""
            import lastrec
            ds = lastrec.Dataset.synthesize(users=60, artists=200, seed=1)
            train, test = ds.split()
            m = lastrec.Model("pop").fit(train)
            try:
                m.recommend(train.user_ids()[0])
                q = m.query()
            except lastrec.Unsupported:
                pass
            class Holder:
                pass
            h = Holder()
            h.self = h
            h.ds, h.m = ds, m
            try:
                import numpy
                h.arr = lastrec.Model("als", factors=4, epochs=1).fit(train).artist_embeddings()
            except (ImportError, lastrec.Unsupported):
                pass
            print("done")
        """)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=os.environ.copy(), timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "done")
        self.assertEqual(out.stderr, "")


if __name__ == "__main__":
    unittest.main()
