"""Connecting to Ray without ever hanging.

``ray.init`` waits a long time (and retries) when the head node is gone or the machine has no usable
loopback. Both are checked first with short socket timeouts, so the command ends at once with one line
that says what is wrong.
"""

from __future__ import annotations

import logging
import os
import socket
from urllib.parse import urlsplit

from storyline.runner import ONE_THREAD
from storyline.scale.errors import RayUnavailable

CHECK_TIMEOUT = 3.0  # seconds for a TCP connection to the head, or to ourselves on 127.0.0.1
DEFAULT_GCS_PORT = 6379  # what `ray start --head` listens on
CLIENT_PORT = 10001  # the Ray client server (ray:// addresses)


def head_endpoint(address: str) -> tuple[str, int]:
    """Host and port of a head address: ``host:port``, ``host`` (port 6379) or ``ray://host[:10001]``."""
    if "://" in address:
        parts = urlsplit(address)
        if not parts.hostname:
            raise RayUnavailable(f"cannot read a host in the Ray address {address!r}")
        return parts.hostname, parts.port or CLIENT_PORT
    host, _, port = address.rpartition(":")
    if not host:
        return address, DEFAULT_GCS_PORT
    if not port.isdigit():
        raise RayUnavailable(f"the port in the Ray address {address!r} is not a number")
    return host.strip("[]"), int(port)


def check_head(address: str, timeout: float = CHECK_TIMEOUT) -> None:
    """Raise :class:`RayUnavailable` unless something accepts TCP connections at the head's address."""
    host, port = head_endpoint(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__)
        raise RayUnavailable(
            f"no Ray head node answers at {host}:{port} ({reason} after {timeout:g} s): start one with "
            "`ray start --head`, or leave out --address to run a local instance"
        ) from exc


def check_loopback(timeout: float = CHECK_TIMEOUT) -> None:
    """Raise :class:`RayUnavailable` unless this machine can connect to itself on 127.0.0.1, which a local
    Ray instance needs (containers without a loopback interface cannot)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            server.settimeout(timeout)
            with socket.create_connection(server.getsockname(), timeout=timeout):
                server.accept()[0].close()
    except OSError as exc:
        raise RayUnavailable(
            f"127.0.0.1 is not usable here ({exc.strerror or type(exc).__name__}), so a local Ray instance "
            "cannot start: bring up the loopback interface, or give --address of a running cluster"
        ) from exc


def connect(address: str | None = None, *, workers: int = 1) -> None:
    """Attach this process to the cluster at ``address``, or start a local instance with ``workers`` CPUs.
        A no-op when this process is already attached. Each worker runs numerical libraries on one thread (as
        the local engine's workers do): one actor is one core's worth of work. The ``STORYLINE_*`` variables of
    this process (the knowledge base's path, ...) are set on every worker, so a remote worker reads as this
    machine would; secrets (tokens, passwords, keys) are not."""
    import ray

    if ray.is_initialized():
        return
    if address:
        check_head(address)
    else:
        check_loopback()
    env = {name: "1" for name in ONE_THREAD}
    env |= {name: value for name, value in os.environ.items() if _forwarded(name)}
    options: dict[str, object] = {
        "runtime_env": {"env_vars": env},
        "log_to_driver": False,
        "logging_level": logging.WARNING,
    }
    if address:
        options["address"] = address
    else:
        options.update(num_cpus=workers, include_dashboard=False)
    try:
        ray.init(**options)  # type: ignore[arg-type]
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RayUnavailable(f"cannot start Ray: {first}") from exc
    _quiet()


def _forwarded(name: str) -> bool:
    secret = any(word in name for word in ("TOKEN", "SECRET", "PASSWORD", "KEY"))
    return name.startswith("STORYLINE_") and not secret


def _quiet() -> None:
    """Ray Data's progress bars and INFO lines would bury the command's own summary."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray").setLevel(logging.WARNING)
    logging.getLogger("ray.data").setLevel(logging.WARNING)
