"""The C functions, declared once.

Every function liblastrec exports that the binding uses goes through
``ffi(name, argtypes, restype, errcheck)`` below, so its argument types,
result type and error check sit in one table that can be read against
include/lastrec/lastrec.h line by line.  After import, each declared function
is a module attribute of the same name (``_ffi.lr_dataset_load``).

Status-returning functions get ``_check``: a negative status becomes the
matching lastrec.Error subclass carrying ``lr_last_error()``.  That message is
thread-local and the next lastrec call on the thread may replace it, so it is
read inside errcheck, which ctypes runs on the calling thread right after the
call and before anything else can touch the library.

ctypes releases the GIL for the duration of every call into the library, so
long calls (loading, fitting, evaluating) let other Python threads run.
"""

import ctypes
import re
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_double,
                    c_float, c_int, c_int32, c_int64, c_size_t, c_uint,
                    c_uint64, c_void_p)

from . import _lib
from . import errors

lib, lib_where = _lib.load_library()


# Opaque handle types: distinct pointer types make ctypes refuse a dataset
# where a model is expected instead of passing it to C.
class Options(Structure):
    pass


class Dataset(Structure):
    pass


class Model(Structure):
    pass


class Evaluation(Structure):
    pass


class Map(Structure):
    pass


OptionsP = POINTER(Options)
DatasetP = POINTER(Dataset)
ModelP = POINTER(Model)
EvaluationP = POINTER(Evaluation)
MapP = POINTER(Map)
# A query handle is the one passed on every call of the hot path (about
# twenty per recommendation), and ctypes checks a typed pointer argument in
# Python-visible machinery that costs several times a plain c_void_p taking
# an int.  Only the binding's _Core ever holds one, so the type check buys
# nothing there.
QueryP = c_void_p

PROGRESS_FN = CFUNCTYPE(c_int, c_char_p, c_uint64, c_uint64, c_void_p)
LOG_FN = CFUNCTYPE(None, c_int, c_char_p, c_void_p)


def _buffer(ctype, typestr):
    """An argument type for a caller-allocated array of ``ctype``.

    It accepts None (NULL, for a size query), ctypes arrays and pointers of
    ``ctype``, and C-contiguous, writable numpy arrays of the same element type
    (checked through ``__array_interface__``, as numpy.ctypeslib.ndpointer
    would, but without importing numpy, which is optional).
    """
    base = POINTER(ctype)

    class Buffer:
        @classmethod
        def from_param(cls, obj):
            if obj is None:
                return None
            if isinstance(obj, ctypes.Array) and obj._type_ is ctype:
                return obj
            if isinstance(obj, base):
                return obj
            iface = getattr(obj, "__array_interface__", None)
            if iface is not None:
                data, readonly = iface["data"]
                if iface["typestr"] != typestr:
                    raise TypeError("array of %s expected, got %s" % (typestr, iface["typestr"]))
                if iface.get("strides") is not None:
                    raise TypeError("a C-contiguous array is required")
                if readonly:
                    raise TypeError("a writable array is required")
                return c_void_p(data)
            raise TypeError("%s buffer expected, got %s" % (ctype.__name__, type(obj).__name__))

    Buffer.__name__ = "%s_buffer" % ctype.__name__
    return Buffer


I32Buf = _buffer(c_int32, "<i4")
I64Buf = _buffer(c_int64, "<i8")
F32Buf = _buffer(c_float, "<f4")
F64Buf = _buffer(c_double, "<f8")


def last_error():
    """This thread's last error message, decoded."""
    raw = lib.lr_last_error()
    return raw.decode("utf-8", "replace") if raw else ""


# The C messages start with the C function that failed ("lr_model_fit: the
# model is already fitted"), which means nothing to a Python caller whose
# traceback already shows the Python call.  The prefix is dropped and kept
# as the exception's ``function`` attribute.
_C_PREFIX = re.compile(r"^(lr_[a-z0-9_]+): ")


