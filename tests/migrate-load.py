#!/usr/bin/env python3
"""A steady load of form submissions and portal reads, every answer timed.

migrate-load.py URL SECONDS COOKIE_JAR OUT
Two visitors post the demo form (each with a stamp fetched 2 s earlier, as the stamp's minimum
age asks) and two staff browsers read the portal's lead list with the session in COOKIE_JAR (a
curl cookie jar). OUT gets one line per request: "<kind> <status> <milliseconds>"."""
import http.client
import re
import sys
import threading
import time
import urllib.parse

url, seconds, jar, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
u = urllib.parse.urlsplit(url)
STAMP = re.compile(rb'name="_stamp" value="([^"]*)"')
lock = threading.Lock()
lines = []
end = time.time() + seconds


def cookie_header():
    pairs = []
    for line in open(jar):
        if line.startswith("#HttpOnly_"):
            line = line[len("#HttpOnly_"):]
        elif line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) == 7:
            pairs.append("%s=%s" % (f[5], f[6]))
    return "; ".join(pairs)


def timed(kind, method, path, body=None, headers=None):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    t0 = time.time()
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        status = r.status
    except OSError:
        data, status = b"", 0
    ms = int((time.time() - t0) * 1000)
    with lock:
        lines.append("%s %d %d" % (kind, status, ms))
    c.close()
    return data


def visitor(n):
    serial = 0
    stamps = []
    while time.time() < end:
        page = timed("form", "GET", "/p/demo?ch=migload")
        m = STAMP.search(page)
        if m:
            stamps.append((time.time(), m.group(1).decode()))
        if stamps and time.time() - stamps[0][0] > 2.1:
            _, stamp = stamps.pop(0)
            serial += 1
            phone = "1370%d%06d" % (n, serial)
            body = urllib.parse.urlencode({"_stamp": stamp, "mobile": phone, "agree": "on", "name": "migload"})
            timed("submit", "POST", "/p/demo?ch=migload", body,
                  {"Content-Type": "application/x-www-form-urlencoded"})
        time.sleep(0.15)


def reader():
    cookie = cookie_header()
    while time.time() < end:
        timed("portal", "GET", "/staff/", headers={"Cookie": cookie})
        timed("pool", "GET", "/staff/pool", headers={"Cookie": cookie})
        time.sleep(0.1)


threads = [threading.Thread(target=visitor, args=(i,)) for i in range(2)]
threads += [threading.Thread(target=reader) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
