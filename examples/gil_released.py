"""sleep_sort releases the GIL: a Python thread keeps working while the sort sleeps.

Run: python examples/gil_released.py   (after `pip install .`; takes about 1 s)

A counter thread increments a Python int in a loop and reports every 0.1 s. While the main
thread is blocked in sort.sleep_sort (about 0.6 s here), the counter keeps counting at full
speed, because the sleeping happens on Rust threads with the GIL released. A plain C call that
held the GIL for 0.6 s would freeze the counter for as long.
"""

import threading
import time

import sort

count = 0
stop = threading.Event()


def counter() -> None:
    global count
    while not stop.is_set():
        count += 1


def reporter(started: float) -> None:
    last = 0
    while not stop.wait(0.1):
        now = count
        print(f"  t={time.perf_counter() - started:4.2f} s  counter +{now - last:>10,}")
        last = now


values = [60, 0, 30, 45, 15]
started = time.perf_counter()
threads = [
    threading.Thread(target=counter),
    threading.Thread(target=reporter, args=(started,)),
]
for thread in threads:
    thread.start()
time.sleep(0.2)
print(f"main: sort.sleep_sort({values}, unit=0.01) ...")
before = count
call_started = time.perf_counter()
result = sort.sleep_sort(values, unit=0.01)
elapsed = time.perf_counter() - call_started
during = count - before
time.sleep(0.2)
stop.set()
for thread in threads:
    thread.join()
print(f"main: {result} after {elapsed:.2f} s")
print(f"the counter thread counted {during:,} times while sleep_sort was running")
