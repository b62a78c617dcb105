#!/usr/bin/env python3
"""Visitors posting the demo form, each with a phone of its own, recording every answer.

spool-load.py URL CLIENTS SECONDS PREFIX OUT [RATE [CHANNEL]]
Each of CLIENTS threads fetches a form (for its stamp), waits out the stamp's minimum age and
posts it as a browser does (urlencoded, no redirect followed), about RATE posts a second in all
(default 40: the test stack's nginx allows 50 a second from one address), from channel
CHANNEL (?ch=, default spool). Phones are
PREFIX followed by a 7-digit serial number, all distinct. OUT gets one line per post:
"<unix ms sent> <status> <phone> <body note>"; the note is "kept" when a refusal re-rendered
the form with the typed name (the visitor's values kept), "-" otherwise.
"""
import http.client
import re
import sys
import threading
import time
import urllib.parse

url, clients, seconds, prefix, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
rate = float(sys.argv[6]) if len(sys.argv) > 6 else 40.0
channel = sys.argv[7] if len(sys.argv) > 7 else "spool"
u = urllib.parse.urlsplit(url)
STAMP = re.compile(rb'name="_stamp" value="([^"]*)"')
lock = threading.Lock()
lines = []
serial = [0]


def next_phone():
    with lock:
        serial[0] += 1
        return "%s%07d" % (prefix, serial[0])


def conn():
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def stamp(c):
    c.request("GET", "/p/demo")
    r = c.getresponse()
    body = r.read()
    m = STAMP.search(body)
    return m.group(1).decode() if m else None


def client(n, end):
    c = conn()
    gap = clients / rate
    depth = int(2.1 / gap) + 2  # stamps waiting out their minimum age, enough to keep the pace
    pending = []  # (ready_at, stamp)
    nxt = time.time() + (n * gap / clients)
    while time.time() < end:
        try:
            while len(pending) < depth and time.time() < end:
                s = stamp(c)
                if s:
                    pending.append((time.time() + 2.05, s))
                else:  # no form (the server is gone): try again shortly
                    time.sleep(0.2)
            if not pending:
                break
            now = time.time()
            if pending[0][0] > now:
                time.sleep(pending[0][0] - now)
            if nxt > time.time():
                time.sleep(nxt - time.time())
            nxt += gap
            _, s = pending.pop(0)
            phone = next_phone()
            name = "spool-%s" % phone[-7:]
            body = urllib.parse.urlencode({"_stamp": s, "name": name, "mobile": phone, "agree": "on"})
            sent = int(time.time() * 1000)
            c.request("POST", "/p/demo?ch=" + urllib.parse.quote(channel),
                      body, {"Content-Type": "application/x-www-form-urlencoded"})
            r = c.getresponse()
            text = r.read()
            note = "kept" if ('value="%s"' % name).encode() in text else "-"
            with lock:
                lines.append("%d %d %s %s" % (sent, r.status, phone, note))
        except Exception as e:  # a broken connection: record it, open another
            with lock:
                lines.append("%d 000 - %s" % (int(time.time() * 1000), type(e).__name__))
            c.close()
            c = conn()
            time.sleep(0.1)
    c.close()


end = time.time() + seconds
threads = [threading.Thread(target=client, args=(i, end)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    f.write("\n".join(lines) + ("\n" if lines else ""))
