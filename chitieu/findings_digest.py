"""The reviewers' weekly e-mail of findings waiting for them, as the scheduler runs it: the
portal's own command (`python -m portal findings_digest`, portal/office/digest.py) in a
process of its own, so the scheduler never loads Django nor opens the portal's database
itself. Run by dags/chitieu_findings_digest.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 1800  # every reviewer's message, each with the alerts' own deadline


class DigestNotSent(RuntimeError):
    """The command ran and said which reviewers it could not reach, or did not run."""


def run_findings_digest(timeout_s: float = TIMEOUT_S) -> str:
    """Run the command; its report (who got a message, who was skipped) is returned, and a
    reviewer not reached, or a command that failed, is raised with the command's own words."""
    try:
        done = subprocess.run([sys.executable, "-m", "portal", "findings_digest"], cwd=PROJECT,
                              capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise DigestNotSent(f"python -m portal findings_digest took more than {timeout_s:g} s") from None
    report = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise DigestNotSent(f"python -m portal findings_digest exited {done.returncode}:\n{report[-4000:]}")
    return report
