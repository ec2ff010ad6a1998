"""A throwaway PostgreSQL cluster for the shared-ledger tests.

Started from the Debian server binaries (``apt-get install postgresql``) with
initdb and pg_ctl in a temp folder, on a free loopback port, with trust auth.
PostgreSQL refuses to run as root, so under root (as in CI) the cluster runs as
the unprivileged ``postgres`` user (or ``nobody``) via runuser.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

USER = "bonusbook"


def bin_dir() -> Path | None:
    """The folder with initdb and pg_ctl, newest major version first."""
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0, reverse=True)
    for exe in ("initdb", "pg_ctl"):
        found = shutil.which(exe)
        if found:
            cands.append(str(Path(os.path.realpath(found)).parent))
    for c in cands:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _runner() -> tuple[list[str], str | None]:
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], name
    raise RuntimeError("running as root and no unprivileged user (postgres/nobody) to run PostgreSQL")


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield its URL; stop it and remove its files."""
    bins = bin_dir()
    assert bins is not None
    prefix, user = _runner()
    base = Path(tempfile.mkdtemp(prefix="bonusbook-pg-"))
    if user:
        shutil.chown(base, user)
    data, log, port = base / "data", base / "server.log", _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def run(*args: str, timeout: int = 120) -> None:
        subprocess.run(prefix + [str(bins / args[0]), *args[1:]], check=True, cwd=base, env=env, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C.UTF-8")
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=30"
        run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start")
        try:
            yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
        finally:
            with contextlib.suppress(Exception):
                run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as e:
        detail = (e.stderr or b"").decode(errors="replace")[-800:]
        tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
        raise RuntimeError(f"could not start PostgreSQL: {detail}\n{tail}") from e
    finally:
        shutil.rmtree(base, ignore_errors=True)
