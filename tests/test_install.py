"""Installing: setup.py's early checks, and the README's article way, typed as a user types it.

The checks (free-threaded interpreter, setuptools too old) run everywhere, in milliseconds.
The article way (`python setup.py install` in a fresh venv) builds the extension from scratch
in release mode, once per interpreter: minutes. It runs only with SORT_TEST_INSTALL=1, which
tox's `article` environment sets (CI runs it). SORT_TEST_INSTALL_PYTHONS names the interpreters
to use, space-separated (names on PATH or paths); those not found are skipped, and if none is
found, or none is named, the interpreter running the test is used.

Nothing here imports `sort`: the `article` environment does not install it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from typing import List, Optional, Tuple

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP_PY = os.path.join(SOURCE_DIR, "setup.py")
README = os.path.join(SOURCE_DIR, "README.md")

# The README puts this comment on the line before the fenced block that this test runs.
ARTICLE_MARK = "<!-- tests/test_install.py runs this block verbatim -->"
ARTICLE_OUTPUT = "[0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]"

# A cold release build on a loaded 2-core machine takes a few minutes; this is a hang.
HANG = 1800.0
QUICK = 120.0

# Not copied into the fresh clone: build products and environments of this checkout.
TOP_LEVEL_JUNK = {".git", ".tox", ".venv", ".hypothesis", ".eggs", "build", "dist", "target"}


def load_setup_script():
    """setup.py as a module, without building: it only acts when run as __main__."""
    if not os.path.isfile(SETUP_PY):
        raise unittest.SkipTest(f"no setup.py next to the tests (in {SOURCE_DIR})")
    spec = importlib.util.spec_from_file_location("sort_setup_script", SETUP_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_setup_py_with(prelude: str, cwd: str) -> subprocess.CompletedProcess:
    """`python setup.py build` in `cwd`, after `prelude` has faked part of the environment."""
    script = prelude + "\nimport runpy, sys\nsys.argv = ['setup.py', 'build']\n"
    script += f"runpy.run_path({SETUP_PY!r}, run_name='__main__')\n"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=QUICK
    )


class SetupChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.script = load_setup_script()

    def assert_one_line(self, message: Optional[str]) -> None:
        self.assertIsInstance(message, str)
        self.assertNotIn("\n", message)
        self.assertTrue(message.startswith("sort: "), message)

    def test_free_threaded_interpreter_is_refused(self) -> None:
        for value in (1, "1"):
            problem = self.script.interpreter_problem({"Py_GIL_DISABLED": value}.get)
            self.assert_one_line(problem)
            self.assertIn("free-threaded", problem)
            self.assertIn("Py_GIL_DISABLED", problem)

    def test_default_build_is_accepted(self) -> None:
        for value in (None, 0):
            self.assertIsNone(self.script.interpreter_problem({"Py_GIL_DISABLED": value}.get))

    def test_old_setuptools_is_refused_naming_the_version_and_the_command(self) -> None:
        for version in ("58.1.0", "65.5.0", "76.1.0", "70.0.0.post1"):
            with self.subTest(version=version):
                problem = self.script.setuptools_problem(version)
                self.assert_one_line(problem)
                self.assertIn(">= 77", problem)
                self.assertIn(f"has {version})", problem)
                self.assertIn("pip install -U setuptools setuptools-rust", problem)

    def test_setuptools_77_and_later_is_accepted(self) -> None:
        for version in ("77.0.0", "77.0.3", "80.0rc1", "84.2.1", "100.0"):
            with self.subTest(version=version):
                self.assertIsNone(self.script.setuptools_problem(version))

    def test_missing_setuptools_names_the_command(self) -> None:
        problem = self.script.setuptools_problem(None)
        self.assert_one_line(problem)
        self.assertIn("pip install -U setuptools setuptools-rust", problem)

    def test_release_numbers(self) -> None:
        release = self.script.release_tuple
        self.assertEqual(release("77.0.1"), (77, 0, 1))
        self.assertEqual(release("80.0rc1"), (80, 0))
        self.assertEqual(release("65.5.0.post0"), (65, 5, 0))
        self.assertEqual(release("unknown"), ())

    def test_build_on_a_free_threaded_interpreter_stops_at_once_with_one_line(self) -> None:
        prelude = textwrap.dedent(
            """
            import sysconfig
            real = sysconfig.get_config_var
            sysconfig.get_config_var = lambda name: 1 if name == "Py_GIL_DISABLED" else real(name)
            """
        )
        with tempfile.TemporaryDirectory() as cwd:
            done = run_setup_py_with(prelude, cwd)
            self.assertEqual(os.listdir(cwd), [], "nothing may be built")
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertEqual(done.stdout, "")
        expected = self.script.interpreter_problem({"Py_GIL_DISABLED": 1}.get)
        self.assertEqual(done.stderr, expected + "\n")

    def test_build_with_old_setuptools_stops_at_once_with_one_line(self) -> None:
        prelude = textwrap.dedent(
            """
            import sys, types
            sys.modules["setuptools"] = types.ModuleType("setuptools")
            sys.modules["setuptools"].__version__ = "65.5.0"
            """
        )
        with tempfile.TemporaryDirectory() as cwd:
            done = run_setup_py_with(prelude, cwd)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertEqual(done.stdout, "")
        self.assertEqual(done.stderr, self.script.setuptools_problem("65.5.0") + "\n")


def article_block() -> str:
    """The README's article-way commands, exactly as printed there."""
    if not os.path.isfile(README):
        raise unittest.SkipTest(f"no README.md next to the tests (in {SOURCE_DIR})")
    with open(README, encoding="utf-8") as f:
        text = f.read()
    match = re.search(re.escape(ARTICLE_MARK) + r"\s*```sh\n(.*?)```", text, re.S)
    if match is None:
        raise AssertionError(f"README.md has no ```sh block after {ARTICLE_MARK}")
    return match.group(1)


