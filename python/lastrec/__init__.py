"""lastrec: artist recommendations from listening data, through ctypes.

A thin binding of liblastrec (the C library): standard library only, with
numpy used when it is importable.  See docs/python.md: a path in lastrec's
source tree, and under <datadir>/doc/lastrec where meson install puts the
documentation (by default /usr/local/share/doc/lastrec/docs/python.md).

    import lastrec
    ds = lastrec.Dataset.load("hetrec2011-lastfm-2k")
    train, test = ds.split()
    model = lastrec.Model("als", factors=64).fit(train)
    print(lastrec.evaluate(model, train, test, k=10))
"""

from . import _ffi
from ._base import OptionInfo, all_options as options
from .embed import ArtistNorms, PCAMap, TSNEMap
from .dataset import ArtistMatch, ArtistStats, Dataset, Tag, UserStats
from .errors import (Ambiguous, BufferTooSmall, Cancelled, DuplicateError, EmptyInput,
                     EncodingError, Error, FormatError, HeaderError, InputError,
                     InvalidArgument, LastrecIOError, LineTooLong, NoMemory, NotFound,
                     NumericError, ParseError, RangeError, Unsupported)
from .evaluation import Metrics, evaluate
from .model import Model, option_default
from .query import AllRecommendations, Because, BecauseTag, Query, Recommendation

# The binding's own version; its major must equal the C library's (checked
# when _ffi loads the library).
__version__ = "0.1.0"

library_path = _ffi.lib_where


def library_version() -> str:
    """The loaded C library's version string ("0.1.0")."""
    return _ffi.lr_version_string().decode()


def library_version_number() -> int:
    """The loaded C library's MAJOR*10000 + MINOR*100 + PATCH."""
    return _ffi.lr_version_number()


def build_info() -> str:
    """One line naming the library version, compiler and BLAS, for bug reports."""
    return _ffi.lr_build_info().decode()


def strerror(status: int) -> str:
    """The static description of a status code."""
    return _ffi.lr_strerror(status).decode()


__all__ = [
    "AllRecommendations", "Ambiguous", "ArtistMatch", "ArtistNorms", "ArtistStats", "Because",
    "BecauseTag",
    "BufferTooSmall", "Cancelled", "Dataset", "DuplicateError", "EmptyInput", "EncodingError",
    "Error", "FormatError", "HeaderError", "InputError", "InvalidArgument", "LastrecIOError",
    "LineTooLong", "Metrics", "Model", "NoMemory", "NotFound", "NumericError", "OptionInfo",
    "PCAMap", "ParseError", "Query", "RangeError", "Recommendation", "TSNEMap", "Tag",
    "Unsupported", "UserStats",
    "build_info", "evaluate", "library_path", "library_version", "library_version_number",
    "option_default", "options", "strerror",
]
