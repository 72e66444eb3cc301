"""pandas.read_csv of the benchmark's event log: wall time and the process's peak RSS.

Prints one JSON line. Peak RSS (ru_maxrss) includes the interpreter and pandas itself, so
the RSS after `import pandas` is printed too.
"""
import json
import resource
import sys
import time

import pandas

path = sys.argv[1]
after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
started = time.perf_counter()
frame = pandas.read_csv(path)
seconds = time.perf_counter() - started
print(json.dumps({
    "pandas": pandas.__version__,
    "rows": len(frame),
    "seconds": seconds,
    "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "rssAfterImportBytes": after_import,
}))
