"""End to end: Dask sorts a DataFrame on a real 2-process `distributed.LocalCluster` with
`sort.dataframe.sort_values` as its partition sort, and gets what it gets without it.

Skipped, with the reason printed, where dask or distributed is not installed (the tox
environment `dask` installs them: `pip install "sort[dask]"`).
"""

import sys
import unittest

try:
    import dask.dataframe as dd
    import numpy as np
    import pandas as pd
    from distributed import Client, LocalCluster

    import sort.dataframe

    SKIP = None
except ImportError as error:  # pragma: no cover - depends on the environment
    SKIP = f"dask/distributed not installed ({error}); install the extra: pip install 'sort[dask]'"
    print(f"\ntest_dask: skipped: {SKIP}", file=sys.stderr)


@unittest.skipIf(SKIP is not None, SKIP or "")
class DaskClusterTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        cls.client = Client(cls.cluster)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()

    def frame(self, n, unique):
        rng = np.random.default_rng(7)
        x = rng.permutation(n).astype("float64") if unique else rng.integers(0, 50, n) * 1.0
        if not unique:
            x[rng.random(n) < 0.05] = np.nan
        return pd.DataFrame(
            {
                "x": x,
                "k": rng.integers(-5, 5, n),
                "s": np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, n)],
                "id": np.arange(n),
            }
        )

    def sort_both(self, pdf, by, **kwargs):
        ddf = dd.from_pandas(pdf, npartitions=6)
        plain = ddf.sort_values(by, **kwargs).compute()
        ours = ddf.sort_values(by, sort_function=sort.dataframe.sort_values, **kwargs).compute()
        return plain, ours

    def test_unique_keys_give_the_same_frame(self):
        pdf = self.frame(60_000, unique=True)
        for ascending in (True, False):
            plain, ours = self.sort_both(pdf, "x", ascending=ascending)
            pd.testing.assert_frame_equal(ours, plain)
            # Dask turns object strings into its own string dtype: compare values there.
            expected = pdf.sort_values("x", ascending=ascending, kind="stable")
            pd.testing.assert_frame_equal(ours, expected, check_dtype=False)

    def test_duplicates_and_nan(self):
        # With ties, the order of equal keys depends on how the shuffle delivered the rows;
        # the keys and the set of rows must agree with Dask's own result.
        pdf = self.frame(60_000, unique=False)
        for na_position in ("last", "first"):
            plain, ours = self.sort_both(pdf, "x", na_position=na_position)
            np.testing.assert_array_equal(ours["x"].to_numpy(), plain["x"].to_numpy())
            pd.testing.assert_frame_equal(
                ours.sort_values(["x", "id"], na_position=na_position),
                plain.sort_values(["x", "id"], na_position=na_position),
            )
        plain, ours = self.sort_both(pdf, ["k", "s"])
        pd.testing.assert_frame_equal(
            ours.sort_values(["k", "s", "id"]), plain.sort_values(["k", "s", "id"])
        )
        np.testing.assert_array_equal(ours["k"].to_numpy(), plain["k"].to_numpy())


if __name__ == "__main__":
    unittest.main()
