"""Exceptions raised by the lastrec binding.

Every failing C call returns a negative ``LR_E_*`` status and leaves a
one-line, thread-local message in ``lr_last_error()``.  The binding turns the
pair into an instance of the subclass registered for that status, so callers
can catch a family (``except lastrec.InputError``) or everything
(``except lastrec.Error``), and still read the exact status and message.

The subclasses also derive from the closest built-in exception (ValueError,
LookupError, OSError, ...), so code that does not know lastrec still catches
them sensibly.
"""

from typing import Any, Optional, Tuple, Type

# The status values are pinned forever by the C header (enum lr_status), so
# they are safe to repeat here.
OK = 0
E_INVALID = -1
E_NOMEM = -2
E_IO = -3
E_NOTFOUND = -4
E_PARSE = -5
E_RANGE = -6
E_DUPLICATE = -7
E_ENCODING = -8
E_TOOLONG = -9
E_FORMAT = -10
E_CANCELLED = -11
E_NUMERIC = -12
E_UNSUPPORTED = -13
E_BUFSIZE = -14
E_EMPTY = -15
E_HEADER = -16
E_AMBIGUOUS = -17


class Error(Exception):
    """A lastrec call failed.

    Attributes:
        status: the negative ``LR_E_*`` status code (an int); ``code`` is
            the same number under another name.
        message: the library's description of this failure (``lr_last_error()``
            at the time, without the name of the C function it starts with),
            or the static text of the status when it left none.
        function: the C function that failed (``'lr_model_fit'``), or None
            when the binding itself raised the error.
    """

    status: int = 0
    function: Optional[str] = None
    message: str = ""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def code(self) -> int:
        """The status code: the same int as ``status``."""
        return self.status

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Pickling (multiprocessing) would otherwise call cls(message) alone.
        return (type(self), (self.status, self.message))


class InvalidArgument(Error, ValueError):
    """LR_E_INVALID: a bad argument, option name or option value."""


class NoMemory(Error, MemoryError):
    """LR_E_NOMEM: the library ran out of memory."""


class LastrecIOError(Error, OSError):
    """LR_E_IO: a file could not be opened, read or written."""

    def __init__(self, status: int, message: str) -> None:
        # OSError's constructor treats a second positional argument as
        # strerror; give it only the message.
        OSError.__init__(self, message)
        self.status = status
        self.message = message


class NotFound(Error, LookupError):
    """LR_E_NOTFOUND: an unknown user, artist, tag, option or algorithm."""


class InputError(Error, ValueError):
    """An input file's content is at fault; the message names file, line and field."""


class ParseError(InputError):
    """LR_E_PARSE: malformed text (field count, non-numeric field)."""


class RangeError(InputError):
    """LR_E_RANGE: a number out of range (negative, overflowing, zero count)."""


class DuplicateError(InputError):
    """LR_E_DUPLICATE: a row repeating an earlier one."""


class EncodingError(InputError):
    """LR_E_ENCODING: bytes that cannot be text (NUL)."""


class LineTooLong(InputError):
    """LR_E_TOOLONG: a line longer than the ``max_line`` option allows."""


class EmptyInput(InputError):
    """LR_E_EMPTY: an input file without any content."""


class HeaderError(InputError):
    """LR_E_HEADER: an input file's header line is missing or wrong."""


class FormatError(Error, ValueError):
    """LR_E_FORMAT: a binary file (snapshot, model) truncated, corrupt or of another version."""


class Cancelled(Error):
    """LR_E_CANCELLED: a progress callback asked to stop."""


class NumericError(Error, ArithmeticError):
    """LR_E_NUMERIC: non-finite values or a singular system; the message says what to change."""


class Unsupported(Error, NotImplementedError):
    """LR_E_UNSUPPORTED: the operation does not apply to this object (or library)."""


class BufferTooSmall(Error):
    """LR_E_BUFSIZE: a caller buffer was too small.  The binding sizes its
    buffers itself (it asks for the size first), so seeing this is a bug in
    the binding: please report it."""


class Ambiguous(Error, LookupError):
    """LR_E_AMBIGUOUS: a name matches several artists and none exactly.

    ``candidates`` lists them, best first, as ArtistMatch(id, name), when
    the call that failed could ask for them (query name lookups do).
    """

    candidates: Tuple[Any, ...] = ()


_BY_STATUS = {
    E_INVALID: InvalidArgument,
    E_NOMEM: NoMemory,
    E_IO: LastrecIOError,
    E_NOTFOUND: NotFound,
    E_PARSE: ParseError,
    E_RANGE: RangeError,
    E_DUPLICATE: DuplicateError,
    E_ENCODING: EncodingError,
    E_TOOLONG: LineTooLong,
    E_FORMAT: FormatError,
    E_CANCELLED: Cancelled,
    E_NUMERIC: NumericError,
    E_UNSUPPORTED: Unsupported,
    E_BUFSIZE: BufferTooSmall,
    E_EMPTY: EmptyInput,
    E_HEADER: HeaderError,
    E_AMBIGUOUS: Ambiguous,
}


def error_class(status: int) -> Type[Error]:
    """The exception class for a status; Error itself for codes this binding
    does not know (a newer library may add codes; they still raise)."""
    return _BY_STATUS.get(status, Error)


def make_error(status: int, message: str) -> Error:
    """The exception for a status and its message."""
    return error_class(status)(status, message)
