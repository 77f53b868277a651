"""The tool's progress display (tools/lastrec/progress.c, docs/cli.md
"Progress"): on a terminal (a pseudo-terminal here) one redrawn line with
the stage, done/total, rate, elapsed and time left; in a pipe nothing, or
plain lines with --progress; nothing with --quiet; Ctrl-C stops the work
with exit 130 and leaves no output behind.

Run as `python3 test_progress_tool.py LASTREC TEST`.
SPDX-License-Identifier: MIT"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import harness
from harness import check, lastrec, main, run

# Large enough that synthesis takes a second or more (the bar redraws ten
# times a second), small enough for a loaded test machine.
BIG = ["--users", "100000", "--artists", "5000", "--seed", "3"]
COLUMNS = 100
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def on_pty(args, interrupt_after=None, timeout=240):
    """Run the tool with stderr on a pseudo-terminal COLUMNS wide (stdout a
    pipe).  With interrupt_after, send SIGINT once that text has appeared
    on the terminal.  Returns (status, stdout, terminal bytes as text)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
    p = subprocess.Popen([harness.TOOL, *args], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen, sent, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the tool closed the terminal
                chunk = b""
            if not chunk:
                break
            seen += chunk
        elif p.poll() is not None:
            break
        if interrupt_after and not sent and interrupt_after.encode() in seen:
            p.send_signal(signal.SIGINT)
            sent = True
    else:
        p.kill()
    out = p.stdout.read().decode("utf-8", "replace")
    status = p.wait()
    os.close(master)
    check(not interrupt_after or sent, f"never saw {interrupt_after!r}:\n{seen[-2000:]!r}")
    return status, out, seen.decode("utf-8", "replace")


def redraws(term):
    """The lines drawn over one another: the text between erase-line
    sequences."""
    return [part.strip("\r\n") for part in term.split("\r\033[K") if part.strip("\r\n")]


def test_bar(tmp):
    """A terminal sees the bar redrawn, with rate and time left, never
    wider than the terminal, and erased at the end."""
    status, out, term = on_pty(["synth", os.path.join(tmp, "s"), *BIG])
    check(status == 0, f"synth on a terminal: exit {status}\n{term[-2000:]!r}")
    check("100,000 users" in out, f"stdout: {out}")
    lines = redraws(term)
    listens = [x for x in lines if x.startswith("synthesize listens ")]
    check(len(listens) >= 3, f"the listens stage drew {len(listens)} times: {lines}")
    # stage done/total [bar] percent rate elapsed, time left
    full = re.compile(r"^synthesize listens \d+(\.\d+)?k/100k \[[#.]+\] +\d+% "
                      r"\S+/s \d+:\d\d elapsed, \d+:\d\d left$")
    check(any(full.match(x) for x in listens),
          f"no redraw with done/total, bar, rate, elapsed and time left: {listens}")
    check(all(len(x) < COLUMNS for x in lines), f"a line wider than the terminal: {lines}")
    check(any(x.startswith("write HetRec files") for x in lines), f"no write step: {lines}")
    check(term.endswith("\r\033[K"), f"the bar is not erased at the end: {term[-200:]!r}")


def test_pipe(tmp):
    """A pipe gets nothing (as before the bar existed); --progress gives
    plain lines without a control character."""
    _, err = lastrec("synth", os.path.join(tmp, "a"), *BIG)
    check(err == "", f"synth in a pipe wrote to stderr: {err!r}")
    data = os.path.join(tmp, "a")
    model = os.path.join(tmp, "m.lrmodel")
    _, err = lastrec("train", data, "--algo", "als", "--epochs", "2", "--factors", "4",
                     "-o", model)
    check(err == "", f"train in a pipe wrote to stderr: {err!r}")
    _, err = lastrec("synth", os.path.join(tmp, "b"), *BIG, "--progress")
    check(not CONTROL.search(err), f"control characters in a pipe: {err!r}")
    lines = err.splitlines()
    check(any(x.startswith("lastrec: synthesize listens: 0/100k (0%)") for x in lines),
          f"no line as the stage starts: {lines}")
    check(any(x.startswith("lastrec: write HetRec files: ") for x in lines), f"{lines}")
    check(len(lines) < 40, f"--progress is noisy: {len(lines)} lines")
    # train -v keeps its line per epoch
    _, err = lastrec("train", data, "--algo", "als", "--epochs", "2", "--factors", "4",
                     "-o", model, "-v")
    check(re.search(r"^als: epoch 2/2 \(\d+\.\d\d s\)$", err, re.M), f"train -v: {err!r}")


def test_quiet(tmp):
    """--quiet (and -q, on any command) draws nothing, even on a terminal."""
    for i, flag in enumerate(("--quiet", "-q")):
        status, out, term = on_pty(["synth", os.path.join(tmp, f"q{i}"), *BIG, flag])
        check(status == 0 and "100,000 users" in out, f"synth {flag}: exit {status} {out}")
        check(term == "", f"synth {flag} wrote to the terminal: {term[:500]!r}")
    data = os.path.join(tmp, "q0")
    status, out, term = on_pty(["train", data, "--algo", "als", "--epochs", "2",
                                "--factors", "4", "-o", os.path.join(tmp, "m.lrmodel"), "-q"])
    check(status == 0 and term == "", f"train -q: exit {status}, terminal {term[:500]!r}")
    # report keeps a step log in a pipe; --quiet silences it too
    model = os.path.join(tmp, "m.lrmodel")
    page = os.path.join(tmp, "r.html")
    _, err = lastrec("report", data, "--model", model, "--holdout", "0.2", "--map", "none",
                     "-o", page)
    check("lastrec report: done" in err, f"report's step log: {err!r}")
    _, err = lastrec("report", data, "--model", model, "--holdout", "0.2", "--map", "none",
                     "-o", page, "--quiet")
    check(err == "", f"report --quiet wrote to stderr: {err!r}")
    out, _ = lastrec("info", "--help")
    check("--quiet" in out and "--progress" in out, f"info --help lacks them:\n{out}")


def test_interrupt(tmp):
    """Ctrl-C stops the work at its next report: exit 130, 'interrupted',
    and no output file or directory."""
    target = os.path.join(tmp, "synth")
    status, out, term = on_pty(["synth", target, *BIG], interrupt_after="synthesize listens")
    check(status == 130, f"synth after Ctrl-C: exit {status}\n{term[-1000:]!r}")
    check("lastrec: interrupted" in term, f"no 'interrupted': {term[-1000:]!r}")
    check(out == "", f"stdout after Ctrl-C: {out!r}")
    check(not os.path.exists(target), f"{target} exists: {os.listdir(tmp)}")
    # a fit stopped between epochs leaves no model file
    data = os.path.join(tmp, "data")
    lastrec("synth", data, "--users", "3000", "--artists", "3000")
    model = os.path.join(tmp, "m.lrmodel")
    status, out, term = on_pty(["train", data, "--algo", "als", "--epochs", "100000",
                                "--factors", "8", "-o", model], interrupt_after="als: epoch")
    check(status == 130, f"train after Ctrl-C: exit {status}\n{term[-1000:]!r}")
    check(os.listdir(tmp) == ["data"], f"left behind: {os.listdir(tmp)}")
    # with --quiet too: the display is off, the cancel is not
    p = subprocess.Popen([harness.TOOL, "train", data, "--algo", "als", "--epochs", "100000",
                          "--factors", "8", "-o", model, "--quiet"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    time.sleep(2)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    check(p.returncode == 130, f"train --quiet after Ctrl-C: exit {p.returncode} {err!r}")
    check(os.listdir(tmp) == ["data"], f"left behind: {os.listdir(tmp)}")


TESTS = {
    "progress-bar": test_bar,
    "progress-pipe": test_pipe,
    "progress-quiet": test_quiet,
    "progress-interrupt": test_interrupt,
}

if __name__ == "__main__":
    sys.exit(main(TESTS, "lastrec-progress-"))
