#!/usr/bin/env python3
"""A PostgreSQL proxy on a unix socket that loses one answer: the first connection whose
client bytes contain MARKER is cut right after the server's next ReadyForQuery, which is not
passed on. The statement ran (and committed, outside a transaction); the client only sees its
connection die. Everything else is relayed as it is. For tests/integration/86_saferetry.sh.

Usage: pgcut.py LISTEN_SOCKET UPSTREAM_SOCKET MARKER
Prints "cut" on stdout when it cut a connection."""
import os
import socket
import sys
import threading

listen_path, upstream_path, marker = sys.argv[1], sys.argv[2], sys.argv[3].encode()
state = {"cut": False}
lock = threading.Lock()


def close_both(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(conn):
    up = socket.socket(socket.AF_UNIX)
    up.connect(upstream_path)
    armed = threading.Event()

    def client_to_server():
        seen = b""
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                seen = (seen + data)[-(len(marker) + 65536):]
                with lock:
                    if not state["cut"] and marker in seen:
                        state["cut"] = True
                        armed.set()
                up.sendall(data)
        except OSError:
            pass
        finally:
            close_both(up, conn)

    def server_to_client():
        buf = b""
        try:
            while True:
                data = up.recv(65536)
                if not data:
                    break
                if armed.is_set():
                    # Typed messages (type byte, int32 length): cut at the ReadyForQuery.
                    buf += data
                    while len(buf) >= 5:
                        n = int.from_bytes(buf[1:5], "big") + 1
                        if len(buf) < n:
                            break
                        if buf[0:1] == b"Z":
                            print("cut", flush=True)
                            close_both(up, conn)
                            return
                        buf = buf[n:]
                    continue  # nothing of the lost answer reaches the client
                conn.sendall(data)
        except OSError:
            pass

    a = threading.Thread(target=client_to_server, daemon=True)
    b = threading.Thread(target=server_to_client, daemon=True)
    a.start()
    b.start()


def main():
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(listen_path)
    srv.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        relay(conn)


main()
