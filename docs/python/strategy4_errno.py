#!/usr/bin/env python3
"""Strategy 4, fixed: compare errno with the errno module's names, never with numbers.

Run the lab peer in one terminal and this lesson in another:

    cargo run --example peer -- reset --listen 127.0.0.1:8080
    python3 docs/python/strategy4_errno.py --addr 127.0.0.1:8080

The same reset is errno 104 on Linux (most architectures), 54 on macOS and
FreeBSD, and 10054 (WSAECONNRESET) on Windows.  So `e.errno == 104` holds on
one of them only.  `errno.ECONNRESET` is this platform's number for the
reset, so `e.errno == errno.ECONNRESET` holds everywhere; plainer still is
`except ConnectionResetError`, the class Python picks from the number
(PEP 3151).  Keep the number for people: `errno.errorcode[e.errno]` is its
name here, and `os.strerror(e.errno)` its text.

Rust twin: `cargo run --example errno` (module `errno`); in Rust the
portable test is `e.kind()`, and `e.raw_os_error()` is the number.
"""

import errno
import os
import socket
import sys

import lab

REQUEST = b"Hello, server!\n"

TIMEOUT_SECONDS = 3


def explain(call, error):
    """What one failed call's errno says, by name."""
    number = error.errno
    lab.say(f"{call}: {type(error).__name__}, errno {number}")
    if number is None:
        lab.say("  no errno at all: Python raised this error itself, not the operating system")
        return
    lab.say(f"  errno.errorcode[{number}] == {errno.errorcode.get(number, '?')!r}, os.strerror: {os.strerror(number)!r}")
    lab.say(f"  e.errno == errno.ECONNRESET: {number == errno.ECONNRESET}   (errno.ECONNRESET is {errno.ECONNRESET} on {sys.platform})")
    lab.say(f"  e.errno == errno.EPIPE:      {number == errno.EPIPE}   (errno.EPIPE is {errno.EPIPE} on {sys.platform})")
    lab.say(f"  e.errno == 104:              {number == 104}   (true for a reset on Linux only; 54 on macOS and FreeBSD)")


def main(argv):
    args = lab.parser(__doc__).parse_args(argv)
    try:
        sock = socket.create_connection(args.addr, timeout=TIMEOUT_SECONDS, source_address=args.source)
    except OSError as error:
        explain("connect", error)
        return 0
    with sock:
        sock.sendall(REQUEST)
        try:
            reply = sock.recv(1024)
        except OSError as error:
            explain("recv", error)
        else:
            lab.say(f"recv: {reply!r}, no error and so no errno (try the `reset` script)")
            return 0
        # After a reset the socket is dead: one more send shows the next errno.
        try:
            sock.sendall(REQUEST)
        except OSError as error:
            explain("sendall after it", error)
        else:
            lab.say("sendall after it: accepted by the kernel; no errno to compare")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
