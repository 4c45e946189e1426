#!/usr/bin/env python3
"""A Python client shaped like the article's code example, for the lab peer.

Start the lab peer in one terminal:

    cargo run --example peer -- reset

and run this in another:

    python3 docs/python/client.py [[--addr] HOST:PORT] [MESSAGE]

It does what the article's example does: connect, send one message,
receive once (up to 1024 bytes), close.  Then it prints what happened, in
the words Python itself uses.  Against `peer reset` on Linux the last line
is `ConnectionResetError: [Errno 104] Connection reset by peer`; on macOS
the same reset is errno 54.  Against `peer hello-reset` it prints only the
greeting: its one receive returns the bytes that came before the reset, and
the reset would be reported to the next call, which this client never makes.

HOST:PORT defaults to 127.0.0.1:8080, the address in the article.
MESSAGE defaults to "Hello, server!"; backslash escapes such as \\n are
understood, so `PING\\n` speaks to the heartbeat scripts.
"""

import socket
import sys

# Long enough for every reply the lab peer sends, short enough that a
# stalled peer does not keep the terminal waiting.
TIMEOUT_SECONDS = 3


def main(argv):
    host, port = "127.0.0.1", 8080
    message = b"Hello, server!"
    if argv[1:2] in (["--help"], ["-h"]):
        print(__doc__.strip())
        return 0
    # `--addr` is optional, so that this client is called as the lessons beside it are.
    args = argv[2:] if argv[1:2] == ["--addr"] else argv[1:]
    if len(args) > 0:
        host, _, port_text = args[0].rpartition(":")
        try:
            port = int(port_text)
        except ValueError:
            port = -1
        if not 1 <= port <= 65535:
            print(f"client.py: bad HOST:PORT {args[0]!r} (PORT from 1 to 65535)", file=sys.stderr)
            return 2
    if len(args) > 1:
        message = args[1].encode("latin-1").decode("unicode_escape").encode("latin-1")

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT_SECONDS)
    try:
        s.connect((host, port))
        s.sendall(message)
        data = s.recv(1024)
    except OSError as e:
        # Print the exception as an uncaught one would end, without the
        # traceback: the class name and its message are the lesson.
        print(f"{type(e).__name__}: {e}")
        return 1
    finally:
        s.close()

    if data == b"":
        print("received b'': the server closed the connection cleanly (no error)")
    else:
        print(f"received {data!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
