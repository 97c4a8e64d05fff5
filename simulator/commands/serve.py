"""`codedesk serve`: the same app in a browser; every connection runs its own codedesk here."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import re
import shlex
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.commands.common import CliError, open_book

if TYPE_CHECKING:
    from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WILDCARD_HOSTS = {"", "0.0.0.0", "::"}
SHUTDOWN_SECONDS = 10.0
HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the top-level `serve` command."""
    serve = sub.add_parser(
        "serve",
        help="serve CodeDesk to web browsers (each connection runs its own codedesk here)",
        description=(
            "Serve CodeDesk over HTTP with textual-serve: a candidate or trainee opens the "
            "address in a browser and gets the same app as in a terminal. Every browser "
            "connection starts its own codedesk process on this machine, so the packs, the "
            "answer keys and the session database never leave it. Listens on loopback "
            "(127.0.0.1) unless told otherwise; put a TLS reverse proxy in front before "
            "opening it to a network (docs/SERVE.md)."
        ),
        epilog=(
            "examples:\n"
            "  codedesk serve --pack my-pack --trainee cohort-7\n"
            "  codedesk serve --port 8080 -- shift --pack my-pack --hours 2\n"
            "  codedesk serve -- assess take sealed.cdassess --candidate C-0042\n"
            "Everything after `--` is the codedesk command that each browser connection runs."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help=(
            "the address browsers open, when it differs from the one they reach the server "
            "by (default: taken from each request, X-Forwarded-Proto and -Host included)"
        ),
    )
    served = serve.add_argument_group(
        "the default command (codedesk practice), when no command follows `--`"
    )
    served.add_argument("--pack", type=Path, help="pack folder (default: the built-in starter)")
    served.add_argument("--trainee", help="trainee name or ID recorded with every session")
    served.add_argument("--seed", type=int, help="seed for the synthetic patients and variants")
    served.add_argument("--theme", help="colour theme")
    serve.add_argument(
        "command_args",
        nargs=argparse.REMAINDER,
        metavar="-- COMMAND ...",
        help="the codedesk command each connection runs (default: practice)",
    )
    serve.set_defaults(handler=serve_app)


def serve_app(args: argparse.Namespace) -> int:
    """Check the arguments, build the codebook index once, then serve until Ctrl+C."""
    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, not {args.port}")
    if args.public_url is not None and not args.public_url.startswith(("http://", "https://")):
        raise CliError(f"--public-url must start with http:// or https://, not {args.public_url!r}")
    host = args.host.strip("[]")
    command_args = served_command(args)
    check_served(command_args)
    if not is_loopback(host) and not (args.public_url or "").startswith("https://"):
        print(insecure_warning(host, args.port), file=sys.stderr)
    check_can_listen(host, args.port)
    open_book()
    command = shlex.join([sys.executable, "-m", "simulator", *command_args])
    server = make_server(command, host, args.port, args.public_url, command_args)
    try:
        server.serve()
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def served_command(args: argparse.Namespace) -> list[str]:
    """Return the codedesk arguments each browser connection runs."""
    rest = list(args.command_args)
    if rest[:1] == ["--"]:
        rest = rest[1:]
    options = {
        "--pack": str(args.pack.resolve()) if args.pack is not None else None,
        "--trainee": args.trainee,
        "--seed": str(args.seed) if args.seed is not None else None,
        "--theme": args.theme,
    }
    given = [name for name, value in options.items() if value is not None]
    if rest:
        if given:
            raise CliError(
                f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} only to the "
                "default command; with a command after `--`, put them in that command instead"
            )
        return rest
    if args.pack is not None and not args.pack.exists():
        raise CliError(f"{args.pack}: no such pack folder")
    command = ["practice"]
    for name, value in options.items():
        if value is not None:
            command += [name, value]
    return command


