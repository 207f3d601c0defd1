"""A throwaway PostgreSQL + PostGIS cluster for the tests.

Installs Debian's PostgreSQL and PostGIS packages when they are missing (as
root, as CI is), starts a cluster on a free port in a temporary directory and
stops it at the end. ``OPENRUIMTE_TEST_POSTGRES_URL`` uses a server of your own
instead (the database named there must allow CREATE DATABASE).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostGISUnavailable(RuntimeError):
    """PostgreSQL + PostGIS cannot be installed or started here; says why."""


def _major_versions() -> list[str]:
    return sorted(
        (Path(p).parent.parent.name for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")), key=int, reverse=True
    )


def _postgis_installed(major: str) -> bool:
    return bool(glob.glob(f"/usr/share/postgresql/{major}/extension/postgis.control"))


def _apt(*packages: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env, stdout=subprocess.DEVNULL)


def ensure_installed() -> str:
    """The PostgreSQL major version with PostGIS, installing it if need be."""
    majors = _major_versions()
    if majors and _postgis_installed(majors[0]):
        return majors[0]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise PostGISUnavailable(
            "PostgreSQL with PostGIS is not installed and this user cannot install it: "
            "apt-get install postgresql postgresql-15-postgis-3, or set OPENRUIMTE_TEST_POSTGRES_URL"
        )
    if not majors:
        _apt("postgresql")
        majors = _major_versions()
    _apt(f"postgresql-{majors[0]}-postgis-3")
    if not _postgis_installed(majors[0]):
        raise PostGISUnavailable(f"installed postgresql-{majors[0]}-postgis-3 but postgis.control is still missing")
    return majors[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster in a temporary directory, owned by the ``postgres``
    user when run as root (initdb refuses root)."""

    def __init__(self) -> None:
        self.major = ensure_installed()
        self.bin = Path(f"/usr/lib/postgresql/{self.major}/bin")
        self.dir = Path(tempfile.mkdtemp(prefix="openruimte-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._counter = 0

    def _run(self, *args: str) -> None:
        proc = subprocess.run([*self._as, *args], capture_output=True, text=True)
        if proc.returncode != 0:
            raise PostGISUnavailable(f"{' '.join(args[:2])} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def start(self) -> Cluster:
        if self._as:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start"
        )
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        return self

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                [*self._as, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


def new_database(admin_url: str, name: str) -> str:
    """Create database ``name`` with PostGIS; returns its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    finally:
        engine.dispose()
    return url


def wait_for(url: str, seconds: float = 10) -> None:
    import sqlalchemy as sa

    deadline = time.monotonic() + seconds
    while True:
        try:
            engine = sa.create_engine(url)
            with engine.connect():
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            engine.dispose()
