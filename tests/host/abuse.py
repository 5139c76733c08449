#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A hostile local user against hnvd's control socket (tests/host/
# hnvd-abuse.sh runs it as nobody): many connections held open; on half of
# them a message without end streamed for as long as hnvd reads it, on the
# rest invalid messages or calls pipelined whose replies are never read.
# Prints what it did, then holds everything open until its stdin closes.
import select
import socket
import sys
import time

path, n = sys.argv[1], int(sys.argv[2])
held, streaming, refused = [], [], 0
call = b'{"method":"io.hnv.GetStatus","parameters":{}}\0'
chunk = b'A' * 65536
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
    except OSError:
        refused += 1
        s.close()
        continue
    try:
        if i % 4 in (0, 1):
            s.send(b'{"method":"io.hnv.GetStatus","x":"')
            streaming.append(s)
        elif i % 4 == 2:
            s.send(b'not json at all\0{"method":17}\0')
        else:
            s.send(call * 1000)
    except OSError:
        pass
    held.append(s)

# Stream until hnvd stops reading (it dropped the connection, or never
# admitted it and the socket buffer is full) for 2 s, or 20 s in all.
sent = 0
deadline, quiet_since = time.monotonic() + 20, time.monotonic()
by_fd = {s.fileno(): s for s in streaming}
poller = select.poll()
for fd in by_fd:
    poller.register(fd, select.POLLOUT)
while by_fd and time.monotonic() < deadline and time.monotonic() - quiet_since < 2:
    for fd, _ in poller.poll(500):
        try:
            sent += by_fd[fd].send(chunk)
            quiet_since = time.monotonic()
        except BlockingIOError:
            pass
        except OSError:
            poller.unregister(fd)
            del by_fd[fd]
print(f"abuse: {len(held)} connections open, {refused} refused at connect, "
      f"{sent >> 20} MiB streamed without a message end", flush=True)
sys.stdin.read()
