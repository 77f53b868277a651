"""Pieces every handle class shares: ownership, options, progress."""

import collections
import math
import os
import weakref
from typing import List
from ctypes import byref, c_char_p, c_double, c_int, c_int64

from . import _ffi
from . import _progress
from . import errors


def closed_error(what):
    return errors.InvalidArgument(errors.E_INVALID, "the %s is closed" % what)


def free_on_collect(obj, free, *args):
    """Call ``free(*args)`` when ``obj`` is garbage collected.

    atexit is off on purpose: at interpreter exit weakref.finalize runs no
    callbacks after its exit hook, so nothing calls into a half torn-down
    ctypes, and an object still alive at exit (a numpy view of embeddings
    held by a module global, say) never loses its memory while user code at
    shutdown might still read it.  The operating system reclaims the rest.
    """
    fin = weakref.finalize(obj, free, *args)
    fin.atexit = False
    return fin


class Handle:
    """An owned C handle: ``close()``, ``with``, or garbage collection frees it."""

    _what = "handle"

    def _adopt(self, ptr, free):
        self._ptr = ptr
        self._finalizer = free_on_collect(self, free, ptr)

    def _handle(self):
        ptr = self._ptr
        if ptr is None:
            raise closed_error(self._what)
        return ptr

    @property
    def closed(self) -> bool:
        """Whether close() has been called."""
        return self._ptr is None

    def close(self) -> None:
        """Free the C object now.  Closing twice is harmless."""
        if self._ptr is not None:
            self._ptr = None
            self._finalizer()

    def __enter__(self):
        self._handle()
        return self

    def __exit__(self, *exc):
        self.close()


def handle_of(obj, cls, what):
    """The C handle of an argument that must be a ``cls``."""
    if not isinstance(obj, cls):
        raise TypeError("%s must be a lastrec.%s, not %s" % (what, cls.__name__, type(obj).__name__))
    return obj._handle()


def encode_path(path):
    return os.fsencode(path)


def encode_text(text):
    if not isinstance(text, str):
        raise TypeError("a str is required, not %s" % type(text).__name__)
    return text.encode("utf-8")


def decode(raw):
    return raw.decode("utf-8", "replace") if raw is not None else None


def int_id(value, what):
    # Reject floats and out-of-range numbers here: ctypes would truncate or
    # wrap them silently into some other, valid ID.
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = value.__index__()
        except AttributeError:
            raise errors.InvalidArgument(
                errors.E_INVALID, "%s must be an integer ID, got %r" % (what, value)) from None
    if not -2**31 <= value < 2**31:
        raise errors.NotFound(errors.E_NOTFOUND, "unknown %s %d" % (what, value))
    return value


# --------------------------------------------------------------------- options

# Options whose integer values name a choice (enum lr_optimizer, lr_transform,
# lr_solver) take the names on the way in and give them back on the way out.
# The names are the C library's (lr_option_value_name/_lookup), not a copy.

_OPTTYPE_INT = 1
_OPTTYPE_DOUBLE = 2

_option_cache = {}


OptionInfo = collections.namedtuple(
    "OptionInfo", "name key type minimum maximum default")
OptionInfo.__doc__ = "One library option: name, key, type ('int' or 'double'), bounds and default."


def _info_for_key(key):
    name = c_char_p()
    typ = c_int()
    lo, hi, default = c_double(), c_double(), c_double()
    _ffi.lr_option_info(key, byref(name), byref(typ), byref(lo), byref(hi), byref(default))
    kind = "int" if typ.value == _OPTTYPE_INT else "double"
    conv = int if kind == "int" else float
    return OptionInfo(name.value.decode(), key, kind, conv(lo.value), conv(hi.value),
                      conv(default.value))


def option_info(name: str) -> OptionInfo:
    """The OptionInfo of an option name; InvalidArgument for an unknown one."""
    info = _option_cache.get(name)
    if info is not None:
        return info
    if not isinstance(name, str):
        raise errors.InvalidArgument(errors.E_INVALID, "option names are strings, got %r" % (name,))
    key = c_int()
    try:
        _ffi.lr_option_lookup(encode_text(name), byref(key))
    except errors.NotFound:
        # The C lookup says "not found"; to a caller passing keyword
        # arguments an unknown name is a bad argument, as it is to
        # lr_options_set_string.  Its message would only repeat the name.
        raise errors.InvalidArgument(
            errors.E_INVALID, "unknown option %r (lastrec.options() lists them)"
            % (name,)) from None
    info = _info_for_key(key.value)
    _option_cache[name] = info
    return info


def all_options() -> List[OptionInfo]:
    """Every option the loaded library knows, in key order."""
    out = []
    i = 0
    while True:
        key = _ffi.lr_option_key_at(i)
        if key == 0:
            return out
        info = _info_for_key(key)
        _option_cache.setdefault(info.name, info)
        out.append(info)
        i += 1


def option_choices(name):
    """The value names of an enum-valued option ({'sgd': 1, 'adagrad': 2}),
    or {} for an option that takes numbers, from the library's table."""
    info = option_info(name)
    if info.type != "int" or info.maximum - info.minimum > 64:
        return {}
    out = {}
    for value in range(info.minimum, info.maximum + 1):
        label = _ffi.lr_option_value_name(info.key, value)
        if label is not None:
            out[label.decode()] = value
    return out


