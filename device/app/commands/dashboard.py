"""``deskpulse dashboard``: serve the web dashboard under waitress.

Loopback by default. Any other address needs ``dashboard.password_hash``
(made by ``--hash-password``): someone's sitting day is nobody else's
business on a shared network, so the command refuses to start without it.
"""
from __future__ import annotations

import argparse
import ipaddress
import sys

from device.app.commands import args as check
from device.errors import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="configuration file (default: the standard places)")
    p.add_argument("--db", metavar="PATH", help="history database (default: history.db_path)")
    p.add_argument("--host", metavar="H", help="listen address (default: dashboard.host, 127.0.0.1)")
    p.add_argument("--port", metavar="P", help="listen port (default: dashboard.port, 8080)")
    p.add_argument("--hash-password", action="store_true",
                   help="read a password (twice from a terminal, once from stdin) and print its hash for "
                        "dashboard.password_hash")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen_sockets(host: str, port: int) -> list:
    """Sockets bound to every address ``host`` resolves to (as waitress would bind them), or OSError.

    Bound here, not by waitress: waitress starts its worker threads and wake-up pipe before it
    binds, and leaves them behind when the port is busy.
    """
    import socket
    infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP,
                               socket.AI_PASSIVE)
    socks: list[socket.socket] = []
    try:
        for family, kind, proto, _, addr in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:  # "::" must not also take the IPv4 port "0.0.0.0" asks for
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(addr)
    except OSError:
        for sock in socks:
            sock.close()
        raise
    return socks


def read_password(stdin=None, tty: bool | None = None) -> str:
    stdin = stdin or sys.stdin
    tty = stdin.isatty() if tty is None else tty
    if tty:
        import getpass
        first = getpass.getpass("New dashboard password: ")
        if first != getpass.getpass("Again: "):
            raise UserError("the two passwords differ")
    else:
        first = stdin.readline().rstrip("\r\n")
    if len(first) < 8:
        raise UserError("the password needs at least 8 characters")
    return first


def check_exposure(host: str, password_hash: str) -> None:
    if not is_loopback(host) and not password_hash:
        raise UserError(f"refusing to listen on {host} without a password: run 'deskpulse dashboard "
                        f"--hash-password' and set dashboard.password_hash (or listen on 127.0.0.1)")


def run(args: argparse.Namespace) -> int:
    if args.hash_password:
        from dashboard.auth import hash_password
        print(hash_password(read_password()))
        return 0
    import logging

    import waitress

    from dashboard import create_app
    from device import config as dconfig

    cfg = dconfig.load(args.config)
    host = args.host or cfg.dashboard.host
    port = check.whole("port", args.port, 1, 65535) if args.port is not None else cfg.dashboard.port
    check_exposure(host, cfg.dashboard.password_hash)
    if cfg.dashboard.password_hash and not cfg.dashboard.password_hash.startswith(("scrypt:", "pbkdf2:")):
        raise UserError("dashboard.password_hash: not a hash from 'deskpulse dashboard --hash-password'")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(cfg, db_path=args.db)
    try:  # bound before saying where: a busy port is one line, not an address and then an error
        socks = listen_sockets(host, port)
    except OSError as e:
        raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    server = waitress.create_server(app, sockets=socks, threads=4, ident="deskpulse",
                                    clear_untrusted_proxy_headers=True)
    print(f"deskpulse dashboard on http://{host}:{port}/ (history {app.config['DB_PATH']})", file=sys.stderr)
    try:
        server.run()
    finally:
        server.close()
    return 0
