"""Real-data benchmarks: sort.sorted against sorted() on data read off this machine.

    python benches/realdata.py                                  # every case, n = 1e6
    python benches/realdata.py --cases urls paths --sizes 100000 1000000
    python benches/realdata.py --list                           # the case names

Everything is built at run time from what any Linux machine with Python has (no downloads):
the standard library's source (``sysconfig.get_paths()["stdlib"]``) and the file system
(``os.walk`` over /usr, /etc and the standard library). Sources with fewer items than ``n``
are sized up keeping their shape: data that repeats by nature (URLs, identifiers, lines,
numbers, mtimes) is sampled with replacement; sets of distinct items (paths, hashes) are
concatenated with suffixed copies (``path.~1~``), so they stay distinct.

Every case comes in two layouts:
- ``list``: the objects lie in memory in list order (as when a list is read from a file);
- ``scattered``: the same list, but its objects were allocated in another (random) order,
  as in a list that was built, then sorted or shuffled by another key. Every key read is then
  a cache miss, for the builtin as for us.

"ours" is ``sort.sorted`` with the default thread count, the ``threads=1`` variant shows what
the threads add; all timings are medians of interleaved runs (see ``harness.run``).
"""

from __future__ import annotations

import argparse
import builtins
import functools
import hashlib
import os
import pickle
import random
import re
import sys
import sysconfig
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

# Upper bound on files read for the source corpus: the whole standard library is ~16k files,
# ~2M lines here; reading it takes a few seconds.
_WALK_ROOTS = ("/usr", "/etc")
_URL = re.compile(r"https?://[^\s'\"<>)\]}\\`]+")
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_NUMBER = re.compile(r"(?<![\w.])(?:0[xX][0-9a-fA-F]+|\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+)(?![\w.])")


# ---------------------------------------------------------------------------------------------
# Sources (read once per run)


@functools.lru_cache(maxsize=None)
def stdlib_dir() -> str:
    return sysconfig.get_paths()["stdlib"]


@functools.lru_cache(maxsize=None)
def source_texts() -> Tuple[str, ...]:
    """The text of every .py file of the standard library (not site-packages), in walk order."""
    texts = []
    for root, dirs, files in os.walk(stdlib_dir()):
        dirs[:] = sorted(d for d in dirs if d != "site-packages")
        for name in sorted(files):
            if name.endswith(".py"):
                try:
                    with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                        texts.append(f.read())
                except OSError:
                    pass
    return tuple(texts)


@functools.lru_cache(maxsize=None)
def source_lines() -> List[str]:
    return [line for text in source_texts() for line in text.splitlines()]


@functools.lru_cache(maxsize=None)
def urls() -> List[str]:
    return [m.group(0).rstrip(".,;:") for text in source_texts() for m in _URL.finditer(text)]


@functools.lru_cache(maxsize=None)
def identifiers() -> List[str]:
    return [m.group(0) for text in source_texts() for m in _IDENT.finditer(text)]


@functools.lru_cache(maxsize=None)
def numbers() -> List[Any]:
    out: List[Any] = []
    for text in source_texts():
        for m in _NUMBER.finditer(text):
            tok = m.group(0)
            try:
                if tok[:2] in ("0x", "0X"):
                    out.append(int(tok, 16))
                elif "." in tok or "e" in tok or "E" in tok:
                    out.append(float(tok))
                else:
                    out.append(int(tok))
            except ValueError:
                pass
    return out


@functools.lru_cache(maxsize=None)
def files() -> List[Tuple[str, int, float]]:
    """(path, size, mtime) of every regular file under the walk roots, in walk order."""
    out = []
    seen = set()
    for top in (*_WALK_ROOTS, stdlib_dir()):
        for root, dirs, names in os.walk(top, onerror=lambda e: None):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(root, name)
                if path in seen:
                    continue
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                seen.add(path)
                out.append((path, st.st_size, st.st_mtime))
    return out


