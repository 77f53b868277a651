#!/usr/bin/env python3
"""Every enum-valued option takes its values' names, everywhere.

usage: check_option_names.py HEADER LIBRARY LASTREC_TOOL

An option is enum-valued when the public header says so: its comment in
enum lr_option reads "an lr_<enum>", or an enum's comment reads "... for
LR_OPT_<KEY>".  Walking every key the library has (lr_option_key_at), each
enum-valued one must:

- give every enumerator of its enum a name (lr_option_value_name), and the
  name must come back to the value (lr_option_value_lookup, case ignored)
  and again to the name;
- have bounds (lr_option_info) that are exactly its enum's values;
- take the name in lr_options_set_string, and a bad name must fail with a
  message listing every valid one;
- show the names in `lastrec help options`;
- take the name as a Python keyword argument and give it back by name
  (lastrec.Model(...).options()).

An option with names that the header does not tie to an enum fails too.
Then the check runs against the header with one made-up enum option added:
it must fail and name it, so a new enum option without names cannot pass.

Exit 0 pass, 1 fail.
"""
import ctypes
import re
import subprocess
import sys

LR_OK = 0
OPTTYPE_INT = 1


def enum_bodies(header):
    """{enum name: (its doc comment, its body)} of the header."""
    out = {}
    for m in re.finditer(r"(/\*\*(?:(?!\*/).)*\*/)?\s*enum\s+(lr_\w+)\s*\{(.*?)\};", header, re.S):
        out[m.group(2)] = (m.group(1) or "", m.group(3))
    return out


def enumerators(body):
    """[(NAME, value, comment)] of an enum body with explicit values."""
    return [(m.group(1), int(m.group(2), 0), m.group(3) or "")
            for m in re.finditer(r"(LR_\w+)\s*=\s*(-?\w+)\s*,?\s*(?:/\*\*<(.*?)\*/)?", body, re.S)]


def enum_options(header):
    """{option key: (LR_OPT_ name, enum name)} of the enum-valued options the
    header declares, and a list of problems with the declarations."""
    enums = enum_bodies(header)
    options = enumerators(enums["lr_option"][1])
    by_name = {name: value for name, value, _ in options}
    out, problems = {}, []
    for name, value, comment in options:
        m = re.search(r"\ban (lr_\w+)\b", comment)
        if m:
            out[value] = (name, m.group(1))
    for enum, (doc, _) in enums.items():
        for key_name in re.findall(r"\bfor (LR_OPT_\w+)", doc):
            if key_name not in by_name:
                problems.append(f"enum {enum} is for {key_name}, which enum lr_option lacks")
            elif by_name[key_name] in out and out[by_name[key_name]][1] != enum:
                problems.append(f"{key_name} is documented as an {out[by_name[key_name]][1]} "
                                f"but enum {enum} says it is for it")
            else:
                out[by_name[key_name]] = (key_name, enum)
    for key, (key_name, enum) in out.items():
        if enum not in enums:
            problems.append(f"{key_name} takes an {enum}, which the header does not declare")
    return out, enums, problems


