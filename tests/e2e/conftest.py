"""One `connext demo` shared by the end-to-end tests: the steady site of
`support.site_demo` (DTSU666 + 2 inverters on a socat pty RTU line, one wallbox on
udp_multicast CAN, 2 outputs), whose numbers are known in advance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.site_demo import DemoProcess, steady_site


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    folder: Path = tmp_path_factory.mktemp("demo")
    process = DemoProcess(folder, *steady_site(folder, inverters=2, outputs=2))
    try:
        process.metrics_url()
        yield process
    finally:
        code = process.interrupt()
    assert code == 0, process.output()[-3000:]
    assert "the daemon exited with code 0" in process.output()
