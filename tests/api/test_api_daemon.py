"""The API inside the daemon process: started beside the debug socket on its own
(configurable, port-0-able) address, counted in /metrics, stopped cleanly on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from support.api_client import ApiClient
from support.core_helpers import config_file
from support.waiting import wait_until

from connext.bin.debug_client import request

TESTS = Path(__file__).resolve().parents[1]


def test_the_daemon_serves_the_api_and_stops_it_on_sigterm(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    config.write_text(config.read_text() + '[api]\nenabled = true\nlisten = "127.0.0.1:0"\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "connext.bin.cli", "run", "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONPATH": str(TESTS)},
    )  # fmt: skip
    try:
        sock = tmp_path / "state" / "connext.sock"
        wait_until(lambda: process.poll() is None and sock.exists(), what="the debug socket")
        version = wait_until(lambda: _version_with_api(sock), what="the api endpoint in version")
        url = urlsplit(version["api"])
        assert url.hostname == "127.0.0.1" and url.port and url.port > 0
        api = ApiClient(url.port)
        assert api.request("GET", "/api/health").body == {"status": "ok"}
        token = api.register("olivia", "owner-password")
        assert api.request("GET", "/api/actors", token=token).body["actors"][0]["name"] == "supervisor"
        scrape = urllib.request.urlopen(version["metrics"], timeout=10).read().decode()
        assert 'connext_api_requests_total{code="201"} 1.0' in scrape
        promtool = shutil.which("promtool")
        assert promtool, "promtool missing: `make test` installs it (Debian package prometheus)"
        lint = subprocess.run([promtool, "check", "metrics"], input=scrape, capture_output=True, text=True, timeout=30)
        assert lint.returncode == 0, lint.stdout + lint.stderr
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert f"api http://127.0.0.1:{url.port}/" in output and "connext stopped" in output
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", url.port)) != 0  # nothing listens any more


def _version_with_api(sock: Path) -> dict | None:
    try:
        reply = request(str(sock), {"cmd": "version"})
    except OSError:
        return None
    return reply if reply.get("api") else None
