"""A small Chrome DevTools Protocol client: headless Chromium, a cookie, a page, a PNG.

A logged-in page needs the session cookie, which Chromium's own `--screenshot` flag cannot
set; so the test drives Chromium over the DevTools websocket (the `websockets` package the
project's environment already has), never downloading a browser.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect


class Page:
    """One tab, spoken to over its websocket with numbered commands."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._next = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:  # events arrive interleaved with answers; only our answer matters
            message = json.loads(self._ws.recv(timeout=60))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float) -> None:
        """Poll a JavaScript condition until true; raise after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.5)
        raise TimeoutError(f"page condition not met in {timeout:.0f} s: {expression}")

    def screenshot(self, out: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))
        return out


@contextmanager
def chromium_page(chromium: str, width: int = 1600, height: int = 1400) -> Iterator[Page]:
    """A headless Chromium with one blank page; the browser is killed on exit."""
    with tempfile.TemporaryDirectory(prefix="chitieu-chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Chromium did not open its DevTools port")
                time.sleep(0.2)
            port = port_file.read_text().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
                targets = json.load(resp)
            page_ws = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            with connect(page_ws, max_size=None, open_timeout=20) as ws:
                page = Page(ws)
                page.send("Page.enable")
                page.send("Network.enable")
                page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                          deviceScaleFactor=1, mobile=False)
                yield page
        finally:
            # Chromium's renderer and GPU helpers share its process group: end them all.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
