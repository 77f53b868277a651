"""Status codes become typed exceptions carrying lr_last_error()."""

import os
import pickle
import threading
import unittest

import support
import lastrec
from lastrec import errors


class TestMapping(unittest.TestCase):
    def test_every_status_has_its_class(self):
        expected = {
            -1: lastrec.InvalidArgument, -2: lastrec.NoMemory, -3: lastrec.LastrecIOError,
            -4: lastrec.NotFound, -5: lastrec.ParseError, -6: lastrec.RangeError,
            -7: lastrec.DuplicateError, -8: lastrec.EncodingError, -9: lastrec.LineTooLong,
            -10: lastrec.FormatError, -11: lastrec.Cancelled, -12: lastrec.NumericError,
            -13: lastrec.Unsupported, -14: lastrec.BufferTooSmall, -15: lastrec.EmptyInput,
            -16: lastrec.HeaderError, -17: lastrec.Ambiguous,
        }
        for status, cls in expected.items():
            exc = errors.make_error(status, "m")
            self.assertIs(type(exc), cls)
            self.assertIsInstance(exc, lastrec.Error)
            self.assertEqual(exc.status, status)
            # Every code the binding maps has a static description in C.
            self.assertNotEqual(lastrec.strerror(status), "unknown status")

    def test_unknown_status_still_raises_error(self):
        exc = errors.make_error(-999, "from a newer library")
        self.assertIs(type(exc), lastrec.Error)
        self.assertEqual(exc.status, -999)

    def test_builtin_families(self):
        self.assertIsInstance(errors.make_error(-3, "m"), OSError)
        self.assertIsInstance(errors.make_error(-1, "m"), ValueError)
        self.assertIsInstance(errors.make_error(-4, "m"), LookupError)
        self.assertIsInstance(errors.make_error(-5, "m"), lastrec.InputError)
        self.assertIsInstance(errors.make_error(-16, "m"), lastrec.InputError)
        self.assertIsInstance(errors.make_error(-2, "m"), MemoryError)
        self.assertIsInstance(errors.make_error(-13, "m"), NotImplementedError)

    def test_pickles(self):
        exc = errors.make_error(-5, "user_artists.dat:3: weight: not a number")
        back = pickle.loads(pickle.dumps(exc))
        self.assertIs(type(back), lastrec.ParseError)
        self.assertEqual((back.status, back.message), (exc.status, exc.message))
        io = pickle.loads(pickle.dumps(errors.make_error(-3, "cannot open x")))
        self.assertEqual((io.status, str(io)), (-3, "cannot open x"))


