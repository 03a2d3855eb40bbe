#!/usr/bin/env python3
"""A local SMTP server for Trustmark's tests and benchmarks (aiosmtpd, loopback only).

Each accepted message is written to DIR as NNN.eml plus NNN.json with the decoded recipient, subject
and text body. --refuse N answers the first N messages with a temporary error (451), --auth USER:PASS
requires AUTH PLAIN/LOGIN with those credentials. Prints "READY <port>" once it listens.
"""
import argparse, asyncio, email, email.policy, json, os, signal, socket, threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, refuse):
        self.directory = directory
        self.refuse = refuse
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            self.count += 1
            number = self.count
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        summary = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "language": str(message["content-language"]),
            "text": body.get_content() if body else "",
            "attachments": [part.get_filename() for part in message.iter_attachments()],
        }
        base = os.path.join(self.directory, "%06d" % number)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False)
        return "250 OK"


def main():
    # A process started from a thread that blocks signals inherits that mask; SIGTERM must reach us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--refuse", type=int, default=0)
    parser.add_argument("--auth", default="")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port
    if port == 0:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    options = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    controller = Controller(Sink(args.dir, args.refuse), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("READY %d" % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
