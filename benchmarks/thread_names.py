"""`connext` with its Python thread names published, for bench_footprint.py.

    python benchmarks/thread_names.py OUT.json run --config config.toml

Runs the CLI exactly as `connext` does, plus one thread that writes {native thread id:
thread name} to OUT.json every few seconds, so a benchmark can attribute the CPU time in
/proc/<pid>/task/<tid>/stat to actors (Python 3.11 does not name OS threads).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from connext.bin.cli import main

PERIOD_S = 5.0


def publish(path: str) -> None:
    while True:
        names = {t.native_id: t.name for t in threading.enumerate()}
        with open(f"{path}.tmp", "w", encoding="utf-8") as out:
            json.dump(names, out)
        os.replace(f"{path}.tmp", path)
        time.sleep(PERIOD_S)


if __name__ == "__main__":
    threading.Thread(target=publish, args=(sys.argv[1],), name="thread-names", daemon=True).start()
    sys.exit(main(sys.argv[2:]))
