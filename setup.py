"""Build script: setuptools-rust runs cargo and copies the cdylib into the package.

`pip install .` and `python setup.py install` build the Rust code in release mode;
`python setup.py build_ext --inplace` and `pip install -e .` build it in debug mode, which is
fine for development and meaningless for benchmarks.

Before anything is configured, two checks stop the build with one line each, where the
alternative is a long schema dump or, worse, a module that corrupts memory: the setuptools
version (`python setup.py install` runs with whatever setuptools the environment has) and a
free-threaded interpreter (whose object header rust-cpython does not know).
"""

import os
import re
import sys
import sysconfig

# pyproject.toml's `license = "MIT"` (an SPDX expression) and `license-files` are PEP 639
# fields, understood from setuptools 77 on. Older versions reject them with a schema dump
# ("project.license must be valid exactly by one definition"). A fresh venv has setuptools
# 65 on 3.11, none at all from 3.12. `pip install .` is not affected: it builds in an isolated
# environment with the versions pyproject.toml's [build-system] asks for.
SETUPTOOLS_NEEDED = (77,)
UPGRADE_COMMAND = "python -m pip install -U setuptools setuptools-rust"


def release_tuple(version):
    """(77, 0, 1) for "77.0.1", (80, 0) for "80.0rc1": the leading release numbers."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in match.group().split(".")) if match else ()


def setuptools_problem(version):
    """The one-line complaint about this setuptools version, or None if it will do."""
    if version is None:
        return f"sort: building needs setuptools and setuptools-rust; run: {UPGRADE_COMMAND}"
    if release_tuple(version) < SETUPTOOLS_NEEDED:
        needed = ".".join(map(str, SETUPTOOLS_NEEDED))
        return (
            f"sort: building needs setuptools >= {needed} (this environment has {version}); "
            f"run: {UPGRADE_COMMAND}"
        )
    return None


def interpreter_problem(config_var=sysconfig.get_config_var):
    """The one-line refusal for an interpreter rust-cpython cannot serve, or None.

    A free-threaded CPython (3.13t, built with Py_GIL_DISABLED) has a different object header
    (thread id, split reference counts) from the one rust-cpython 0.7.2 compiles in, and
    python3-sys's build script does not notice: the build would succeed and every reference
    count the module touched would be written to the wrong field. So it must not be built.
    """
    if config_var("Py_GIL_DISABLED"):
        return (
            "sort: free-threaded CPython (Py_GIL_DISABLED, e.g. python3.13t) is not supported: "
            "rust-cpython 0.7.2 only knows the default build's object layout; use the "
            "regular python3.X interpreter"
        )
    return None


def installed_setuptools_version():
    try:
        import setuptools
    except ImportError:
        return None
    return setuptools.__version__


def main():
    problem = interpreter_problem() or setuptools_problem(installed_setuptools_version())
    if problem is None:
        try:
            from setuptools_rust import Binding, RustExtension
        except ImportError:
            problem = setuptools_problem(None)
    if problem is not None:
        sys.exit(problem)

    from setuptools import setup

    setup(
        rust_extensions=[
            # "sort._sort" makes setuptools-rust copy the library to
            # sort/_sort.<EXT_SUFFIX>, e.g. sort/_sort.cpython-311-x86_64-linux-gnu.so.
            RustExtension(
                "sort._sort",
                path="Cargo.toml",
                binding=Binding.RustCPython,
                # Test-only fault points (tests/test_faults.py, `tox -e faults`); never in a
                # release.
                features=["fault-injection"] if os.environ.get("SORT_FAULT_INJECTION") else [],
            ),
        ],
        # The extension module is a file inside the package directory, not an importable zip.
        zip_safe=False,
    )


# `python setup.py ...` and setuptools' PEP 517 backend (which execs this file) both run it as
# __main__; tests/test_install.py imports it under another name to check the two checks.
if __name__ == "__main__":
    main()
