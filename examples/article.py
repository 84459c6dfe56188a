"""The REPL session of the 2016 article "Python+Rustでマルチスレッドな並列プログラミング".

Run: python examples/article.py   (after `pip install .`; takes about 0.8 s)

The article's sort.sleep_sort started one thread per value, each sleeping value x 100 ms and
then pushing into an Arc<Mutex<Vec<u32>>>. This package keeps that shape (one std::thread per
distinct value, a shared Arc<Mutex<Vec<_>>>, join them all) with the GIL released, a common
start instant, and a repair pass that makes the result sorted on any machine.
"""

import sort

values = [5, 1, 2, 6, 8, 2, 4, 2, 3, 8, 0, 2]
print(">>> import sort")
print(">>> sort.sleep_sort([5,1,2,6,8,2,4,2,3,8,0,2])")
print(sort.sleep_sort(values))
