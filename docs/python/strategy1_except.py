#!/usr/bin/env python3
"""Strategy 1, fixed: catch ConnectionError, then stop using the socket.

Run the lab peer in one terminal and this lesson in another:

    cargo run --example peer -- reset --listen 127.0.0.1:8080
    python3 docs/python/strategy1_except.py --addr 127.0.0.1:8080

Try the scripts `reset`, `close` and `echo` too, and an address where nobody
listens.

`except ConnectionError` names the network's failures and nothing else:
ConnectionResetError, BrokenPipeError, ConnectionAbortedError and
ConnectionRefusedError are its subclasses.  A broader `except OSError`
(which `socket.error` has meant since Python 3.3) also catches file and
permission errors that have nothing to do with the connection.

Catching the error is half of the fix.  The other half is what the handler
does next: a socket that raised a ConnectionError is finished.  On Linux
every later send on it raises BrokenPipeError and every recv returns b''.
So the handler closes it and goes no further with it; work that must still
be done is done on a new connection (strategy2_retry.py).  This lesson makes
one more send on the dead socket, only to show what that send meets.

Rust twin: `cargo run --example except` (module `except`).
"""

import socket
import sys

import lab

REQUEST = b"Hello, server!\n"

# Long enough for any answer the lab peer gives, short enough that a silent
# peer does not keep the terminal waiting.
TIMEOUT_SECONDS = 3

# The most this lesson reads before it stops reading.
MAX_REPLY = 64 * 1024


def read_reply(sock):
    """Reads until a whole line has come or the server has closed."""
    reply = b""
    while b"\n" not in reply and len(reply) < MAX_REPLY:
        chunk = sock.recv(1024)
        if not chunk:
            break
        reply += chunk
    return reply


def show_the_socket_is_dead(sock):
    """One more send on a socket that failed: what a handler that carries on
    would meet next."""
    try:
        sock.sendall(REQUEST)
    except ConnectionError as again:
        lab.say(f"  one more sendall on the same socket: {lab.describe(again)}")
        lab.say("  the connection is dead for good; a handler that carries on meets this every time")
    else:
        lab.say("  one more sendall on the same socket was accepted by the kernel,")
        lab.say("  but nobody is left to answer it")


def main(argv):
    args = lab.parser(__doc__).parse_args(argv)
    host, port = args.addr
    lab.say(f"connect to {host}:{port}, send {REQUEST!r}, read the answer")
    sock = None
    try:
        sock = socket.create_connection(args.addr, timeout=TIMEOUT_SECONDS, source_address=args.source)
        sock.sendall(REQUEST)
        reply = read_reply(sock)
    except ConnectionError as error:
        lab.say(f"caught by `except ConnectionError`: {lab.describe(error)}")
        if sock is None:
            lab.say("  it failed at connect: the server never saw the request,")
            lab.say("  so a later attempt on a new connection is safe")
            return 0
        show_the_socket_is_dead(sock)
        sock.close()
        lab.say("closed the socket and stopped using it; to try again, open a new connection")
        return 0
    except socket.timeout:
        lab.say(f"no answer within {TIMEOUT_SECONDS} s: a timeout, which is not a ConnectionError")
        lab.say("  the connection may still be usable (strategy3_timeout.py)")
        return 0
    except OSError as error:
        return lab.stop("strategy1_except", f"not a network failure: {lab.describe(error)}")
    finally:
        if sock is not None:
            sock.close()

    if reply == b"":
        lab.say("recv returned b'': the server closed cleanly (FIN)")
        lab.say("  no exception, so no handler ran: an empty read is the end of the stream, not an error")
        lab.say("  the socket is finished all the same; closed it")
    else:
        lab.say(f"answer: {reply!r}; no exception, so no handler ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
