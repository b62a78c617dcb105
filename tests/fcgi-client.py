#!/usr/bin/env python3
"""A raw FastCGI client for the tests: what no web server will do on purpose.

  fcgi-client.py keep SOCKET SECONDS
      GET /healthz on a connection that asks to be kept (FCGI_KEEP_CONN, as nginx
      fastcgi_keep_conn and Apache enablereuse do), print the status, then leave the
      connection open and idle for SECONDS (it prints "closed" if landformd closes it).
  fcgi-client.py get SOCKET [NAME=VALUE...]
      one GET with exactly these parameters, print the status.
  fcgi-client.py trickle SOCKET PATH BODY INTERVAL [nolength]
      POST BODY to PATH one byte every INTERVAL seconds (CONTENT_LENGTH declared unless
      "nolength"), print "sending" once connected, then the status landformd answered
      with and the seconds it took.
"""
import socket
import struct
import sys
import time

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
KEEP_CONN = 1


def record(rtype, content=b"", rid=1):
    return struct.pack(">BBHHBB", 1, rtype, rid, len(content), 0, 0) + content


def pair(name, value):
    out = b""
    for s in (name, value):
        n = len(s)
        out += bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def params(d):
    body = b"".join(pair(k.encode(), v.encode()) for k, v in d.items())
    return record(PARAMS, body) + record(PARAMS)


def read_status(sock):
    """Read records until END_REQUEST; return the Status header's code."""
    buf, out = b"", b""
    while True:
        while len(buf) < 8:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed before the end of the response")
            buf += chunk
        _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
        while len(buf) < 8 + clen + plen:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a record")
            buf += chunk
        content, buf = buf[8:8 + clen], buf[8 + clen + plen:]
        if rtype == STDOUT:
            out += content
        elif rtype == END:
            break
    for line in out.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            return int(line.split()[1])
    return 200


def connect(path, flags):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(record(BEGIN, struct.pack(">HB5x", 1, flags)))
    return s


def keep(path, seconds):
    s = connect(path, KEEP_CONN)
    s.sendall(params({"REQUEST_METHOD": "GET", "REQUEST_URI": "/healthz", "QUERY_STRING": "",
                      "CONTENT_LENGTH": ""}) + record(STDIN))
    print(read_status(s), flush=True)
    s.settimeout(seconds)
    try:
        print("closed" if s.recv(1) == b"" else "data", flush=True)
    except socket.timeout:
        print("idle", flush=True)


def trickle(path, where, body, interval, nolength):
    env = {"REQUEST_METHOD": "POST", "REQUEST_URI": where, "QUERY_STRING": "",
           "CONTENT_TYPE": "application/x-www-form-urlencoded"}
    if not nolength:
        env["CONTENT_LENGTH"] = str(len(body))
    t0 = time.monotonic()
    s = connect(path, 0)
    s.sendall(params(env))
    print("sending", flush=True)
    s.setblocking(False)
    code = None
    for b in body.encode():
        try:  # landformd may answer before the body is complete
            code = read_status_nowait(s)
        except BlockingIOError:
            pass
        if code is not None:
            break
        try:
            s.sendall(record(STDIN, bytes([b])))
        except (BrokenPipeError, ConnectionResetError):
            break
        time.sleep(interval)
    if code is None:
        s.setblocking(True)
        try:
            s.sendall(record(STDIN))
        except (BrokenPipeError, ConnectionResetError):
            pass
        code = read_status(s)
    print(code, round(time.monotonic() - t0, 1), flush=True)


def read_status_nowait(s):
    s.recv(1, socket.MSG_PEEK)  # raises BlockingIOError when nothing came yet
    s.setblocking(True)
    return read_status(s)


if __name__ == "__main__":
    if sys.argv[1] == "keep":
        keep(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1] == "get":
        s = connect(sys.argv[2], 0)
        s.sendall(params(dict(a.split("=", 1) for a in sys.argv[3:])) + record(STDIN))
        print(read_status(s))
    elif sys.argv[1] == "trickle":
        trickle(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]),
                len(sys.argv) > 6 and sys.argv[6] == "nolength")
    else:
        sys.exit(__doc__)