class Library:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.lr_option_key_at.argtypes = [ctypes.c_size_t]
        lib.lr_option_key_at.restype = ctypes.c_int
        lib.lr_option_info.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                                       ctypes.POINTER(ctypes.c_int)] + \
            [ctypes.POINTER(ctypes.c_double)] * 3
        lib.lr_option_value_name.argtypes = [ctypes.c_int, ctypes.c_int64]
        lib.lr_option_value_name.restype = ctypes.c_char_p
        lib.lr_option_value_lookup.argtypes = [ctypes.c_int, ctypes.c_char_p,
                                               ctypes.POINTER(ctypes.c_int64)]
        lib.lr_options_new.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.lr_options_free.argtypes = [ctypes.c_void_p]
        lib.lr_options_set_string.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.lr_options_get_int.argtypes = [ctypes.c_void_p, ctypes.c_int,
                                           ctypes.POINTER(ctypes.c_int64)]
        lib.lr_last_error.restype = ctypes.c_char_p
        self.lib = lib

    def keys(self):
        out, i = [], 0
        while True:
            key = self.lib.lr_option_key_at(i)
            if key == 0:
                return out
            out.append(key)
            i += 1

    def info(self, key):
        name, typ = ctypes.c_char_p(), ctypes.c_int()
        lo, hi, default = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        rc = self.lib.lr_option_info(key, name, typ, lo, hi, default)
        assert rc == LR_OK, key
        return name.value.decode(), typ.value, lo.value, hi.value

    def value_name(self, key, value):
        name = self.lib.lr_option_value_name(key, value)
        return name.decode() if name is not None else None

    def lookup(self, key, name):
        value = ctypes.c_int64(-999)
        rc = self.lib.lr_option_value_lookup(key, name.encode(), ctypes.byref(value))
        return rc, value.value, self.lib.lr_last_error().decode()

    def set_string(self, text, key):
        """(status, value read back, message) of lr_options_set_string."""
        opts = ctypes.c_void_p()
        assert self.lib.lr_options_new(ctypes.byref(opts)) == LR_OK
        try:
            rc = self.lib.lr_options_set_string(opts, text.encode())
            msg = self.lib.lr_last_error().decode() if rc else ""
            value = ctypes.c_int64(-999)
            self.lib.lr_options_get_int(opts, key, ctypes.byref(value))
            return rc, value.value, msg
        finally:
            self.lib.lr_options_free(opts)


def named_values(lib, key):
    """{value: name} the library gives an int option over its bounds."""
    name, typ, lo, hi = lib.info(key)
    if typ != OPTTYPE_INT or hi - lo > 4096:
        return {}
    return {v: n for v in range(int(lo), int(hi) + 1)
            if (n := lib.value_name(key, v)) is not None}


def check_library(header, lib):
    """Problems of the library against the header's enum-valued options."""
    declared, enums, problems = enum_options(header)
    keys = lib.keys()
    for key, (key_name, enum) in sorted(declared.items()):
        if key not in keys:
            problems.append(f"{key_name} ({key}) takes an {enum} but the library has no such key")
            continue
        if enum not in enums:
            continue
        name, _, lo, hi = lib.info(key)
        values = enumerators(enums[enum][1])
        if not values:
            problems.append(f"enum {enum} has no enumerators with values")
            continue
        want = sorted(v for _, v, _ in values)
        if (lo, hi) != (want[0], want[-1]):
            problems.append(f"option '{name}': bounds [{lo:g}, {hi:g}] are not {enum}'s "
                            f"values {want[0]} to {want[-1]}")
        names = {}
        for enumerator, value, _ in values:
            text = lib.value_name(key, value)
            if text is None:
                problems.append(f"option '{name}' ({key_name}): {enumerator} = {value} has no "
                                f"name (lr_option_value_name; lib/core/options.c's choices)")
                continue
            names[value] = text
            for spelling in (text, text.upper()):
                rc, back, msg = lib.lookup(key, spelling)
                if rc != LR_OK or back != value:
                    problems.append(f"option '{name}': lookup of '{spelling}' gave status {rc}, "
                                    f"value {back}, not {value} ({msg})")
            if lib.value_name(key, value) != text:
                problems.append(f"option '{name}': {value} -> '{text}' -> {value} -> "
                                f"'{lib.value_name(key, value)}'")
            rc, back, msg = lib.set_string(f"{name}={text}", key)
            if rc != LR_OK or back != value:
                problems.append(f"lr_options_set_string('{name}={text}'): status {rc}, "
                                f"value {back} ({msg})")
        if names:
            rc, _, msg = lib.set_string(f"{name}=no-such-name", key)
            missing = [n for n in names.values() if n not in msg]
            if rc == LR_OK or missing:
                problems.append(f"lr_options_set_string('{name}=no-such-name'): status {rc}, "
                                f"message '{msg}' does not list {missing}")
            rc, _, msg = lib.lookup(key, "no-such-name")
            missing = [n for n in names.values() if n not in msg]
            if rc == LR_OK or missing:
                problems.append(f"lr_option_value_lookup('{name}', 'no-such-name'): status "
                                f"{rc}, message '{msg}' does not list {missing}")
    # The reverse: names for an option the header does not tie to an enum.
    for key in keys:
        if key not in declared and named_values(lib, key):
            problems.append(f"option '{lib.info(key)[0]}' ({key}) has value names but the header "
                            "names no enum for it (\"an lr_<enum>\" in its comment)")
    return problems


