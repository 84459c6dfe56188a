"""sort.sleep_sort: results, bad input, the GIL, Ctrl-C and concurrent calls.

The ordering algorithm itself (common start, absolute deadlines, repair pass, cancellation,
refused spawns) is also covered by the Rust unit tests in src/algo/sleep.rs; these tests check
what a Python caller sees. No test asserts a speed: bounds on time only catch hangs.
"""

from __future__ import annotations

import enum
import fractions
import os
import random
import signal
import threading
import time
import unittest
from typing import Callable, Iterator, List

import sort
from sort import _sort

try:
    import numpy
except ImportError:  # pragma: no cover - numpy is in the `test` extra
    numpy = None

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is in the `test` extra
    given = None

# Far longer than any call here should take, even on a loaded 2-core machine.
HANG = 30.0
# The documented cap on distinct values (one thread each).
MAX_DISTINCT = 16_384


def thread_count() -> int:
    """Live threads of this process, as the kernel counts them."""
    return len(os.listdir("/proc/self/task"))


def steady_thread_count() -> int:
    """The thread count once threads joined by earlier code have left the kernel's list.

    Python's `Thread.join` returns before the OS thread is gone, and a joined thread can still
    be listed for a moment while the kernel reaps it.
    """
    deadline = time.monotonic() + HANG
    count = thread_count()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        again = thread_count()
        if again == count:
            break
        count = again
    return count


def settled_thread_count(expected: int) -> int:
    """The thread count once it reaches `expected`, or whatever it is after HANG seconds.

    A joined thread can still be listed for a moment while the kernel reaps it.
    """
    deadline = time.monotonic() + HANG
    count = thread_count()
    while count != expected and time.monotonic() < deadline:
        time.sleep(0.01)
        count = thread_count()
    return count


def interrupt_main_after(seconds: float) -> threading.Timer:
    """Sends SIGINT to the main thread, as Ctrl-C would, after `seconds`."""
    timer = threading.Timer(
        seconds, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)
    )
    timer.start()
    return timer


class WithDefaultSigint(unittest.TestCase):
    """Makes sure SIGINT raises KeyboardInterrupt (unittest -c would install its own handler)."""

    def setUp(self) -> None:
        self.addCleanup(signal.signal, signal.SIGINT, signal.getsignal(signal.SIGINT))
        signal.signal(signal.SIGINT, signal.default_int_handler)


class ArticleExample(unittest.TestCase):
    def test_the_articles_call_with_the_default_unit(self) -> None:
        # The REPL session of the 2016 article; the default unit of 0.1 s takes about 0.8 s.
        self.assertEqual(
            sort.sleep_sort([5, 1, 2, 6, 8, 2, 4, 2, 3, 8, 0, 2]),
            [0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8],
        )