def natural(message):
    """(message without its leading C function name, that name or None)."""
    m = _C_PREFIX.match(message)
    if m is None:
        return message, None
    return message[m.end():], m.group(1)


def error_for(status, func=None):
    """The exception for a status just returned on this thread by ``func``
    (a C function, or None)."""
    message, function = natural(last_error())
    if not message:
        raw = lib.lr_strerror(status)
        message = raw.decode("utf-8", "replace") if raw else "status %d" % status
    exc = errors.make_error(status, message)
    exc.function = function or getattr(func, "__name__", None)
    return exc


def _check(result, func, args):
    if result < 0:
        raise error_for(result, func)
    return result


def _check_size(result, func, args):
    # LR_E_BUFSIZE is the expected answer to a size query (capacity 0); the
    # callers look at *needed and ask again.
    if result < 0 and result != errors.E_BUFSIZE:
        raise error_for(result, func)
    return result


class _Missing:
    """Stands in for a symbol an older 1.x library does not export, so the
    binding still imports and fails only when that feature is used."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *args):
        raise errors.Unsupported(
            errors.E_UNSUPPORTED,
            "%s is not available in the loaded liblastrec (%s, version %s)"
            % (self.__name__, lib_where, lib.lr_version_string().decode()))


def ffi(name, argtypes, restype, errcheck=None):
    try:
        func = getattr(lib, name)
    except AttributeError:
        func = _Missing(name)
    else:
        func.argtypes = argtypes
        func.restype = restype
        if errcheck is not None:
            func.errcheck = errcheck
    globals()[name] = func
    return func


def available(name):
    return not isinstance(globals().get(name), _Missing)


_size = c_size_t
_sizep = POINTER(c_size_t)

# --- version and errors
ffi("lr_version_number", [], c_uint)
ffi("lr_version_string", [], c_char_p)
ffi("lr_build_info", [], c_char_p)
ffi("lr_strerror", [c_int], c_char_p)
ffi("lr_last_error", [], c_char_p)
ffi("lr_clear_error", [], None)
# lr_free is reserved in C (no call hands out memory to free) and unused here.
ffi("lr_set_log_handler", [LOG_FN, c_int, c_void_p], None)

# --- options
ffi("lr_options_new", [POINTER(OptionsP)], c_int, _check)
ffi("lr_options_copy", [POINTER(OptionsP), OptionsP], c_int, _check)
ffi("lr_options_free", [OptionsP], None)
ffi("lr_options_set_int", [OptionsP, c_int, c_int64], c_int, _check)
ffi("lr_options_set_double", [OptionsP, c_int, c_double], c_int, _check)
ffi("lr_options_get_int", [OptionsP, c_int, POINTER(c_int64)], c_int, _check)
ffi("lr_options_get_double", [OptionsP, c_int, POINTER(c_double)], c_int, _check)
ffi("lr_options_set_string", [OptionsP, c_char_p], c_int, _check)
ffi("lr_option_info", [c_int, POINTER(c_char_p), POINTER(c_int), POINTER(c_double),
                       POINTER(c_double), POINTER(c_double)], c_int, _check)
ffi("lr_option_lookup", [c_char_p, POINTER(c_int)], c_int, _check)
ffi("lr_option_key_at", [c_size_t], c_int)
ffi("lr_option_value_name", [c_int, c_int64], c_char_p)
ffi("lr_option_value_lookup", [c_int, c_char_p, POINTER(c_int64)], c_int, _check)
ffi("lr_option_default", [c_int, c_int, POINTER(c_double)], c_int, _check)
ffi("lr_options_set_progress", [OptionsP, PROGRESS_FN, c_void_p], None)

# --- datasets
ffi("lr_dataset_load", [POINTER(DatasetP), c_char_p, OptionsP], c_int, _check)
ffi("lr_dataset_load_listens", [POINTER(DatasetP), c_char_p, DatasetP, OptionsP], c_int, _check)
ffi("lr_dataset_load_split", [POINTER(DatasetP), POINTER(DatasetP), c_char_p, c_char_p, DatasetP,
                             OptionsP], c_int, _check)
ffi("lr_dataset_free", [DatasetP], None)
ffi("lr_dataset_save", [DatasetP, c_char_p], c_int, _check)
ffi("lr_dataset_synthesize", [POINTER(DatasetP), OptionsP], c_int, _check)
ffi("lr_dataset_write_hetrec", [DatasetP, c_char_p], c_int, _check)
ffi("lr_dataset_write_lastfm360k", [DatasetP, c_char_p, OptionsP], c_int, _check)
ffi("lr_dataset_user_key", [DatasetP, c_int32], c_char_p)
ffi("lr_dataset_find_user_key", [DatasetP, c_char_p, POINTER(c_int32)], c_int, _check)
ffi("lr_dataset_count", [DatasetP, c_int], c_int64)
ffi("lr_dataset_ids", [DatasetP, c_int, I32Buf, _size, _sizep], c_int, _check_size)
ffi("lr_dataset_artist_name", [DatasetP, c_int32], c_char_p)
ffi("lr_dataset_tag_name", [DatasetP, c_int32], c_char_p)
ffi("lr_dataset_find_artist", [DatasetP, c_char_p, I32Buf, _size, _sizep], c_int, _check)
ffi("lr_dataset_artist_stat", [DatasetP, c_int32, c_int, POINTER(c_double)], c_int, _check)
ffi("lr_dataset_user_stat", [DatasetP, c_int32, c_int, POINTER(c_double)], c_int, _check)
ffi("lr_dataset_artist_tags", [DatasetP, c_int32, I32Buf, I64Buf, _size, _sizep], c_int, _check)
ffi("lr_dataset_user_artist_tags", [DatasetP, c_int32, c_int32, I32Buf, _size, _sizep],
    c_int, _check_size)
ffi("lr_dataset_user_listens", [DatasetP, c_int32, I32Buf, F32Buf, _size, _sizep],
    c_int, _check_size)
ffi("lr_dataset_user_friends", [DatasetP, c_int32, I32Buf, _size, _sizep], c_int, _check_size)
ffi("lr_dataset_user_overlap", [DatasetP, c_int32, c_int32, c_int, POINTER(c_double)],
    c_int, _check)
ffi("lr_dataset_distribution", [DatasetP, c_int, F64Buf, _size, _sizep], c_int, _check_size)
ffi("lr_dataset_split", [DatasetP, c_int, OptionsP, POINTER(DatasetP), POINTER(DatasetP)],
    c_int, _check)

# --- datasets from memory (Dataset.from_listens).  The element arrays are
# c_void_p: dataset.py passes the address of a numpy array it has checked
# (dtype, C order; read-only ones too, which the output buffers above refuse)
# or of a ctypes array it filled.
class DatasetBuilder(Structure):
    pass


DatasetBuilderP = POINTER(DatasetBuilder)
ffi("lr_dataset_builder_new", [POINTER(DatasetBuilderP), OptionsP], c_int, _check)
ffi("lr_dataset_builder_add_listens", [DatasetBuilderP, c_void_p, c_void_p, c_void_p, _size],
    c_int, _check)
ffi("lr_dataset_builder_set_artist_name", [DatasetBuilderP, c_int32, c_char_p], c_int, _check)
ffi("lr_dataset_builder_set_tag_name", [DatasetBuilderP, c_int32, c_char_p], c_int, _check)
ffi("lr_dataset_builder_add_tag_uses", [DatasetBuilderP, c_void_p, c_void_p, c_void_p, c_void_p,
                                        _size], c_int, _check)
ffi("lr_dataset_builder_add_tag_uses_by_name", [DatasetBuilderP, c_void_p, c_void_p, c_void_p,
                                                c_void_p, _size], c_int, _check)
ffi("lr_dataset_builder_add_friends", [DatasetBuilderP, c_void_p, c_void_p, _size], c_int,
    _check)
ffi("lr_dataset_builder_finish", [DatasetBuilderP, POINTER(DatasetP)], c_int, _check)
ffi("lr_dataset_builder_free", [DatasetBuilderP], None)

# --- models
ffi("lr_algorithm_name", [c_int], c_char_p)
ffi("lr_algorithm_lookup", [c_char_p, POINTER(c_int)], c_int, _check)
ffi("lr_model_new", [POINTER(ModelP), c_int, OptionsP], c_int, _check)
ffi("lr_model_fit", [ModelP, DatasetP, DatasetP], c_int, _check)
ffi("lr_model_free", [ModelP], None)
ffi("lr_model_set_progress", [ModelP, PROGRESS_FN, c_void_p], None)
ffi("lr_model_algorithm", [ModelP], c_int)
ffi("lr_model_is_fitted", [ModelP], c_int)
ffi("lr_model_option", [ModelP, c_int, POINTER(c_double)], c_int, _check)
ffi("lr_model_embeddings", [ModelP, c_int, POINTER(POINTER(c_float)), _sizep, _sizep],
    c_int, _check)
ffi("lr_model_ids", [ModelP, c_int, I32Buf, _size, _sizep], c_int, _check_size)
ffi("lr_model_history", [ModelP, c_int, F64Buf, _size, _sizep], c_int, _check_size)
ffi("lr_model_save", [ModelP, c_char_p], c_int, _check)
ffi("lr_model_load", [POINTER(ModelP), c_char_p], c_int, _check)
ffi("lr_model_export", [ModelP, c_char_p, OptionsP], c_int, _check)  # since 1.5

# --- evaluation
ffi("lr_evaluate", [POINTER(EvaluationP), ModelP, DatasetP, DatasetP, c_int, OptionsP],
    c_int, _check)
ffi("lr_evaluation_metric", [EvaluationP, c_int], c_double)
ffi("lr_evaluation_user_metric", [EvaluationP, c_int, F64Buf, _size, _sizep],
    c_int, _check_size)
ffi("lr_evaluation_users", [EvaluationP, I32Buf, _size, _sizep], c_int, _check_size)
ffi("lr_evaluation_free", [EvaluationP], None)

# --- maps of artist vectors (1.3)
ffi("lr_model_artist_norms", [ModelP, F64Buf, I64Buf, F64Buf, _size, _sizep], c_int,
    _check_size)
ffi("lr_model_norm_stat", [ModelP, c_int, POINTER(c_double)], c_int, _check)
ffi("lr_model_artist_name", [ModelP, c_int32], c_char_p)
ffi("lr_model_artist_top_tag", [ModelP, c_int32], c_char_p)
ffi("lr_model_pca", [POINTER(MapP), ModelP, c_int, OptionsP], c_int, _check)
ffi("lr_model_tsne", [POINTER(MapP), ModelP, OptionsP], c_int, _check)
ffi("lr_map_free", [MapP], None)
ffi("lr_map_stat", [MapP, c_int], c_double)
ffi("lr_map_ids", [MapP, I32Buf, _size, _sizep], c_int, _check_size)
ffi("lr_map_coords", [MapP, F64Buf, _size, _sizep], c_int, _check_size)
ffi("lr_map_variance", [MapP, F64Buf, F64Buf, _size, _sizep], c_int, _check_size)

# --- queries
ffi("lr_query_new", [POINTER(QueryP), ModelP], c_int, _check)
ffi("lr_query_free", [QueryP], None)
ffi("lr_query_set_int", [QueryP, c_int, c_int64], c_int, _check)
ffi("lr_query_get_int", [QueryP, c_int, POINTER(c_int64)], c_int, _check)
ffi("lr_query_set_filter", [QueryP, c_int, I32Buf, _size], c_int, _check)
ffi("lr_query_set_tag", [QueryP, c_char_p], c_int, _check)
ffi("lr_query_find_artist", [QueryP, c_char_p, POINTER(c_int32)], c_int, _check)
ffi("lr_query_candidates", [QueryP, I32Buf, _size, _sizep], c_int, _check)
ffi("lr_query_artist_name", [QueryP, c_int32], c_char_p)
ffi("lr_query_add_preference", [QueryP, c_int32, c_double], c_int, _check)
ffi("lr_query_add_preference_name", [QueryP, c_char_p, c_double, POINTER(c_int32)],
    c_int, _check)
ffi("lr_query_clear_preferences", [QueryP], None)
ffi("lr_query_preferences", [QueryP, I32Buf, F64Buf, _size, _sizep], c_int, _check_size)
ffi("lr_query_recommend_user", [QueryP, c_int32, _sizep], c_int, _check)
ffi("lr_query_recommend_preferences", [QueryP, _sizep], c_int, _check)
ffi("lr_query_similar", [QueryP, c_int32, _sizep], c_int, _check)
ffi("lr_query_similar_name", [QueryP, c_char_p, POINTER(c_int32), _sizep], c_int, _check)
ffi("lr_query_result_count", [QueryP], c_size_t)
ffi("lr_query_result", [QueryP, c_size_t, POINTER(c_int32), POINTER(c_double)], c_int, _check)
ffi("lr_query_result_name", [QueryP, c_size_t], c_char_p)
ffi("lr_query_result_top_tag", [QueryP, c_size_t], c_char_p)
ffi("lr_query_result_fans", [QueryP, c_size_t], c_int64)
# Per-result calls run ten times per recommendation: plain pointer argument
# types keep their conversion in C (the buffers are the query's own ctypes
# arrays, never numpy).
ffi("lr_query_result_tags", [QueryP, c_size_t, POINTER(c_char_p), POINTER(c_int64), _size,
                             _sizep], c_int, _check)
ffi("lr_query_result_explanation", [QueryP, c_size_t, POINTER(c_int32), POINTER(c_double),
                                    _size, _sizep], c_int, _check)
ffi("lr_query_result_tag_explanation", [QueryP, c_size_t, POINTER(c_char_p), POINTER(c_double),
                                        _size, _sizep], c_int, _check)
ffi("lr_query_results", [QueryP, POINTER(c_int32), POINTER(c_double), POINTER(c_size_t),
                         POINTER(c_int32), POINTER(c_double), _size, _size, _sizep],
    c_int, _check)
ffi("lr_query_recommend_all", [QueryP, OptionsP, I32Buf, F32Buf, _size, _sizep],
    c_int, _check_size)


def fast(name, restype):
    """The same C function bound a second time with its result type only.

    For the accessor every query's results go through (the budget is
    50 µs of Python per recommendation, and argtypes plus errcheck cost
    ctypes a Python-level conversion per argument and a Python call per
    invocation).  Without argtypes ctypes passes each argument as what it
    is, so callers must pass only ctypes instances of the types declared in
    the table above (c_void_p, c_size_t, arrays, byref) and check the status
    themselves; _Core.results() does both.
    """
    if not available(name):
        return globals()[name]
    func = lib._FuncPtr((name, lib))
    func.restype = restype
    return func


lr_query_results_fast = fast("lr_query_results", c_int)


def fetch(func, ctype, *args):
    """Call a ``(..., out, capacity, &needed)`` function twice, the M4 way:
    once to learn the size, once into a buffer of that size."""
    needed = c_size_t(0)
    func(*args, None, 0, byref(needed))
    n = needed.value
    buf = (ctype * n)()
    if n:
        func(*args, buf, n, byref(needed))
    return buf


def fetch_into(func, make, *args):
    """As fetch(), into a buffer made by ``make(n)`` (a numpy array, say)."""
    needed = c_size_t(0)
    func(*args, None, 0, byref(needed))
    n = needed.value
    buf = make(n)
    if n:
        func(*args, buf, n, byref(needed))
    return buf