class TestMessages(support.TempDirCase):
    def test_io_error_names_the_path(self):
        missing = self.path("no-such-dir")
        with self.assertRaises(lastrec.LastrecIOError) as cm:
            lastrec.Dataset.load(missing)
        exc = cm.exception
        self.assertEqual(exc.status, errors.E_IO)
        self.assertIn("no-such-dir", exc.message)
        self.assertEqual(str(exc), exc.message)
        self.assertIsInstance(exc, OSError)

    def test_parse_error_names_file_line_and_field(self):
        path = support.write(self.path("user_artists.dat"),
                             "userID\tartistID\tweight\n1\t2\t10\n1\t3\tlots\n")
        with self.assertRaises(lastrec.InputError) as cm:
            lastrec.Dataset.load(path)
        exc = cm.exception
        self.assertEqual(exc.status, errors.E_PARSE)
        self.assertIsInstance(exc, lastrec.ParseError)
        self.assertIn("user_artists.dat:3", exc.message)
        self.assertIn("weight", exc.message)

    def test_header_and_empty(self):
        with self.assertRaises(lastrec.HeaderError):
            lastrec.Dataset.load(support.write(self.path("user_artists.dat"), "a\tb\tc\n1\t2\t3\n"))
        with self.assertRaises(lastrec.EmptyInput):
            lastrec.Dataset.load(support.write(self.path("e", ), ""))

    def test_bad_option_names_the_option(self):
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Dataset.synthesize(no_such_option=3)
        self.assertEqual(cm.exception.status, errors.E_INVALID)
        self.assertIn("no_such_option", cm.exception.message)
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Dataset.synthesize(min_tag_uses=-1)
        self.assertIn("min_tag_uses", cm.exception.message)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Dataset.synthesize(seed="seven")
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Dataset.synthesize(holdout_fraction=float("nan"))

    def test_unknown_artist(self):
        ds, _, _ = support.synthetic()
        with self.assertRaises(lastrec.NotFound) as cm:
            ds.artist_stats(-12345)
        self.assertEqual(cm.exception.status, errors.E_NOTFOUND)
        self.assertIn("-12345", cm.exception.message)
        with self.assertRaises(lastrec.NotFound):
            ds.artist_name(10 ** 12)
        with self.assertRaises(lastrec.InvalidArgument):
            ds.artist_name(1.5)

    def test_messages_are_per_thread(self):
        # lr_last_error() is thread-local and errcheck reads it at once, so
        # threads failing at the same time each see their own message.
        ds, _, _ = support.synthetic()
        bad_dir = self.path("missing-%d")
        failures = []

        def worker(n):
            for i in range(200):
                try:
                    if n % 2:
                        ds.artist_stats(-1000 - n)
                    else:
                        lastrec.Dataset.load(bad_dir % n)
                except lastrec.Error as exc:
                    want = str(-1000 - n) if n % 2 else "missing-%d" % n
                    if want not in exc.message:
                        failures.append((n, exc.message))
                else:
                    failures.append((n, "no error"))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])


class TestNaturalMessages(unittest.TestCase):
    """Exceptions read as Python, not as C: no leading C function name, the
    detail kept, the C function in ``function``."""

    def test_c_prefix_is_dropped_and_kept_apart(self):
        _, train, _ = support.synthetic()
        model = support.fit(self, "pop", train)
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            model.fit(train)
        exc = cm.exception
        self.assertFalse(exc.message.startswith("lr_"), exc.message)
        self.assertNotIn("lr_model_fit", str(exc))
        self.assertIn("already fitted", exc.message)
        self.assertEqual(exc.function, "lr_model_fit")

    def test_messages_without_prefix_are_unchanged(self):
        self.assertEqual(lastrec._ffi.natural("user_artists.dat:3: weight: bad"),
                         ("user_artists.dat:3: weight: bad", None))
        self.assertEqual(lastrec._ffi.natural("lr_query_new: model is NULL"),
                         ("model is NULL", "lr_query_new"))

    def test_binding_errors_have_no_function(self):
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("als", no_such_option=1)
        self.assertIsNone(cm.exception.function)

    def test_unknown_option_is_said_once(self):
        for call in (lambda: lastrec.Model("als", colour=1),
                     lambda: lastrec.Dataset.synthesize(colour=1)):
            with self.assertRaises(lastrec.InvalidArgument) as cm:
                call()
            message = cm.exception.message
            self.assertEqual(message.count("colour"), 1, message)
            self.assertEqual(message.count("unknown option"), 1, message)
            self.assertIn("lastrec.options()", message)

    def test_bad_value_name_lists_the_valid_ones(self):
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("als", transform="bm2")
        self.assertIn("raw, log1p, binary, bm25", cm.exception.message)
        self.assertNotIn("lr_", cm.exception.message)
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("als", factors="many")
        self.assertIn("factors", cm.exception.message)

    def test_buffer_too_small_is_documented(self):
        doc = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "python.md")
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        for name in lastrec.__all__:
            obj = getattr(lastrec, name)
            if isinstance(obj, type) and issubclass(obj, lastrec.Error) \
                    and obj not in (lastrec.Error, lastrec.InputError):
                self.assertIn("`%s`" % name, text, "%s is missing from docs/python.md" % name)


if __name__ == "__main__":
    unittest.main()
