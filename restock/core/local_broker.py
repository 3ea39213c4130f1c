"""Start a private mosquitto with restock's broker configuration on a loopback port.

Used by the tests, the benchmarks and the demo. The configuration is the deployment
one shipped in `restock/core/broker/`, with only the listener, the storage paths and
(optionally) authentication replaced, so what is tested is what is deployed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# Lines of the deployment config that a local instance replaces with its own.
_REPLACED = (
    "listener",
    "persistence_location",
    "password_file",
    "acl_file",
    "allow_anonymous",
    "log_dest",
    "pid_file",
    "user",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def deployment_config() -> str:
    """The shipped mosquitto.conf."""
    return resources.files("restock.core.broker").joinpath("mosquitto.conf").read_text()


def deployment_acl() -> str:
    """The shipped ACL file."""
    return resources.files("restock.core.broker").joinpath("acl").read_text()


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if not found:
        raise FileNotFoundError("mosquitto is not installed (scripts/system-deps installs it)")
    return found


@dataclass(kw_only=True)
class LocalBroker:
    """A mosquitto process owned by this object; `stop()` ends it by its PID."""

    workdir: Path
    port: int = 0
    users: dict[str, str] = field(default_factory=dict)  # username -> password; empty = anonymous
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def url_for(self, username: str) -> str:
        return f"mqtt://{username}:{self.users[username]}@127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        kept = [
            line
            for line in deployment_config().splitlines()
            if line.split(" ", 1)[0] not in _REPLACED
        ]
        kept += [
            f"listener {self.port} 127.0.0.1",
            f"persistence_location {data}/",
            f"log_dest file {self.workdir / 'mosquitto.log'}",
        ]
        if os.geteuid() == 0:
            # run as root, mosquitto would switch to its own user, who can't read our files
            kept.append("user root")
        if self.users:
            passwd = self.workdir / "passwd"
            passwd.write_text("")
            for user, password in self.users.items():
                subprocess.run(
                    ["mosquitto_passwd", "-b", str(passwd), user, password],
                    check=True,
                    capture_output=True,
                )
            passwd.chmod(0o600)
            acl = self.workdir / "acl"
            acl.write_text(deployment_acl())
            acl.chmod(0o600)
            kept += ["allow_anonymous false", f"password_file {passwd}", f"acl_file {acl}"]
        else:
            kept.append("allow_anonymous true")
        conf = self.workdir / "mosquitto.conf"
        conf.write_text("\n".join(kept) + "\n")
        return conf

    def start(self, timeout: float = 10.0) -> LocalBroker:
        if not self.port:
            self.port = free_port()
        conf = self.write_config()
        self.process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.workdir / "mosquitto.log").read_text(errors="replace")
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}: {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"mosquitto did not listen on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