def option_value_out(info, value):
    """A value read from the library, as the caller would have passed it."""
    if info.type == "int":
        value = int(value)
        label = _ffi.lr_option_value_name(info.key, value)
        return label.decode() if label is not None else value
    return float(value)


def option_value_in(info, text):
    """The number of a value name of an enum-valued option ('bm25' -> 3);
    InvalidArgument listing the valid names otherwise."""
    number = c_int64()
    try:
        _ffi.lr_option_value_lookup(info.key, encode_text(text), byref(number))
    except errors.NotFound as exc:
        # "option 'transform': 'bm2' is not one of raw, log1p, binary, bm25"
        raise errors.InvalidArgument(errors.E_INVALID, exc.message) from None
    except errors.InvalidArgument:
        raise errors.InvalidArgument(
            errors.E_INVALID, "option %s: a number is required, got %r" % (info.name, text)) from None
    return number.value


class Options(Handle):
    """An lr_options built from keyword arguments, for one call or one model."""

    _what = "options"

    def __init__(self, values=None, progress=None):
        ptr = _ffi.OptionsP()
        _ffi.lr_options_new(byref(ptr))
        self._adopt(ptr, _ffi.lr_options_free)
        for name, value in (values or {}).items():
            if value is not None:
                self.set(name, value)
        if progress is not None:
            _ffi.lr_options_set_progress(ptr, progress.c_fn, None)

    def set(self, name, value):
        info = option_info(name)
        if isinstance(value, str):
            value = option_value_in(info, value)
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, int):
            if info.type == "int":
                if not -2**63 <= value < 2**63:
                    raise errors.InvalidArgument(
                        errors.E_INVALID, "option %s: %d is out of range %s to %s"
                        % (name, value, info.minimum, info.maximum))
                _ffi.lr_options_set_int(self._handle(), info.key, value)
            else:
                try:
                    number = float(value)
                except OverflowError:
                    number = math.inf  # refused by the library, naming the range
                _ffi.lr_options_set_double(self._handle(), info.key, number)
            return
        if isinstance(value, float) or hasattr(value, "__float__"):
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                number = math.nan
            if info.type == "int" and number.is_integer():
                _ffi.lr_options_set_int(self._handle(), info.key, int(number))
            else:
                # The library names the key and its range for a non-integral
                # value of an int option and for a non-finite one.
                _ffi.lr_options_set_double(self._handle(), info.key, number)
            return
        raise errors.InvalidArgument(
            errors.E_INVALID, "option %s: a number is required, got %r" % (name, value))


def make_options(values, progress=None):
    """An Options handle, or None (the library's NULL = defaults) when there
    is nothing to set: saves two calls on every hot-path use."""
    if not values and progress is None:
        return None
    return Options(values, progress)


def raw(opts):
    return None if opts is None else opts._handle()


# -------------------------------------------------------------------- progress

class Progress:
    """Carries a Python progress callable to C.

    ``c_fn`` is the C function pointer; it must stay referenced for as long
    as the library may call it, which the owner of this object guarantees by
    holding it.  The callable is called as ``fn(stage, done, total)``; a
    true result cancels the work.  ``fn=True`` draws tqdm bars, or plain
    text without tqdm (_progress.py).  An exception inside it cancels too, and is
    kept in ``error`` so the caller can re-raise it once the C call has
    returned (an exception cannot cross the C frames in between).
    """

    __slots__ = ("fn", "error", "c_fn", "__weakref__")

    def __init__(self, fn=None):
        self.fn = _progress.as_callback(fn)
        self.error = None
        # A closure over a weak reference: the C function object must not
        # keep its Progress in a reference cycle.
        ref = weakref.ref(self)

        def trampoline(stage, done, total, _user_data):
            # Everything inside the try: a KeyboardInterrupt can arrive at
            # any bytecode, even with no callable set, and an exception
            # escaping here would only be printed by ctypes and lost.  Caught,
            # it cancels the work, so Ctrl-C stops a fit at the next epoch.
            try:
                me = ref()
                if me is None or me.fn is None:
                    return 0
                if me.error is not None:
                    return 1
                return 1 if me.fn(decode(stage), done, total) else 0
            except BaseException as exc:
                me = ref()
                if me is not None and me.error is None:
                    me.error = exc
                return 1

        self.c_fn = _ffi.PROGRESS_FN(trampoline)

    def reraise(self, exc):
        """After a call failed with ``exc``: raise the callback's own
        exception if it had one, chained to the Cancelled it caused."""
        error, self.error = self.error, None
        if error is not None:
            raise error.with_traceback(error.__traceback__) from exc
        raise exc


def call_with_progress(progress, func, *args):
    """Call ``func`` and surface an exception raised inside the progress callback."""
    try:
        return func(*args)
    except errors.Cancelled as exc:
        if progress is None:
            raise
        progress.reraise(exc)
    finally:
        if progress is not None:
            progress.error = None
            _progress.close(progress.fn)
