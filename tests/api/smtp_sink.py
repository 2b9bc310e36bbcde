#!/usr/bin/python3
"""A local SMTP server for tests/api/runtime_smtp.test.mjs (Debian python3-aiosmtpd).

Prints JSON lines on stdout: first {"ready": port}, then one line per received
message, parsed by Python's own `email` package (an independent MIME parser):
envelope, raw bytes, decoded headers, every leaf part with its bytes, and any
parse defects. Runs until stdin closes.

  --auth LOGIN:PASSWORD   require AUTH (PLAIN/LOGIN, allowed without TLS); every
                          attempt is reported as {"auth_attempt": login, "tls": ...}
  --tls CERT:KEY          implicit TLS (smtps, TLS from the first byte)
  --starttls CERT:KEY     offer STARTTLS and require it before MAIL
Each message line has "tls": the TLS version of its connection, or null.
Recipients starting with "reject" are refused (550); a message with the header
"X-Slow: <seconds>" is answered only after that delay.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import json
import socket
import ssl
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def describe(raw: bytes):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    defects = [f"top: {d!r}" for d in msg.defects]
    for part in msg.walk():
        defects += [f"{part.get_content_type()}: {d!r}" for d in part.defects]
        if part.is_multipart():
            parts.append({"multipart": part.get_content_type()})
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append({
            "type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "filename": part.get_filename(),
            "disposition": part.get_content_disposition(),
            "encoding": part.get("Content-Transfer-Encoding"),
            "base64": base64.b64encode(payload).decode(),
            "text": payload.decode(part.get_content_charset() or "latin-1", "replace")
            if part.get_content_maintype() == "text" else None,
        })
    return {
        "headers": [[k, str(v)] for k, v in msg.items()],
        "parts": parts,
        "defects": defects,
    }


def tls_version(server):
    ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
    return ssl_object.version() if ssl_object else None


def server_context(pair):
    cert, key = pair.split(":", 1)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class Sink:
    def __init__(self):
        self.logins = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        out = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data if isinstance(session.auth_data, str) else None,
            "raw": base64.b64encode(raw).decode(),
            "tls": tls_version(server),
        }
        out.update(describe(raw))
        for name, value in out["headers"]:
            if name.lower() == "x-slow":
                await asyncio.sleep(float(value))
        emit(out)
        return "250 2.0.0 queued"


def main():
    warnings.simplefilter("ignore")  # "AUTH without TLS": on purpose, on 127.0.0.1
    ap = argparse.ArgumentParser()
    ap.add_argument("--auth")
    ap.add_argument("--tls")
    ap.add_argument("--starttls")
    args = ap.parse_args()

    with socket.socket() as s:  # a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    kwargs = {}
    if args.auth:
        login, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            emit({"auth_attempt": auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None,
                  "tls": tls_version(server)})
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == login and \
                auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)

    if args.tls:
        kwargs["ssl_context"] = server_context(args.tls)
    if args.starttls:
        kwargs["tls_context"] = server_context(args.starttls)
        kwargs["require_starttls"] = True

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    emit({"ready": port})
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
