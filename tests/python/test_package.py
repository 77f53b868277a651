"""The package as a user meets it: help() on every public class and
function, type hints (PEP 561's py.typed), exceptions with the status."""

import inspect
import os
import pickle
import pydoc
import typing
import unittest

import lastrec


def public_callables():
    """(qualified name, function) of every public function and of every
    public method and property of the public classes; exception classes
    and named tuples have no methods of their own to check."""
    out = []
    for name in lastrec.__all__:
        obj = getattr(lastrec, name)
        if inspect.isclass(obj):
            if issubclass(obj, (BaseException, tuple)):
                continue
            for attr, value in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(value, property):
                    out.append(("%s.%s" % (name, attr), value.fget))
                    continue
                if isinstance(value, (classmethod, staticmethod)):
                    value = value.__func__
                if inspect.isfunction(value):
                    out.append(("%s.%s" % (name, attr), value))
        elif callable(obj):
            out.append((name, obj))
    return out


class TestHelp(unittest.TestCase):
    def test_every_public_name_has_a_docstring(self):
        for name in lastrec.__all__:
            obj = getattr(lastrec, name)
            if isinstance(obj, str):
                continue
            self.assertTrue((inspect.getdoc(obj) or "").strip(), "%s has no docstring" % name)
        for name, func in public_callables():
            if name.endswith(".__init__"):
                continue  # the class's docstring is what help() shows first
            self.assertTrue((inspect.getdoc(func) or "").strip(), "%s has no docstring" % name)

    def test_help_shows_them(self):
        # What help(lastrec.Model) prints is pydoc's rendering.
        text = pydoc.render_doc(lastrec.Model, renderer=pydoc.plaintext)
        for method in ("recommend", "similar_artists", "fit", "save"):
            first = inspect.getdoc(getattr(lastrec.Model, method)).splitlines()[0]
            self.assertIn(first, text)
        self.assertIn("filter_listened", text)
        text = pydoc.render_doc(lastrec.Error, renderer=pydoc.plaintext)
        self.assertIn("status", text)
        self.assertIn("code", text)
        text = pydoc.render_doc(lastrec, renderer=pydoc.plaintext)
        self.assertIn("artist recommendations", text)


class TestTypeHints(unittest.TestCase):
    def test_py_typed_is_shipped(self):
        package = os.path.dirname(os.path.abspath(lastrec.__file__))
        self.assertTrue(os.path.isfile(os.path.join(package, "py.typed")))

    def test_every_public_callable_is_annotated(self):
        unannotated = []
        for name, func in public_callables():
            sig = inspect.signature(func)
            for p in list(sig.parameters.values())[1 if "." in name else 0:]:
                if p.annotation is inspect.Parameter.empty:
                    unannotated.append("%s(%s)" % (name, p.name))
            if sig.return_annotation is inspect.Signature.empty:
                unannotated.append("%s -> ?" % name)
        self.assertEqual(unannotated, [])

    def test_the_hints_resolve(self):
        # A checker (or typing.get_type_hints) must be able to read every
        # annotation: forward references name classes lastrec exports.
        for name, func in public_callables():
            hints = typing.get_type_hints(func, globalns=func.__globals__,
                                          localns=vars(lastrec))
            self.assertIn("return", hints, name)
        hints = typing.get_type_hints(lastrec.Model.recommend, localns=vars(lastrec))
        self.assertEqual(hints["k"], int)
        self.assertEqual(hints["filter_listened"], typing.Optional[bool])


class TestErrors(unittest.TestCase):
    def test_status_code_and_message(self):
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Model("als", factors=0)
        err = cm.exception
        self.assertEqual(err.status, lastrec.errors.E_INVALID)
        self.assertEqual(err.code, err.status)
        self.assertIsInstance(err, ValueError)
        self.assertIn("factors", str(err))
        self.assertEqual(str(err), err.message)
        # The library's own message, from the C call that failed.
        self.assertTrue((err.function or "").startswith("lr_"), err.function)
        self.assertNotEqual(err.message, lastrec.strerror(err.status))

    def test_io_error(self):
        missing = os.path.join(os.sep, "nonexistent", "lastrec-data")
        with self.assertRaises(lastrec.LastrecIOError) as cm:
            lastrec.Dataset.load(missing)
        self.assertEqual(cm.exception.code, lastrec.errors.E_IO)
        self.assertIsInstance(cm.exception, OSError)
        self.assertIn("nonexistent", str(cm.exception))

    def test_pickled_error_keeps_its_status(self):
        err = lastrec.errors.make_error(lastrec.errors.E_NOTFOUND, "unknown user 5")
        again = pickle.loads(pickle.dumps(err))
        self.assertIs(type(again), lastrec.NotFound)
        self.assertEqual((again.status, again.code, again.message),
                         (lastrec.errors.E_NOTFOUND, lastrec.errors.E_NOTFOUND, "unknown user 5"))

    def test_unknown_status_still_raises_with_it(self):
        err = lastrec.errors.make_error(-99, "from a newer library")
        self.assertIs(type(err), lastrec.Error)
        self.assertEqual(err.code, -99)


if __name__ == "__main__":
    unittest.main()