@functools.lru_cache(maxsize=None)
def words() -> List[str]:
    """A vocabulary for the synthetic cases: the distinct lowercase identifiers of the source."""
    return sorted({w for w in identifiers() if w.islower() and 3 <= len(w) <= 12})


# ---------------------------------------------------------------------------------------------
# Sizing to n, keeping the shape


def sample(pool: List[Any], n: int, rng: random.Random) -> List[Any]:
    """The first n items of the pool in its own order, or, when it has fewer, the pool sampled
    with replacement (for data whose items repeat by nature)."""
    if len(pool) >= n:
        return pool[:n]
    return rng.choices(pool, k=n)


def extend_distinct(pool: List[Any], n: int, copy: Callable[[Any, int], Any]) -> List[Any]:
    """The first n items of the pool, extended when shorter by copies ``copy(item, k)``, k = 1,
    2, ...: distinct items stay distinct and keep their shape."""
    out = list(pool[:n])
    k = 1
    while len(out) < n:
        out.extend(copy(item, k) for item in pool[: n - len(out)])
        k += 1
    return out


def _path_copy(path: str, k: int) -> str:
    return f"{path}.~{k}~"


# Generators: (rng, n) -> list, in the data's natural order.
def _lines(rng, n):
    return sample(source_lines(), n, rng)


def _urls(rng, n):
    return sample(urls(), n, rng)


def _identifiers(rng, n):
    return sample(identifiers(), n, rng)


def _paths(rng, n):
    return extend_distinct([p for p, _, _ in files()], n, _path_copy)


def _size_path(rng, n):
    pool = [(size, path) for path, size, _ in files()]
    return extend_distinct(pool, n, lambda t, k: (t[0], _path_copy(t[1], k)))


def _ext_size(rng, n):
    pool = [(os.path.splitext(path)[1], size) for path, size, _ in files()]
    return sample(pool, n, rng) if len(pool) >= n else extend_distinct(pool, n, lambda t, k: t)


def _mtimes(rng, n):
    pool = [mtime for _, _, mtime in files()]
    return pool[:n] if len(pool) >= n else extend_distinct(pool, n, lambda t, k: t)


def _numbers(rng, n):
    return sample(numbers(), n, rng)


def _sha256(rng, n):
    paths = _paths(rng, n)
    return [int.from_bytes(hashlib.sha256(p.encode("utf-8", "surrogateescape")).digest(), "big")
            for p in paths]


def _synthetic_urls(rng, n):
    w = words()
    return [f"https://www.example.com/{rng.choice(w)}/{rng.choice(w)}?id={rng.randrange(10**6)}"
            for _ in range(n)]


def _synthetic_paths(rng, n):
    w = words()
    return [f"/home/user/projects/{rng.choice(w)}/src/{rng.choice(w)}.py" for _ in range(n)]


def _shuffled_paths(rng, n):
    paths = _paths(rng, n)
    rng.shuffle(paths)  # as out of a set or a dict keyed by something else
    return paths


def _as_bytes(generate):
    return lambda rng, n: [s.encode("utf-8", "surrogateescape") for s in generate(rng, n)]


def _sorted_lines(rng, n):
    return builtins.sorted(_lines(rng, n))


def _few_distinct(rng, n):
    # Real values, few of them: file extensions.
    pool = [os.path.splitext(p)[1] for p, _, _ in files()]
    return sample(pool, n, rng)


# name -> (description, generator). The string cases come first; the others are for the
# tuple, number and key-reading work.
CASES: Dict[str, Tuple[str, Callable[[random.Random, int], List[Any]]]] = {
    "lines": ("stdlib source lines (str)", _lines),
    "urls": ("URLs in stdlib, repeats (str)", _urls),
    "paths": ("file paths (str)", _paths),
    "shuffled-paths": ("file paths, shuffled (str)", _shuffled_paths),
    "identifiers": ("identifiers in stdlib (str)", _identifiers),
    "synthetic-urls": ("synthetic URLs (str)", _synthetic_urls),
    "synthetic-paths": ("synthetic paths (str)", _synthetic_paths),
    "path-bytes": ("file paths (bytes)", _as_bytes(_paths)),
    "sorted-lines": ("sorted source lines (str)", _sorted_lines),
    "extensions": ("file extensions, few distinct", _few_distinct),
    "size-path": ("(size, path) tuples", _size_path),
    "ext-size": ("(ext, size) tuples", _ext_size),
    "mtimes": ("file mtimes (float)", _mtimes),
    "numbers": ("numeric literals (int+float)", _numbers),
    "sha256": ("256-bit ints (sha256)", _sha256),
}

