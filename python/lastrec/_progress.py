"""``progress=True``: the library's progress reports drawn by tqdm when it is
installed, or as a plain line on stderr when it is not.

tqdm is imported here, at the first ``progress=True``, never at
``import lastrec``: it is never required.  The library reports
``(stage, done, total)``; each stage ("read user_artists.dat", "epoch",
"evaluate", "tsne ...") gets a bar of its own, and a stage that starts
again (the next fit's epochs) a new one.  Reports may come from a worker
thread, never two at once (the library promises it).
SPDX-License-Identifier: MIT
"""

import sys
import time


def _tqdm_class():
    """tqdm.auto's class (a notebook widget in Jupyter, text elsewhere), or
    None when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class _Bars:
    """One bar at a time, keyed by stage; ``close()`` ends the last."""

    def __init__(self):
        self.stage = None
        self.done = 0

    def __call__(self, stage, done, total):
        if stage != self.stage or done < self.done:
            self.close()
            self.stage = stage
            self.done = 0
            self.start(stage, total)
        self.update(done, total)
        self.done = done
        if total and done >= total:
            self.close()
        return False

    def close(self):
        if self.stage is not None:
            self.finish()
            self.stage = None


class TqdmBars(_Bars):
    """Stages as tqdm bars; ``tqdm`` is the class to make them with."""

    def __init__(self, tqdm):
        super().__init__()
        self.tqdm = tqdm
        self.bar = None

    def start(self, stage, total):
        # The library's "read FILE" stages count bytes.
        unit = "B" if stage.startswith("read ") else "it"
        self.bar = self.tqdm(total=total or None, desc=stage, unit=unit,
                             unit_scale=unit == "B", leave=False)

    def update(self, done, total):
        if done > self.done:
            self.bar.update(done - self.done)

    def finish(self):
        self.bar.close()
        self.bar = None


class TextBars(_Bars):
    """Without tqdm: on a terminal one line redrawn with the stage, done of
    total, rate, elapsed and time left (at most ten times a second); in a
    log a line as each stage starts and then at most one every 5 s, like
    the ``lastrec`` tool's ``--progress``."""

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.t0 = self.last = 0.0
        self.drawn = False

    def start(self, stage, total):
        self.t0 = time.monotonic()
        self.last = -1e9

    def update(self, done, total):
        now = time.monotonic()
        end = bool(total) and done >= total
        first = self.last < self.t0
        if self.tty:
            show = first or end or now - self.last >= 0.1
        else:  # a short stage stays one line in a log
            show = first or now - self.last >= 5.0 or (end and now - self.last >= 1.0)
        if not show:
            return
        self.last = now
        elapsed = now - self.t0
        text = "%s: %d" % (self.stage, done) + ("/%d (%.0f%%)" % (total, 100.0 * done / total)
                                                 if total else "")
        if elapsed > 0.2 and done > 0:
            rate = done / elapsed
            text += ", %.3g/s" % rate
            if total and done < total:
                text += ", %s left" % _clock((total - done) / rate)
        text += ", %s elapsed" % _clock(elapsed)
        if self.tty:
            self.stream.write("\r\033[K" + text)
            self.drawn = True
        else:
            self.stream.write("lastrec: " + text + "\n")
        self.stream.flush()

    def finish(self):
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False


def _clock(seconds):
    s = int(seconds + 0.5)
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) if s >= 3600 else \
        "%d:%02d" % (s // 60, s % 60)


def as_callback(progress):
    """What a ``progress=`` argument means: None or False nothing, True a
    tqdm bar (or TextBars without tqdm), a callable itself."""
    if progress is None or progress is False:
        return None
    if progress is True:
        tqdm = _tqdm_class()
        return TqdmBars(tqdm) if tqdm is not None else TextBars()
    if not callable(progress):
        from . import errors
        raise errors.InvalidArgument(
            errors.E_INVALID, "progress must be a callable, True or None, got %r" % (progress,))
    return progress


def close(callback):
    """End the bar a ``progress=True`` left open (a cancelled or failed
    call stops before its stage's end)."""
    if isinstance(callback, _Bars):
        callback.close()