def check_served(command_args: list[str]) -> None:
    """Parse the served command as codedesk would, so a mistake shows here and not per browser."""
    from simulator.cli import _parser

    if command_args[0] == "serve":
        raise CliError("the served command cannot be `serve` itself")
    try:
        parsed = _parser().parse_args(command_args)
    except SystemExit as exc:
        if exc.code == 0:
            raise
        raise CliError(
            f"not a codedesk command to serve: codedesk {shlex.join(command_args)}"
        ) from None
    pack = getattr(parsed, "pack", None)
    if isinstance(pack, Path) and not pack.exists():
        raise CliError(f"{pack}: no such pack folder or file")


def is_loopback(host: str) -> bool:
    """Whether every address the host name stands for is on this machine only."""
    if host in WILDCARD_HOSTS:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        raise CliError(f"--host {host}: no such host name or address on this machine") from None
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in found)


def check_can_listen(host: str, port: int) -> None:
    """Bind the address once before starting, so a port in use is one clear line, not a trace."""
    bind_host = None if host in WILDCARD_HOSTS else host
    try:
        found = socket.getaddrinfo(
            bind_host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError:
        raise CliError(f"--host {host}: no such host name or address on this machine") from None
    for family, kind, proto, _name, address in found:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def insecure_warning(host: str, port: int) -> str:
    """The warning shown when listening beyond loopback with no TLS in front."""
    return (
        f"codedesk serve: WARNING: listening on {host}:{port}, beyond this machine, over plain "
        "HTTP. Every key a candidate types and every screen (synthetic charts, codes, "
        "feedback) cross the network unencrypted, and anyone who reaches this port can start "
        "a session. Put a TLS reverse proxy in front and listen on 127.0.0.1 instead, or pass "
        "--public-url https://... once one is in front (see docs/SERVE.md)."
    )


def request_origin(request: web.Request, fallback: str) -> str:
    """The scheme, host and port the browser used, as a reverse proxy reports them."""
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    if scheme not in ("http", "https"):
        scheme = request.scheme
    if not HOST_HEADER.fullmatch(host):
        host = fallback
    return f"{scheme}://{host}"


def make_server(
    command: str, host: str, port: int, public_url: str | None, command_args: list[str]
) -> Any:
    """Build the textual-serve server whose pages point at the address the browser used."""
    from textual_serve.server import Server

    class CodeDeskServer(Server):
        """textual-serve with per-request page addresses, CodeDesk's messages, a quick stop."""

        connections: set[asyncio.Task[Any]] = set()
        """The websocket handlers running now, one per browser connection."""

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """Run one browser connection's codedesk, remembered so a stop can end it."""
            task = asyncio.current_task()
            assert task is not None
            self.connections.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.connections.discard(task)

        async def on_shutdown(self, app: web.Application) -> None:
            """Tell every running codedesk to quit and wait for them, so none is left over."""
            running = list(self.connections)
            for task in running:
                task.cancel()
            if running:
                await asyncio.wait(running, timeout=SHUTDOWN_SECONDS)

        async def handle_index(self, request: web.Request) -> Any:
            """Serve the page, its websocket and assets addressed as the browser reached us."""
            self.public_url = public_url or request_origin(request, f"{_url_host(host)}:{port}")
            return await super().handle_index(request)

        async def on_startup(self, app: web.Application) -> None:
            """Say where the app is served and what every connection runs."""
            shown = public_url or f"http://{_url_host(host)}:{port}"
            print(f"CodeDesk is served on {shown}", flush=True)
            print(f"each browser connection runs: codedesk {shlex.join(command_args)}")
            print("press Ctrl+C to stop", flush=True)

    return CodeDeskServer(command, host=host, port=port, title="CodeDesk", public_url=public_url)


def _url_host(host: str) -> str:
    """The host as it is written in a URL (IPv6 in brackets, wildcards as this machine)."""
    if host in WILDCARD_HOSTS:
        return socket.gethostname()
    return f"[{host}]" if ":" in host else host