LAYOUTS = ("list", "scattered")


def laid_out(data: List[Any], layout: str, rng: random.Random) -> List[Any]:
    """Fresh objects with the same values in the same list order, allocated in list order
    (``list``) or in a random order (``scattered``). A pickle round trip allocates objects in
    the order it meets them, and keeps repeated objects shared."""
    if layout == "list":
        return pickle.loads(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    perm = list(range(len(data)))
    rng.shuffle(perm)
    shuffled = pickle.loads(pickle.dumps([data[i] for i in perm], protocol=pickle.HIGHEST_PROTOCOL))
    out: List[Any] = [None] * len(data)
    for j, i in enumerate(perm):
        out[i] = shuffled[j]
    return out


class _Data:
    """Builds a case's data on first use and keeps only the current case's data alive; each
    call returns a fresh copy of the list (the objects are shared, as they would be)."""

    current: Optional[Tuple[Any, List[Any]]] = None

    def __init__(self, name: str, layout: str, n: int) -> None:
        self.name, self.layout, self.n = name, layout, n

    def build(self) -> List[Any]:
        rng = random.Random(f"{self.name}/{self.n}")
        data = CASES[self.name][1](rng, self.n)
        return laid_out(data, self.layout, rng)

    def __call__(self) -> List[Any]:
        if _Data.current is None or _Data.current[0] is not self:
            _Data.current = None  # free the previous case's data first
            _Data.current = (self, self.build())
        return _Data.current[1].copy()


def cases(sizes: List[int], names: Optional[List[str]] = None,
          layouts: Tuple[str, ...] = LAYOUTS, one_thread: bool = True) -> List[harness.Case]:
    import sort

    out = []
    for name in names or list(CASES):
        for layout in layouts:
            for n in sizes:
                variants = {"threads=1": lambda d: sort.sorted(d, threads=1)} if one_thread else {}
                out.append(harness.Case(
                    family="real data",
                    kind=f"{name} [{layout}]",
                    n=n,
                    make=_Data(name, layout, n),
                    ours=sort.sorted,
                    baselines={"sorted()": builtins.sorted},
                    variants=variants,
                ))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), metavar="CASE",
                        help="cases to run (default: all; see --list)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**6])
    parser.add_argument("--layouts", nargs="+", choices=LAYOUTS, default=list(LAYOUTS))
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per case (median)")
    parser.add_argument("--no-threads-1", action="store_true", help="skip the threads=1 variant")
    parser.add_argument("--check", action="store_true",
                        help="also check once per case that sort.sorted gives sorted()'s objects")
    parser.add_argument("--out", help="write the markdown table to this file")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args()
    if args.list:
        for name, (desc, _) in CASES.items():
            print(f"{name:16} {desc}")
        return 0

    import sort

    print(f"sort {sort.__version__} from {os.path.dirname(sort.__file__)}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}")
    todo = cases(args.sizes, args.cases, tuple(args.layouts), not args.no_threads_1)
    if args.check:
        for case in todo:
            data = case.make()
            ours, ref = sort.sorted(data), builtins.sorted(data)
            ok = len(ours) == len(ref) and all(a is b for a, b in zip(ours, ref))
            print(f"check {case.kind} n={case.n}: {'ok' if ok else 'MISMATCH'}")
    rows = harness.run(todo, args.repeat)
    table = harness.markdown_table(rows)
    print()
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
