#!/usr/bin/env python3
"""A notification receiver for tests: stands in for a WeCom group robot or a webhook on
loopback, misbehaves on request, and logs every POST as one JSON line.

  notify-receiver.py --port P --log FILE [--secret S] [--seed N]

POST /<name>/... answers according to the behaviour set for <name>:
  GET /_control/<name>?status=500      answer 500 (default 200)
  GET /_control/<name>?fail=3          answer 500 to the next 3 POSTs, then as set
  GET /_control/<name>?errcode=45009   answer 200 {"errcode":45009,...} (a WeCom refusal)
  GET /_control/<name>?delay=2.5       sleep before answering
  GET /_control/<name>?flaky=1         per POST at random: 500s, dropped connections, short
                                       delays, and answers so late the sender has given up
  GET /_control/<name>                 back to answering 200 at once
Every POST is logged: {"t","name","key","attempt","ts","sig_ok","result","status","body"};
result "accepted" (taken, 2xx sent or at least attempted), "refused" (500 or errcode),
"dropped" (connection closed unread, not taken). With --secret, sig_ok says whether
X-Landform-Signature is the HMAC-SHA256 of the body.
"""
import argparse
import hashlib
import hmac
import json
import random
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
MODES = {}
ARGS = None
LOG = None
RNG = random.Random()


def log(entry):
    with LOCK:
        LOG.write(json.dumps(entry, ensure_ascii=False) + "\n")
        LOG.flush()


def decide(name):
    """What to do with the next POST to name: (result, status, delay, errcode)."""
    with LOCK:
        m = MODES.setdefault(name, {})
        if m.get("fail", 0) > 0:
            m["fail"] -= 1
            return "refused", 500, 0.0, 0
        delay = m.get("delay", 0.0)
        if m.get("flaky"):
            r = RNG.random()
            if r < 0.15:
                return "refused", 500, 0.0, 0
            if r < 0.25:
                return "dropped", 0, 0.0, 0
            if r < 0.35:
                return "accepted", 200, RNG.uniform(0.05, 0.4), 0
            if r < 0.40:
                return "accepted", 200, m.get("late", 3.0), 0  # the sender has timed out
            return "accepted", 200, 0.0, 0
        if m.get("errcode"):
            return "refused", 200, delay, m["errcode"]
        status = m.get("status", 200)
        return ("accepted" if 200 <= status < 300 else "refused"), status, delay, 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/_health":
            return self.reply(200, {"ok": True})
        if u.path.startswith("/_control/"):
            name = u.path[len("/_control/"):]
            q = dict(urllib.parse.parse_qsl(u.query))
            m = {}
            for k in ("status", "fail", "errcode"):
                if k in q:
                    m[k] = int(q[k])
            for k in ("delay", "late"):
                if k in q:
                    m[k] = float(q[k])
            if q.get("flaky") == "1":
                m["flaky"] = True
            with LOCK:
                MODES[name] = m
            return self.reply(200, {"name": name, "mode": m})
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        name = u.path.strip("/").split("/")[0]
        result, status, delay, errcode = decide(name)
        if result == "dropped":
            # Hang up without reading: the sender gets no answer and nothing was taken.
            log({"t": time.time(), "name": name, "key": self.headers.get("X-Landform-Delivery"),
                 "attempt": self.headers.get("X-Landform-Attempt"), "result": "dropped", "status": 0})
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        sig = self.headers.get("X-Landform-Signature")
        sig_ok = None
        if ARGS.secret and sig is not None:
            want = "sha256=" + hmac.new(ARGS.secret.encode(), raw, hashlib.sha256).hexdigest()
            sig_ok = hmac.compare_digest(want, sig)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        log({"t": time.time(), "name": name, "path": u.path, "query": u.query,
             "key": self.headers.get("X-Landform-Delivery"),
             "attempt": self.headers.get("X-Landform-Attempt"),
             "ts": self.headers.get("X-Landform-Timestamp"), "sig": sig, "sig_ok": sig_ok,
             "ctype": self.headers.get("Content-Type"), "result": result, "status": status,
             "delay": delay, "body": body})
        if delay:
            time.sleep(delay)
        try:
            if errcode:
                self.reply(status, {"errcode": errcode, "errmsg": "api freq out of limit"})
            else:
                self.reply(status, {"errcode": 0 if result == "accepted" else -1,
                                    "errmsg": "ok" if result == "accepted" else "failed"})
        except OSError:
            pass  # the sender gave up waiting


def main():
    global ARGS, LOG
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--secret")
    p.add_argument("--seed", type=int)
    ARGS = p.parse_args()
    if ARGS.seed is not None:
        RNG.seed(ARGS.seed)
    LOG = open(ARGS.log, "a", encoding="utf-8")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
