"""The printable review: the HTML page printed to an A4 PDF by headless Chromium (Debian's).

Chromium (131 and later) draws the CSS page-margin box with "Trang n / N", repeats table
headers on every page and keeps rows whole (the template's print CSS). Chromium is optional
at run time: without it the HTML and the workbook are still written and the run logs that the
PDF was skipped, so the nightly job never fails on a machine without a browser.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    """CHITIEU_CHROMIUM, else the first Chromium on PATH."""
    configured = os.environ.get("CHITIEU_CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if Path(configured).exists() else None)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(chromium: str, args: list[str], timeout: float) -> None:
    # A throwaway profile: two runs at once never share (or lock) one, and nothing of the
    # user's own browser profile is read.
    with tempfile.TemporaryDirectory(prefix="chitieu-chromium-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)


def html_to_pdf(html_file: Path, pdf_file: Path, chromium: str | None = None,
                timeout: float = 120) -> Path | None:
    """Print `html_file` to `pdf_file`; None (and a log line) when no Chromium is installed."""
    chromium = chromium or find_chromium()
    if not chromium:
        log.warning("PDF skipped: no Chromium on PATH (install Debian's chromium); %s written",
                    html_file.name)
        return None
    tmp = pdf_file.with_suffix(".pdf.tmp")
    try:
        _run(chromium, ["--no-pdf-header-footer", f"--print-to-pdf={tmp}",
                        html_file.resolve().as_uri()], timeout)
        if not pdf_is_whole(tmp):  # a full volume truncates it, and Chromium may not say so
            raise RuntimeError(f"Chromium wrote no whole PDF for {html_file} (a full disk?)")
        tmp.replace(pdf_file)
    finally:
        tmp.unlink(missing_ok=True)
    return pdf_file


def pdf_is_whole(pdf_file: Path) -> bool:
    """Whether a PDF was written to its end: it opens with %PDF-, ends with %%EOF, and
    pdfinfo (poppler), where installed, reads its page count."""
    try:
        with open(pdf_file, "rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, pdf_file.stat().st_size - 1024))
            tail = fh.read()
    except OSError:
        return False
    if head != b"%PDF-" or b"%%EOF" not in tail:
        return False
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return True
    try:
        info = subprocess.run([pdfinfo, str(pdf_file)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return info.returncode == 0 and "Pages:" in info.stdout


def screenshot(html_file: Path, png_file: Path, width: int = 1280, height: int = 2000,
               chromium: str | None = None, timeout: float = 120) -> Path:
    """A PNG of the page as a browser shows it (for the README and the tests' artifacts)."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise FileNotFoundError("no Chromium on PATH")
    _run(chromium, [f"--screenshot={png_file.resolve()}", f"--window-size={width},{height}",
                    "--hide-scrollbars", html_file.resolve().as_uri()], timeout)
    return png_file
