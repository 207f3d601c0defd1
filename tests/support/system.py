"""Debian packages the tests need (gdal-bin, chromium): installed when missing,
as root (CI is root); otherwise the test skips with the command to run, and
with CI=true it fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def ensure_command(command: str, package: str) -> str:
    """The path of ``command``, installing Debian's ``package`` if need be."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False, stdout=subprocess.DEVNULL)
        proc = subprocess.run(["apt-get", "install", "-y", "-q", package], env=env, capture_output=True, text=True)
        found = shutil.which(command)
        if found:
            return found
        reason = f"apt-get install {package} failed: {proc.stderr.strip()[-300:]}"
    else:
        reason = f"{command} is missing: apt-get install {package}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)
    raise AssertionError("unreachable")
