"""NumPy, when it is importable.  lastrec never requires it."""

try:
    import numpy
except ImportError:  # the binding is standard library only; numpy is a bonus
    numpy = None


def use_numpy(as_numpy):
    """Decide between numpy arrays and lists for a result.

    None: numpy when importable.  True: numpy or ImportError.  False: lists.
    """
    if as_numpy is None:
        return numpy is not None
    if as_numpy and numpy is None:
        raise ImportError("lastrec: as_numpy=True but numpy is not installed")
    return bool(as_numpy)
