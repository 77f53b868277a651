"""Type aliases of the binding's annotations (PEP 561: the package ships
``py.typed``).  Results that are numpy arrays when numpy is importable and
lists otherwise are typed ``ArrayOrList``: numpy is optional, so the
annotations cannot name its types."""

import os
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple, Union

# A file system path, as open() takes it.
PathLike = Union[str, bytes, os.PathLike]

# A progress callback: progress(stage, done, total); a true result cancels.
# True instead draws tqdm bars (or plain lines; see _progress.py).
ProgressFn = Union[Callable[[str, int, int], Optional[bool]], bool]

# An artist by ID or by name (the best match of the name).
ArtistRef = Union[int, str]

# Preferences of a new listener: {artist: listens} or (artist, listens) pairs.
Preferences = Union[Mapping[ArtistRef, float], Iterable[Tuple[ArtistRef, float]]]

# A library option's value: a number, or a name for enum-valued options.
OptionValue = Union[int, float, str]

# A numpy array when numpy is used (as_numpy), else a list (of lists).
ArrayOrList = Any

# One user or artist ID, or a batch of them (any iterable, a 1-D array).
IdOrIds = Any