def base_interpreter(python: str) -> Optional[Tuple[str, str]]:
    """(the installation's own interpreter, "3.X") for `python`, which may be in a venv; None
    if it does not run (a pyenv shim for a version that is not selected, say)."""
    code = (
        "import os, sys; v = '%d.%d' % sys.version_info[:2]; "
        "p = os.path.join(sys.base_prefix, 'bin', 'python' + v); "
        "print(p if os.path.exists(p) else sys.executable); print(v)"
    )
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=QUICK)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    path, version = done.stdout.split()
    return path, version


def interpreters() -> Tuple[List[Tuple[str, str]], List[str]]:
    """([(interpreter, "3.X")] to test, [names not found]) for SORT_TEST_INSTALL_PYTHONS."""
    found, missing = [], []
    for name in os.environ.get("SORT_TEST_INSTALL_PYTHONS", "").split():
        path = shutil.which(name)
        base = base_interpreter(path) if path else None
        if base is None:
            missing.append(name)
        elif base not in found:
            found.append(base)
    return (found or [base_interpreter(sys.executable)]), missing


def index_problem() -> Optional[str]:
    """Why pip cannot fetch setuptools-rust here (no network, no index), or None."""
    with tempfile.TemporaryDirectory() as dest:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", dest]
        try:
            done = subprocess.run(
                command + ["setuptools-rust"], capture_output=True, text=True, timeout=300
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return str(error)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["pip failed"])[-1]
    return None


def copy_source(dest: str) -> None:
    """A clean clone: the sources, none of this checkout's build products."""

    def ignore(directory: str, names: List[str]) -> set:
        top = os.path.samefile(directory, SOURCE_DIR)
        return {
            name
            for name in names
            if name == "__pycache__"
            or name.endswith((".so", ".pyc", ".egg-info"))
            or (top and name in TOP_LEVEL_JUNK)
        }

    shutil.copytree(SOURCE_DIR, dest, ignore=ignore, symlinks=True)


def user_environment(bin_dir: str) -> dict:
    """This process's environment as a user's shell has it: no venv active, `python3` first."""
    env = dict(os.environ)
    for key in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "CONDA_PREFIX"):
        env.pop(key, None)
    own_bin = os.path.join(sys.prefix, "bin")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != own_bin]
    env["PATH"] = os.pathsep.join([bin_dir] + path)
    return env


def tail(log: str, size: int = 4000) -> str:
    return log if len(log) <= size else "...\n" + log[-size:]