class Results(unittest.TestCase):
    def test_empty_input_returns_a_new_empty_list(self) -> None:
        self.assertEqual(sort.sleep_sort([]), [])
        self.assertEqual(sort.sleep_sort(iter(()), unit=1000.0), [])
        empty: List[int] = []
        self.assertIsNot(sort.sleep_sort(empty), empty)

    def test_one_element(self) -> None:
        self.assertEqual(sort.sleep_sort([42]), [42])
        self.assertEqual(sort.sleep_sort([-42], unit=5.0), [-42])

    def test_duplicates_are_all_kept(self) -> None:
        values = [3, 1, 3, 3, 2, 1, 3, 2, 2, 2]
        self.assertEqual(sort.sleep_sort(values, unit=0.001), sorted(values))
        self.assertEqual(sort.sleep_sort([7] * 1000, unit=0.001), [7] * 1000)

    def test_negatives_sleep_relative_to_the_minimum(self) -> None:
        values = [3, -5, 0, -1, 2, -5]
        self.assertEqual(sort.sleep_sort(values, unit=0.001), [-5, -5, -1, 0, 2, 3])
        # Only the spread counts: this sleeps 2 ms, not a hundred million years.
        big = [10**18 + 2, 10**18, 10**18 + 1]
        self.assertEqual(sort.sleep_sort(big, unit=0.001), sorted(big))

    def test_the_whole_int64_range_at_unit_zero(self) -> None:
        values = [2**63 - 1, 0, -(2**63), -1, 1, 2**63 - 1]
        self.assertEqual(sort.sleep_sort(values, unit=0), sorted(values))

    def test_any_iterable_is_read_through_the_iterator_protocol(self) -> None:
        def generate() -> Iterator[int]:
            yield from [4, 1, 3]

        self.assertEqual(sort.sleep_sort(generate(), unit=0.001), [1, 3, 4])
        self.assertEqual(sort.sleep_sort({9, 2, 5}, unit=0.001), [2, 5, 9])
        self.assertEqual(sort.sleep_sort(frozenset({-1, 1}), unit=0.001), [-1, 1])
        self.assertEqual(sort.sleep_sort((2, 1), unit=0.001), [1, 2])
        self.assertEqual(sort.sleep_sort(range(5, 0, -1), unit=0.001), [1, 2, 3, 4, 5])
        self.assertEqual(sort.sleep_sort({3: "c", 1: "a"}, unit=0.001), [1, 3])

    def test_the_input_is_left_alone(self) -> None:
        values = [3, 1, 2]
        result = sort.sleep_sort(values, unit=0.001)
        self.assertEqual(values, [3, 1, 2])
        self.assertEqual(result, [1, 2, 3])

    def test_bools_count_as_zero_and_one_and_come_back_as_ints(self) -> None:
        result = sort.sleep_sort([True, 2, False, True], unit=0.001)
        self.assertEqual(result, [0, 1, 1, 2])
        self.assertEqual([type(x) for x in result], [int] * 4)

    def test_int_subclasses_and_index_objects_are_ints(self) -> None:
        class Color(enum.IntEnum):
            RED = 2
            BLUE = 1

        self.assertEqual(sort.sleep_sort([Color.RED, Color.BLUE, 0], unit=0.001), [0, 1, 2])
        if numpy is not None:
            array = numpy.array([3, -1, 2], dtype=numpy.int64)
            self.assertEqual(sort.sleep_sort(array, unit=0.001), [-1, 2, 3])

    def test_ten_thousand_elements_at_a_small_unit(self) -> None:
        rng = random.Random(2016)
        # 10,000 distinct values: 10,000 threads, sleeping at most 0.2 s.
        values = rng.sample(range(20_000), 10_000)
        self.assertEqual(sort.sleep_sort(values, unit=1e-5), sorted(values))
        # 10,000 elements with many duplicates: one thread per distinct value.
        values = [rng.randrange(-500, 500) for _ in range(10_000)]
        self.assertEqual(sort.sleep_sort(values, unit=1e-5), sorted(values))

    def test_unit_zero_is_still_sorted(self) -> None:
        # Every thread wakes at the start instant: the repair pass does all the work.
        rng = random.Random(8)
        values = [rng.randrange(-(10**12), 10**12) for _ in range(3_000)]
        self.assertEqual(sort.sleep_sort(values, unit=0), sorted(values))
        self.assertEqual(sort.sleep_sort(values, unit=0.0), sorted(values))

    def test_unit_may_be_any_real_number(self) -> None:
        self.assertEqual(sort.sleep_sort([2, 1], unit=fractions.Fraction(1, 1000)), [1, 2])
        self.assertEqual(sort.sleep_sort([2, 1], unit=0), [1, 2])
        self.assertEqual(sort.sleep_sort([2, 1], unit=-0.0), [1, 2])

    def test_the_arrivals_diagnostic_holds_every_value(self) -> None:
        values = [5, 1, 2, 6, 8, 2, 4, 2, 3, 8, 0, 2]
        arrivals = _sort._sleep_sort_arrivals(values, 0.001)
        # Arrival order is usually sorted already, but nothing guarantees it.
        self.assertEqual(sorted(arrivals), sorted(values))
        self.assertEqual(_sort._sleep_sort_arrivals([], 0.001), [])

    def test_the_cap_itself_is_allowed(self) -> None:
        values = list(range(MAX_DISTINCT, 0, -1)) + [1, 2, 3]
        self.assertEqual(sort.sleep_sort(values, unit=1e-6), sorted(values))


if given is not None:

    class Properties(unittest.TestCase):
        @settings(max_examples=60, deadline=None)
        @given(
            st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40),
        )
        def test_matches_sorted_at_unit_zero(self, values: List[int]) -> None:
            self.assertEqual(sort.sleep_sort(values, unit=0), sorted(values))

        @settings(max_examples=30, deadline=None)
        @given(st.lists(st.integers(-50, 50), max_size=60))
        def test_matches_sorted_at_a_small_unit(self, values: List[int]) -> None:
            self.assertEqual(sort.sleep_sort(values, unit=1e-4), sorted(values))


