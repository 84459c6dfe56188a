"""Build script: setuptools-rust runs cargo and copies the cdylib into the package.

`pip install .` and `python setup.py install` build the Rust code in release mode;
`python setup.py build_ext --inplace` and `pip install -e .` build it in debug mode, which is
fine for development and meaningless for benchmarks.
"""

import os

from setuptools import setup
from setuptools_rust import Binding, RustExtension

setup(
    rust_extensions=[
        # "sort._sort" makes setuptools-rust copy the library to
        # sort/_sort.<EXT_SUFFIX>, e.g. sort/_sort.cpython-311-x86_64-linux-gnu.so.
        RustExtension(
            "sort._sort",
            path="Cargo.toml",
            binding=Binding.RustCPython,
            # Test-only fault points (tests/test_faults.py, `tox -e faults`); never in a release.
            features=["fault-injection"] if os.environ.get("SORT_FAULT_INJECTION") else [],
        ),
    ],
    # The extension module is a file inside the package directory, not an importable zip.
    zip_safe=False,
)