class ArticleWay(unittest.TestCase):
    """The README's `python setup.py install` commands, verbatim, in fresh venvs."""

    @classmethod
    def setUpClass(cls) -> None:
        if os.environ.get("SORT_TEST_INSTALL") != "1":
            raise unittest.SkipTest(
                "slow (a release build in a fresh venv per interpreter): "
                "set SORT_TEST_INSTALL=1, or run `python3 -m tox -e article`"
            )
        if shutil.which("cargo") is None:
            raise unittest.SkipTest("no cargo on PATH: cannot build the extension")
        cls.block = article_block()
        cls.script = load_setup_script()
        problem = index_problem()
        if problem is not None:
            raise unittest.SkipTest(f"pip cannot fetch setuptools-rust here: {problem}")

    def test_readme_commands_in_fresh_venvs(self) -> None:
        found, missing = interpreters()
        for name in missing:
            with self.subTest(python=name):
                self.skipTest(f"no working {name} on PATH")
        for base, version in found:
            with self.subTest(python=version):
                with tempfile.TemporaryDirectory(prefix=f"sort-article-{version}-") as tmp:
                    self.check_article_way(base, tmp)

    def check_article_way(self, python: str, tmp: str) -> None:
        clone = os.path.join(tmp, "sort")
        copy_source(clone)
        # `python3` is the interpreter under test: a script that execs it, first on PATH.
        bin_dir = os.path.join(tmp, "bin")
        os.mkdir(bin_dir)
        with open(os.path.join(bin_dir, "python3"), "w") as f:
            f.write(f'#!/bin/sh\nexec "{python}" "$@"\n')
        os.chmod(os.path.join(bin_dir, "python3"), 0o755)
        env = user_environment(bin_dir)

        self.check_literal_article_commands(clone, tmp, env)

        done = subprocess.run(
            ["bash", "-e", "-x", "-c", self.block],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
        log = done.stdout + done.stderr
        self.assertEqual(done.returncode, 0, tail(log))
        self.assertIn(ARTICLE_OUTPUT, done.stdout)
        self.assertIn("--release", log, "setup.py install must build in release mode")

        # Installed into the venv (not found in the clone), by the interpreter under test.
        venv = os.path.realpath(os.path.join(clone, ".venv"))
        where = subprocess.run(
            [
                os.path.join(venv, "bin", "python"),
                "-c",
                "import sys, sort._sort as m; print(m.__file__); print(sys.base_prefix)",
            ],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=QUICK,
        )
        self.assertEqual(where.returncode, 0, where.stderr)
        module, base_prefix = where.stdout.split()
        self.assertTrue(os.path.realpath(module).startswith(venv + os.sep), module)
        installation = os.path.dirname(os.path.dirname(python))
        self.assertEqual(os.path.realpath(base_prefix), os.path.realpath(installation))

    def check_literal_article_commands(self, clone: str, tmp: str, env: dict) -> None:
        """The article's own two commands, where a fresh venv brings setuptools < 77 (3.9 to
        3.11): setup.py stops at once with one line naming the version and the command."""
        venv = os.path.join(tmp, "literal")
        venv_env = dict(env, PATH=os.path.join(venv, "bin") + os.pathsep + env["PATH"])
        venv_env["VIRTUAL_ENV"] = venv

        def run(*command: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                command, cwd=clone, env=venv_env, capture_output=True, text=True, timeout=HANG
            )

        made = subprocess.run(
            ["python3", "-m", "venv", venv], env=env, capture_output=True, text=True, timeout=QUICK
        )
        self.assertEqual(made.returncode, 0, made.stderr)
        bundled = run("python", "-c", "import setuptools; print(setuptools.__version__)")
        if bundled.returncode != 0 or not self.script.setuptools_problem(bundled.stdout.strip()):
            return  # no setuptools (3.12+) or a new one: the README's commands are the test
        installed = run("pip", "install", "setuptools-rust")
        self.assertEqual(installed.returncode, 0, tail(installed.stdout + installed.stderr))
        version = run("python", "-c", "import setuptools; print(setuptools.__version__)")
        expected = self.script.setuptools_problem(version.stdout.strip())
        if expected is None:
            return  # setuptools-rust pulled a new setuptools after all
        done = run("python", "setup.py", "install")
        self.assertEqual(done.returncode, 1, tail(done.stdout + done.stderr))
        self.assertEqual(done.stderr.strip().splitlines()[-1], expected)
        self.assertFalse(os.path.exists(os.path.join(clone, "target")), "nothing may be built")


if __name__ == "__main__":
    unittest.main()