class BadInput(unittest.TestCase):
    def assert_raises_mentioning(
        self, error: type, words: List[str], call: Callable[[], object]
    ) -> None:
        with self.assertRaises(error) as caught:
            call()
        for word in words:
            self.assertIn(word, str(caught.exception))

    def test_a_non_int_element_is_a_type_error_naming_its_index_and_type(self) -> None:
        cases = [
            ([1, 2, 1.0], ["element 2", "'float'"]),
            ([1.5], ["element 0", "'float'"]),
            (["3", 1], ["element 0", "'str'"]),
            ([1, None], ["element 1", "'NoneType'"]),
            ([1, 2, 3, [4]], ["element 3", "'list'"]),
        ]
        for values, words in cases:
            with self.subTest(values=values):
                self.assert_raises_mentioning(
                    TypeError, words, lambda: sort.sleep_sort(values, unit=0)
                )

    def test_an_int_beyond_64_bits_is_an_overflow_error_naming_its_index(self) -> None:
        for values, index in [([0, 2**63], 1), ([-(2**63) - 1], 0), ([1, 2, 10**100], 2)]:
            with self.subTest(values=values):
                self.assert_raises_mentioning(
                    OverflowError,
                    [f"element {index}", "64 bits"],
                    lambda: sort.sleep_sort(values, unit=0),
                )

    def test_a_negative_nan_or_infinite_unit_is_a_value_error(self) -> None:
        for unit in [-0.1, -1, float("nan"), float("inf"), float("-inf")]:
            with self.subTest(unit=unit):
                self.assert_raises_mentioning(
                    ValueError, ["unit"], lambda: sort.sleep_sort([1, 2], unit=unit)
                )

    def test_a_unit_that_is_not_a_number_is_a_type_error(self) -> None:
        for unit in ["0.1", None, [0.1], 1j]:
            with self.subTest(unit=unit):
                self.assert_raises_mentioning(
                    TypeError,
                    ["unit", type(unit).__name__],
                    lambda: sort.sleep_sort([1, 2], unit=unit),
                )

    def test_a_unit_too_large_for_a_duration_is_an_overflow_error(self) -> None:
        for unit in [1e300, 10**400]:
            with self.subTest(unit=unit):
                self.assert_raises_mentioning(
                    OverflowError, ["unit"], lambda: sort.sleep_sort([1, 2], unit=unit)
                )

    def test_any_finite_unit_is_fine_when_nothing_sleeps(self) -> None:
        # No value, one value, or all values equal: every sleep is 0 x unit.
        for unit in [1e300, 10**400, 2.0**70]:
            with self.subTest(unit=unit):
                self.assertEqual(sort.sleep_sort([], unit=unit), [])
                self.assertEqual(sort.sleep_sort([5], unit=unit), [5])
                self.assertEqual(sort.sleep_sort([7, 7, 7], unit=unit), [7, 7, 7])
                self.assertEqual(sort.sleep_sort(iter([-3]), unit=unit), [-3])

    def test_a_sleep_too_long_to_schedule_is_an_overflow_error(self) -> None:
        # max - min = 2**64 - 1 (more than an i64 holds) seconds: no clock reaches that.
        self.assert_raises_mentioning(
            OverflowError,
            ["too long"],
            lambda: sort.sleep_sort([-(2**63), 2**63 - 1], unit=1.0),
        )
        self.assert_raises_mentioning(
            OverflowError, ["too long"], lambda: sort.sleep_sort([0, 2**62], unit=1e9)
        )

    def test_more_distinct_values_than_the_cap_is_a_value_error_before_any_spawn(self) -> None:
        before = steady_thread_count()
        self.assert_raises_mentioning(
            ValueError,
            [str(MAX_DISTINCT), "distinct"],
            # A unit of an hour: had anything started sleeping, this would hang.
            lambda: sort.sleep_sort(range(MAX_DISTINCT + 1), unit=3600.0),
        )
        self.assertEqual(thread_count(), before)

    def test_a_non_iterable_is_a_type_error(self) -> None:
        with self.assertRaises(TypeError):
            sort.sleep_sort(5, unit=0)  # type: ignore[arg-type]

    def test_an_error_raised_by_the_iterable_propagates(self) -> None:
        def failing() -> Iterator[int]:
            yield 1
            raise ZeroDivisionError("from the generator")

        with self.assertRaisesRegex(ZeroDivisionError, "from the generator"):
            sort.sleep_sort(failing(), unit=0)

    def test_the_unit_is_checked_before_the_values_are_consumed(self) -> None:
        values = iter([3, 1, 2])
        with self.assertRaises(ValueError):
            sort.sleep_sort(values, unit=-1)
        self.assertEqual(next(values), 3)