def check_tool(lib, declared, tool):
    """`lastrec help options` shows every name of every enum-valued option."""
    out = subprocess.run([tool, "help", "options"], capture_output=True, text=True)
    if out.returncode != 0:
        return [f"lastrec help options: exit {out.returncode}: {out.stderr}"]
    problems = []
    for key in sorted(declared):
        name = lib.info(key)[0]
        lines = [l for l in out.stdout.splitlines() if l.split()[:1] == [name]]
        shown = " ".join(lines)
        for value, text in named_values(lib, key).items():
            if f"{value} {text}" not in shown:
                problems.append(f"lastrec help options: no '{value} {text}' on the lines of "
                                f"'{name}': {lines}")
    return problems


def check_python(lib, declared):
    """Python keyword arguments take the names and give them back."""
    try:
        import lastrec
    except ImportError as exc:
        return [f"the Python binding does not import: {exc}"]
    problems = []
    for key in sorted(declared):
        name = lib.info(key)[0]
        for value, text in named_values(lib, key).items():
            try:
                got = lastrec.Model("mf", **{name: text}).options()[name]
            except lastrec.Error as exc:
                problems.append(f"lastrec.Model('mf', {name}={text!r}): {exc}")
                continue
            if got != text:
                problems.append(f"lastrec.Model('mf', {name}={text!r}).options()[{name!r}] "
                                f"is {got!r}")
        try:
            lastrec.Model("mf", **{name: "no-such-name"})
            problems.append(f"lastrec.Model('mf', {name}='no-such-name') was accepted")
        except lastrec.Error as exc:
            missing = [t for t in named_values(lib, key).values() if t not in str(exc)]
            if missing:
                problems.append(f"lastrec.Model('mf', {name}='no-such-name'): '{exc}' does not "
                                f"list {missing}")
    return problems


PROBE = """
/** Made-up choices for LR_OPT_PROBE_CHOICE. */
enum lr_probe_choice {
    LR_PROBE_CHOICE_A = 1, /**< one */
    LR_PROBE_CHOICE_B = 2  /**< two */
};
"""


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    header_path, library, tool = sys.argv[1:]
    with open(header_path, encoding="utf-8") as f:
        header = f.read()
    lib = Library(library)
    declared, _, problems = enum_options(header)
    if not declared:
        problems.append("the header declares no enum-valued option: the parse is broken")
    problems += check_library(header, lib)
    problems += check_tool(lib, declared, tool)
    problems += check_python(lib, declared)

    # The check bites: an enum option the library has no names for fails,
    # whether the option's comment or the enum's names the tie.
    probe = header.replace("LR_OPT_SEED = 101,",
                           "LR_OPT_SEED = 101,\n    LR_OPT_PROBE_CHOICE = 102, "
                           "/**< int: an lr_probe_choice */") + PROBE
    found = check_library(probe, lib)
    if not any("LR_OPT_PROBE_CHOICE" in p for p in found):
        problems.append(f"a made-up enum option without names passed the check: {found}")
    probe = header + PROBE.replace("LR_OPT_PROBE_CHOICE", "LR_OPT_SEED")
    found = check_library(probe, lib)
    if not any("seed" in p for p in found):
        problems.append(f"an enum for LR_OPT_SEED, which has no names, passed the check: {found}")

    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        return 1
    shown = ", ".join(f"{lib.info(k)[0]} ({len(named_values(lib, k))})" for k in sorted(declared))
    print(f"PASS: {len(lib.keys())} options walked; enum-valued, with their names: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
