#!/usr/bin/env python3
"""Strategy 3, fixed: a timeout bounds one call; a deadline bounds the whole job.

Run the lab peer in one terminal and this lesson in another:

    cargo run --example peer -- drip --listen 127.0.0.1:8080
    python3 docs/python/strategy3_timeout.py --addr 127.0.0.1:8080

Try `stall` too, a peer that never answers.

`settimeout(t)` bounds each call on the socket, and every call starts the
clock afresh.  The `drip` script sends one byte every 150 ms, so a 200 ms
timeout never fires, however long reading 8 bytes takes.  Against `stall` it
does fire: `TimeoutError: timed out` (`socket.timeout` before Python 3.10),
with errno None, and the socket is still usable.

`sendall` is the exception: since Python 3.5 its timeout bounds the whole
call, a total deadline.  Python has no such call for reading, so this lesson
builds one, `recv_exact_by`: before each recv, set the timeout to the time
left.  The third part shows sendall keeping its deadline against a listener
of its own that never reads.

Rust twin: `cargo run --example timeout` (module `timeout`: `read_exact_by`
and `write_all_by`).
"""

import socket
import sys
import time

import lab

# More than the loopback's socket buffers hold, so that sendall must wait.
WRITE_SIZE = 64 * 1024 * 1024

# The bound on connecting, in every part.
CONNECT_SECONDS = 3


class DeadlinePassed(Exception):
    """The deadline came before all the bytes; `received` keeps those that came."""

    def __init__(self, received):
        super().__init__(f"the deadline passed after {len(received)} bytes")
        self.received = received


def recv_exact_by(sock, count, deadline):
    """Reads exactly `count` bytes by `deadline`, a `time.monotonic()` value.

    Each recv may wait only for the time left, so the whole read ends at the
    deadline, whatever the peer's pace.  Raises DeadlinePassed with the bytes
    received so far, or EOFError if the peer closes first.
    """
    received = b""
    while len(received) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(received)
        # settimeout(0) would mean non-blocking, so `left` is always above 0 here.
        sock.settimeout(left)
        try:
            chunk = sock.recv(count - len(received))
        except socket.timeout:
            # The time left ran out; the loop's test above ends the read.
            continue
        if not chunk:
            raise EOFError(f"the peer closed after {len(received)} of {count} bytes")
        received += chunk
    return received


def per_call(addr, source, count, timeout):
    """The article's way: one timeout, applied to each recv."""
    lab.say(f"1. read {count} bytes, settimeout({timeout:g}) for each recv")
    with socket.create_connection(addr, timeout=CONNECT_SECONDS, source_address=source) as sock:
        sock.settimeout(timeout)
        started = time.monotonic()
        received = b""
        try:
            while len(received) < count:
                chunk = sock.recv(count - len(received))
                if not chunk:
                    lab.say(f"   the peer closed after {len(received)} bytes")
                    return
                received += chunk
        except socket.timeout as error:
            took = (time.monotonic() - started) * 1000
            lab.say(f"   {lab.describe(error)} after {took:.0f} ms, with {len(received)} of {count} bytes; errno {error.errno}")
            lab.say("   the timeout fired: the socket is still usable, nothing was reset")
            return
        took = (time.monotonic() - started) * 1000
        lab.say(f"   all {count} bytes after {took:.0f} ms: the timeout never fired, each byte restarted it")


def with_deadline(addr, source, count, budget):
    """A deadline for the whole read, built from per-call timeouts."""
    lab.say(f"2. read {count} bytes by a deadline {budget * 1000:.0f} ms away (recv_exact_by)")
    with socket.create_connection(addr, timeout=CONNECT_SECONDS, source_address=source) as sock:
        started = time.monotonic()
        try:
            recv_exact_by(sock, count, started + budget)
        except DeadlinePassed as passed:
            took = (time.monotonic() - started) * 1000
            lab.say(f"   stopped at the deadline: {took:.0f} ms, {len(passed.received)} of {count} bytes kept")
            return
        except EOFError as closed:
            lab.say(f"   {closed}")
            return
        took = (time.monotonic() - started) * 1000
        lab.say(f"   all {count} bytes after {took:.0f} ms, within the deadline")


def sendall_deadline(timeout):
    """sendall's timeout is a total deadline: shown against a listener that never reads."""
    lab.say(f"3. sendall of {WRITE_SIZE // (1024 * 1024)} MiB, settimeout({timeout:g}), to a listener that never reads")
    data = bytes(WRITE_SIZE)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        # Nobody accepts or reads: the connection waits in the listener's queue,
        # and the kernel's buffers fill up.
        with socket.create_connection(listener.getsockname(), timeout=CONNECT_SECONDS) as sock:
            sock.settimeout(timeout)
            started = time.monotonic()
            try:
                sock.sendall(data)
            except socket.timeout as error:
                took = (time.monotonic() - started) * 1000
                lab.say(f"   {lab.describe(error)} after {took:.0f} ms in all: sendall's timeout is a total deadline")
                return
            lab.say("   all of it fitted in the socket buffers; nothing to show")


def main(argv):
    arguments = lab.parser(__doc__)
    arguments.add_argument("--bytes", type=lab.number(1, 1024), default=8, help="how many bytes to read, 1..=1024 (default 8)")
    arguments.add_argument("--timeout-ms", type=lab.number(1, 60_000), default=200, help="the per-call timeout, 1..=60000 (default 200)")
    arguments.add_argument("--deadline-ms", type=lab.number(1, 60_000), default=500, help="the deadline of part 2, 1..=60000 (default 500)")
    args = arguments.parse_args(argv)
    try:
        per_call(args.addr, args.source, args.bytes, args.timeout_ms / 1000)
        with_deadline(args.addr, args.source, args.bytes, args.deadline_ms / 1000)
        sendall_deadline(args.timeout_ms / 1000)
    except OSError as error:
        return lab.stop("strategy3_timeout", lab.describe(error))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