class ReleasesTheGil(unittest.TestCase):
    def test_a_python_thread_keeps_running_during_the_sort(self) -> None:
        progress = [0]
        stop = threading.Event()

        def count() -> None:
            while not stop.is_set():
                progress[0] += 1

        counter = threading.Thread(target=count)
        counter.start()
        try:
            while progress[0] == 0:  # the counter is running before the sort starts
                time.sleep(0.001)
            before = progress[0]
            result = sort.sleep_sort([30, 0, 15], unit=0.01)  # sleeps about 0.3 s
            during = progress[0] - before
        finally:
            stop.set()
            counter.join()
        self.assertEqual(result, [0, 15, 30])
        # Holding the GIL for 0.3 s would leave the counter at a standstill; a free Python
        # loop counts millions of times.
        self.assertGreater(during, 1_000)


class CtrlC(WithDefaultSigint):
    def test_sigint_during_a_long_sleep_raises_keyboard_interrupt_and_joins_threads(
        self,
    ) -> None:
        before = steady_thread_count()
        timer = interrupt_main_after(0.3)
        started = time.monotonic()
        try:
            with self.assertRaises(KeyboardInterrupt):
                # The longest sleep is 600 s.
                sort.sleep_sort([6000, 0, 1, 3000, 5999], unit=0.1)
        finally:
            timer.join()
        self.assertLess(time.monotonic() - started, HANG)
        self.assertEqual(settled_thread_count(before), before)

    def test_sigint_while_threads_are_being_spawned(self) -> None:
        before = steady_thread_count()
        # Spawning 10,000 threads takes a good part of a second; interrupt in the middle.
        timer = interrupt_main_after(0.05)
        started = time.monotonic()
        try:
            with self.assertRaises(KeyboardInterrupt):
                sort.sleep_sort(range(10_000), unit=60.0)
        finally:
            timer.join()
        self.assertLess(time.monotonic() - started, HANG)
        self.assertEqual(settled_thread_count(before), before)

    def test_a_sort_after_an_interrupted_one_works(self) -> None:
        timer = interrupt_main_after(0.2)
        try:
            with self.assertRaises(KeyboardInterrupt):
                sort.sleep_sort([0, 600], unit=1.0)
        finally:
            timer.join()
        self.assertEqual(sort.sleep_sort([2, 0, 1], unit=0.001), [0, 1, 2])


class ConcurrentCalls(WithDefaultSigint):
    def test_several_python_threads_sort_at_once(self) -> None:
        rng = random.Random(4)
        inputs = [[rng.randrange(-30, 30) for _ in range(200)] for _ in range(6)]
        results: List[object] = [None] * len(inputs)

        def work(i: int) -> None:
            try:
                results[i] = sort.sleep_sort(inputs[i], unit=0.005)
            except BaseException as error:  # reported by the assertion below
                results[i] = error

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(HANG)
        self.assertEqual(results, [sorted(values) for values in inputs])

    def test_calls_do_not_wait_for_each_other(self) -> None:
        # The main thread sleeps for up to 600 s; another thread's short sorts must finish
        # meanwhile (a global lock would make them wait), then it interrupts the main thread.
        before = steady_thread_count()
        results: List[object] = []

        def short_sorts_then_interrupt() -> None:
            time.sleep(0.1)
            try:
                for values in ([3, 1, 2], [0, -4, 9, -4]):
                    results.append(sort.sleep_sort(values, unit=0.001))
            finally:
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        # A watchdog, in case the short sorts hang: then `results` stays incomplete.
        watchdog = interrupt_main_after(HANG)
        other = threading.Thread(target=short_sorts_then_interrupt)
        other.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                sort.sleep_sort([0, 600], unit=1.0)
        finally:
            other.join(HANG)
            watchdog.cancel()
            watchdog.join()
        self.assertEqual(results, [[1, 2, 3], [-4, -4, 0, 9]])
        self.assertEqual(settled_thread_count(before), before)


class ThreadsAreJoined(unittest.TestCase):
    def test_no_thread_outlives_a_call(self) -> None:
        before = steady_thread_count()
        sort.sleep_sort(range(500), unit=1e-5)
        for bad in ([1.0], [2**64]):
            with self.assertRaises((TypeError, OverflowError)):
                sort.sleep_sort(bad, unit=0)
        self.assertEqual(settled_thread_count(before), before)


if __name__ == "__main__":
    unittest.main()
