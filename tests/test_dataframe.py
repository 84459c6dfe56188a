"""sort.dataframe.sort_values(): equal to pandas' stable sort_values, values, dtypes and index.

Differential tests against ``df.sort_values(..., kind="stable")`` on random and adversarial
columns (duplicates, NaN, None, NaT, pd.NA, -0.0, all-equal, sorted, reversed), one key and
several, every direction and both na_positions.
"""

import itertools
import subprocess
import sys
import unittest

try:
    import numpy as np
    import pandas as pd
except ImportError as error:  # pragma: no cover - pandas is in the `dataframe` extra
    pd = None
    print(f"\ntest_dataframe: skipped, pandas is not installed ({error})", file=sys.stderr)

if pd is not None:
    import sort.dataframe


def frame(n, seed):
    """Columns of every supported kind, with duplicates and missing values."""
    rng = np.random.default_rng(seed)
    floats = rng.integers(-5, 5, n).astype("float64")
    floats[rng.random(n) < 0.15] = np.nan
    floats[rng.random(n) < 0.1] = -0.0
    words = np.array(["pear", "fig", "apple", "", "Apple", "\u00e9t\u00e9"], dtype=object)
    objects = words[rng.integers(0, len(words), n)]
    objects[rng.random(n) < 0.1] = None
    objects[rng.random(n) < 0.05] = np.nan
    stamps = pd.to_datetime(rng.integers(0, 5, n), unit="D").to_numpy().copy()
    stamps[rng.random(n) < 0.1] = np.datetime64("NaT")
    nullable = pd.array(rng.integers(-3, 3, n), dtype="Int64")
    nullable[rng.random(n) < 0.1] = pd.NA
    numbers = np.array([1, 2.5, -0.0, 0, True, 2**70, 3], dtype=object)
    numbers = numbers[rng.integers(0, len(numbers), n)]
    numbers[rng.random(n) < 0.1] = None
    df = pd.DataFrame(
        {
            "i64": rng.integers(-3, 3, n),
            "u8": rng.integers(0, 4, n).astype("uint8"),
            "i32": rng.integers(-(2**31), 2**31 - 1, n).astype("int32"),
            "f64": floats,
            "f32": floats.astype("float32"),
            "b": rng.random(n) < 0.5,
            "obj": objects,
            "str": pd.array(objects, dtype="str"),
            "dt": stamps,
            "dtz": pd.Series(stamps).dt.tz_localize("UTC"),
            "td": stamps - np.datetime64("1970-01-01"),
            "nint": nullable,
            "cat": pd.Categorical(rng.integers(0, 3, n)),
        },
        index=rng.permutation(n) * 3,
    )
    # pandas would infer `str` for the strings: keep one genuine object column of each.
    df["obj"] = df["obj"].astype(object)
    df["num_obj"] = pd.Series(numbers, index=df.index, dtype=object)
    return df


@unittest.skipIf(pd is None, "pandas is not installed")
class SortValuesTests(unittest.TestCase):
    def check(self, df, by, ascending=True, na_position="last", **kwargs):
        expected = df.sort_values(
            by, ascending=ascending, na_position=na_position, kind="stable", **kwargs
        )
        before = df.copy()
        result = sort.dataframe.sort_values(
            df, by, ascending=ascending, na_position=na_position, **kwargs
        )
        pd.testing.assert_frame_equal(result, expected, check_exact=True)
        pd.testing.assert_frame_equal(df, before)

    def test_one_key_of_every_kind(self):
        df = frame(3000, 1)
        for column in df.columns:
            for ascending, na_position in itertools.product((True, False), ("last", "first")):
                with self.subTest(column=column, ascending=ascending, na_position=na_position):
                    self.check(df, column, ascending, na_position)

    def test_large_numeric_keys(self):
        rng = np.random.default_rng(2)
        n = 200_000
        x = rng.standard_normal(n)
        x[rng.random(n) < 0.05] = np.nan
        df = pd.DataFrame({"x": x, "k": rng.integers(0, 100, n), "y": np.arange(n)})
        for ascending, na_position in itertools.product((True, False), ("last", "first")):
            self.check(df, "x", ascending, na_position)
            self.check(df, ["k", "x"], [ascending, not ascending], na_position)

    def test_several_keys_and_mixed_directions(self):
        df = frame(2000, 3)
        keys = [
            ["i64", "f64"],
            ["obj", "dt", "b"],
            ["f64", "str", "nint"],
            ["u8", "td", "obj"],
            ["num_obj", "dtz"],
            ["cat", "i64"],
        ]
        for by in keys:
            for ascending in itertools.product((True, False), repeat=len(by)):
                for na_position in ("last", "first"):
                    with self.subTest(by=by, ascending=ascending, na_position=na_position):
                        self.check(df, by, list(ascending), na_position)

    def test_adversarial_orders(self):
        n = 1000
        columns = (
            np.arange(n),
            np.arange(n)[::-1].copy(),
            np.zeros(n),
            np.full(n, np.nan),
            np.array([-0.0, 0.0] * (n // 2)),
        )
        for values in columns:
            df = pd.DataFrame({"x": values, "i": np.arange(n)})
            for ascending in (True, False):
                for na_position in ("last", "first"):
                    self.check(df, "x", ascending, na_position)

    def test_ignore_index_empty_frames_and_what_pandas_decides(self):
        df = frame(500, 4)
        self.check(df, "f64", ignore_index=True)
        self.check(df.iloc[:0], "f64")
        self.check(df, ["i64", "f64"], key=lambda s: -s if s.dtype.kind in "if" else s)
        with self.assertRaises(KeyError):
            sort.dataframe.sort_values(df, "missing")
        with self.assertRaises(ValueError):
            sort.dataframe.sort_values(df, "f64", na_position="middle")
        with self.assertRaises(ValueError):
            sort.dataframe.sort_values(df, ["f64", "i64"], ascending=[True])

    def test_dask_calling_convention(self):
        # What Dask passes to a sort_function, by keyword.
        df = frame(500, 5)
        result = sort.dataframe.sort_values(
            df, by=["i64"], ascending=False, na_position="first", ignore_index=False
        )
        expected = df.sort_values(["i64"], ascending=False, na_position="first", kind="stable")
        pd.testing.assert_frame_equal(result, expected)


class ImportTests(unittest.TestCase):
    # `import sort` loading none of numpy/pandas/dask is tested in test_argsort.py.

    def test_missing_pandas_says_which_extra_to_install(self):
        code = (
            "import sys\n"
            "sys.modules['pandas'] = None\n"
            "try:\n"
            "    import sort.dataframe\n"
            "except ImportError as e:\n"
            "    assert 'sort[dataframe]' in str(e), str(e)\n"
            "else:\n"
            "    raise SystemExit('no ImportError')\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


if __name__ == "__main__":
    unittest.main()
