"""Local SMTP servers for the alert tests, on real sockets.

`smtp_sink` speaks enough SMTP for Python's smtplib (EHLO/HELO, STARTTLS, AUTH PLAIN/LOGIN,
MAIL, RCPT, DATA, RSET, NOOP, QUIT), over TLS from the start when asked (port-465 style),
keeping every message and login it receives. The misbehaving servers an office may really
have: `refusing_server` (answers 554 and closes), `tarpit` (accepts and never says a word)
and `trickler` (answers, one byte a second).

No aiosmtpd in the environment and Python's smtpd is deprecated: this is the smallest server
that lets a test see exactly what the office's server would have been handed.
"""

from __future__ import annotations

import base64
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Sink:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (user, password) accepted
    tls_used: list[bool] = field(default_factory=list)  # per message: over TLS or not


class _Handler(socketserver.StreamRequestHandler):
    sink: Sink
    context: ssl.SSLContext | None = None  # the server's certificate: STARTTLS offered
    implicit_tls: bool = False  # TLS from the first byte (port 465)
    password: str | None = None  # the only password accepted (None: AUTH not offered)

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def _wrap(self) -> None:
        assert self.context is not None
        self.connection = self.context.wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb", buffering=0)
        self.tls = True

    def setup(self) -> None:
        super().setup()
        self.tls = False
        if self.implicit_tls:
            self._wrap()

    def _auth(self, command: str) -> None:
        parts = command.split()
        if len(parts) >= 2 and parts[1].upper() == "PLAIN":
            if len(parts) == 2:
                self.reply("334 ")
                parts.append(self.rfile.readline().decode().strip())
            _, user, password = base64.b64decode(parts[2]).decode().split("\0")
        else:  # LOGIN
            self.reply("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.rfile.readline().strip()).decode()
            self.reply("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self.rfile.readline().strip()).decode()
        if password == self.password:
            self.sink.logins.append((user, password))
            self.reply("235 2.7.0 accepted")
        else:
            self.reply("535 5.7.8 authentication failed")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                offers = []
                if self.context is not None and not self.tls:
                    offers.append("STARTTLS")
                if self.password is not None:
                    offers.append("AUTH PLAIN LOGIN")
                lines = ["localhost", *offers]  # the first line greets; the rest are offers
                for offer in lines[:-1]:
                    self.reply(f"250-{offer}")
                self.reply(f"250 {lines[-1]}")
            elif command.upper() == "STARTTLS" and self.context is not None:
                self.reply("220 go ahead")
                self._wrap()
            elif verb == "AUTH" and self.password is not None:
                self._auth(command)
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = message_from_bytes(bytes(data), policy=policy.default)
                self.sink.messages.append(Received(sender, recipients, message))
                self.sink.tls_used.append(self.tls)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP and anything else
                self.reply("250 OK")


@contextmanager
def smtp_sink(context: ssl.SSLContext | None = None, implicit_tls: bool = False,
              password: str | None = None) -> Iterator[Sink]:
    """A server on 127.0.0.1 and a free port, in a thread, for the block. With `context`, it
    offers STARTTLS (or, `implicit_tls`, speaks TLS from the start); with `password`, it
    offers AUTH and accepts that password only."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    sink = Sink(*server.server_address[:2])
    server.RequestHandlerClass = type("Handler", (_Handler,), {
        "sink": sink, "context": context, "implicit_tls": implicit_tls, "password": password})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Misbehaving:
    """A server that does not do its job; `connections` counts who came."""

    host: str
    port: int
    connections: int = 0


@contextmanager
def _listening(serve) -> Iterator[Misbehaving]:
    """A real listening socket on 127.0.0.1; `serve(conn, stop)` runs per connection in a
    thread. Every socket is closed at the block's end, so no thread outlives the test."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    server = Misbehaving(*listener.getsockname()[:2])
    stop = threading.Event()
    open_conns: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server.connections += 1
            open_conns.append(conn)
            threading.Thread(target=serve, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(2)
        listener.close()
        for conn in open_conns:
            conn.close()


@contextmanager
def refusing_server() -> Iterator[Misbehaving]:
    """Answers every connection '554 no SMTP service here' and hangs up (RFC 5321, 3.1)."""
    def serve(conn: socket.socket, _stop: threading.Event) -> None:
        try:
            conn.sendall(b"554 5.3.2 no SMTP service here\r\n")
        finally:
            conn.close()

    with _listening(serve) as server:
        yield server


@contextmanager
def tarpit() -> Iterator[Misbehaving]:
    """Accepts the connection and never says a word."""
    def serve(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait()

    with _listening(serve) as server:
        yield server


@contextmanager
def trickler() -> Iterator[Misbehaving]:
    """Answers like a server, one byte a second: no single read ever waits long, and the
    greeting alone takes half a minute."""
    def serve(conn: socket.socket, stop: threading.Event) -> None:
        for byte in b"220 localhost slow SMTP, one byte at a time\r\n" * 100:
            if stop.wait(1.0):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return

    with _listening(serve) as server:
        yield server


def tls_files(folder) -> tuple[ssl.SSLContext, str]:
    """A certificate authority and a 'localhost' certificate signed by it, made now with
    openssl: the server's context and the CA file a client verifies against."""
    import subprocess

    run = lambda *args: subprocess.run(["openssl", *args], cwd=folder, check=True,  # noqa: E731
                                       capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
        "-keyout", "ca.key", "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout",
        "server.key", "-out", "server.csr")
    (folder / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-out", "server.pem", "-extfile", "ext.cnf")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return context, str(folder / "ca.pem")


def wait_for(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
