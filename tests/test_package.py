"""The package's face: what is exported, versions, signatures, docstrings, typing files."""

import doctest
import inspect
import os
import pydoc
import sysconfig
import unittest
from importlib import metadata

import sort
import sort._sort as compiled

PACKAGE_DIR = os.path.dirname(sort.__file__)


class TestExports(unittest.TestCase):
    def test_all_lists_exactly_the_public_functions(self):
        self.assertEqual(sorted(sort.__all__), ["argsort", "sleep_sort", "sort", "sorted"])
        for name in sort.__all__:
            self.assertTrue(callable(getattr(sort, name)), name)

    def test_star_import_does_not_shadow_more_than_all(self):
        namespace = {}
        exec("from sort import *", namespace)
        self.assertEqual(
            sorted(k for k in namespace if not k.startswith("__")),
            ["argsort", "sleep_sort", "sort", "sorted"],
        )

    def test_compiled_module_lives_inside_the_package(self):
        self.assertEqual(os.path.dirname(compiled.__file__), PACKAGE_DIR)
        self.assertTrue(os.path.basename(compiled.__file__).startswith("_sort."))


class TestVersion(unittest.TestCase):
    def test_version_is_a_release_string(self):
        parts = sort.__version__.split(".")
        self.assertEqual(len(parts), 3)
        self.assertTrue(all(p.isdigit() for p in parts), sort.__version__)

    def test_cargo_version_compiled_into_the_extension_agrees(self):
        # sort/__init__.py is the single source; Cargo.toml must follow it.
        self.assertEqual(compiled.__version__, sort.__version__)


class TestSignatures(unittest.TestCase):
    def params(self, fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    def test_sleep_sort(self):
        P = inspect.Parameter
        self.assertEqual(
            self.params(sort.sleep_sort),
            [("values", P.POSITIONAL_OR_KEYWORD, P.empty), ("unit", P.POSITIONAL_OR_KEYWORD, 0.1)],
        )

    def test_sorted_and_sort_mirror_the_builtins(self):
        P = inspect.Parameter
        for fn, first in ((sort.sorted, "iterable"), (sort.sort, "obj")):
            with self.subTest(fn=fn.__name__):
                self.assertEqual(
                    self.params(fn),
                    [
                        (first, P.POSITIONAL_ONLY, P.empty),
                        ("key", P.KEYWORD_ONLY, None),
                        ("reverse", P.KEYWORD_ONLY, False),
                        ("threads", P.KEYWORD_ONLY, None),
                    ],
                )

    def test_keyword_only_arguments_are_enforced(self):
        with self.assertRaises(TypeError):
            sort.sorted([2, 1], None)
        with self.assertRaises(TypeError):
            sort.sorted(iterable=[2, 1])
        with self.assertRaises(TypeError):
            sort.sort([2, 1], None)

    def test_bad_calls_say_what_was_wrong(self):
        for fn in (sort.sorted, sort.sort):
            name = fn.__name__
            with self.assertRaisesRegex(TypeError, rf"{name}\(\) takes exactly one positional"):
                fn()
            with self.assertRaisesRegex(TypeError, rf"{name}\(\) takes exactly one positional"):
                fn([2, 1], None, None)
            with self.assertRaisesRegex(TypeError, "unexpected keyword argument 'cmp'"):
                fn([2, 1], cmp=None)
            # Nothing is sorted when the call is refused.
            data = [2, 1]
            with self.assertRaises(TypeError):
                fn(data, reverse=True, revers=True)
            self.assertEqual(data, [2, 1])

    def test_sorted_and_sort_are_c_functions_of_the_package(self):
        # Like the builtins they replace: no Python frame, and help() and doctest see them
        # as the package's own.
        for fn in (sort.sorted, sort.sort):
            self.assertTrue(inspect.isbuiltin(fn), fn)
            self.assertEqual(fn.__module__, "sort")
        self.assertIs(sort.sorted, compiled.sorted)


class TestDocumentation(unittest.TestCase):
    def test_every_public_function_has_a_docstring_that_help_shows(self):
        for name in sort.__all__:
            with self.subTest(name=name):
                fn = getattr(sort, name)
                self.assertGreater(len(inspect.getdoc(fn) or ""), 200)
                rendered = pydoc.render_doc(fn, renderer=pydoc.plaintext)
                self.assertIn(name, rendered)
                self.assertIn(inspect.getdoc(fn).splitlines()[0], rendered)

    def test_module_docstring(self):
        self.assertIn("GIL", sort.__doc__)

    def test_docstring_examples_run(self):
        results = doctest.testmod(sort)
        self.assertGreater(results.attempted, 0)
        self.assertEqual(results.failed, 0)


class TestTypingFiles(unittest.TestCase):
    def test_py_typed_and_stub_are_installed(self):
        self.assertTrue(os.path.isfile(os.path.join(PACKAGE_DIR, "py.typed")))
        stub = os.path.join(PACKAGE_DIR, "_sort.pyi")
        self.assertTrue(os.path.isfile(stub))
        with open(stub) as f:
            text = f.read()
        for name in ("sleep_sort", "sorted", "sort", "sort_list", "sort_buffer", "argsort_buffer",
                     "argsort_list"):
            self.assertIn(f"def {name}(", text)
            self.assertTrue(callable(getattr(compiled, name)), name)


class TestSupportedVersions(unittest.TestCase):
    def test_requires_python_has_a_floor_and_no_ceiling(self):
        # A ceiling makes pip backtrack to older releases on a new Python instead of saying why.
        self.assertEqual(metadata.metadata("sort")["Requires-Python"], ">=3.9")

    def test_tested_versions_are_the_classified_ones(self):
        prefix = "Programming Language :: Python :: 3."
        classifiers = metadata.metadata("sort").get_all("Classifier")
        listed = [c[len(prefix) - 2 :] for c in classifiers if c.startswith(prefix)]
        self.assertEqual(listed, ["3.9", "3.10", "3.11", "3.12", "3.13"])

    def test_not_a_free_threaded_interpreter(self):
        # setup.py refuses to build for one (rust-cpython's object layout is wrong there), so a
        # module importable here must have been built for a default-build interpreter.
        self.assertFalse(sysconfig.get_config_var("Py_GIL_DISABLED"))


if __name__ == "__main__":
    unittest.main()
