#!/usr/bin/env python3
"""Strategy 5, fixed: a heartbeat that notices a peer gone silent.

Run the lab peer in one terminal and this lesson in another:

    cargo run --example peer -- silent-after:2 --listen 127.0.0.1:8080
    python3 docs/python/strategy5_heartbeat.py --addr 127.0.0.1:8080

Try `heartbeat` (a live peer), `reset` and `close` too.

Traffic does keep idle timers from firing, but a heartbeat's larger use is to
notice a dead peer soon.  A hung server whose kernel still acknowledges sends
neither FIN nor RST: no call fails, reads only wait.  So the client sends a
`PING` line every interval, waits a short time for the `PONG` line, and
counts the PINGs left unanswered.  After `--misses` misses in a row it calls
the peer dead: at most interval x misses + timeout after the last PONG, plus
a few milliseconds for the timers (10 ms allowed here, as in the Rust twin).
A reset or a clean close ends the watch at once, with a verdict of its own.
A PONG that comes late is counted for the PING being waited on then.

Rust twin: `cargo run --example heartbeat` (module `heartbeat`, `watch`).
"""

import socket
import sys
import time

import lab

PING = b"PING\n"
PONG = b"PONG"

# The lab peer's lines are short; a longer one means a confused peer.
MAX_LINE = 64

# How long a read past its deadline still waits: a PONG that has already
# arrived is taken, not counted as a miss, even if this program was slow to
# get round to reading it.
LAST_LOOK = 0.001


class Lines:
    """Reads lines from a socket, each by a deadline."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def next_by(self, deadline):
        """The next line without its newline; None if the peer closed.
        Raises socket.timeout at the deadline, or just after it when nothing
        has arrived."""
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise ValueError("a line longer than the heartbeat's lines")
            # settimeout(0) would mean non-blocking, so the wait is never below LAST_LOOK.
            self.sock.settimeout(max(deadline - time.monotonic(), LAST_LOOK))
            chunk = self.sock.recv(256)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def watch(sock, interval, timeout, misses, pings):
    """Pings until a verdict, or `pings` times; narrates each step."""
    clock = lab.Clock()
    lines = Lines(sock)
    started = time.monotonic()
    missed = 0
    answered = 0
    last_pong = None
    for number in range(1, pings + 1):
        # PINGs go out on a fixed schedule, whatever the answers took.
        due = started + (number - 1) * interval
        time.sleep(max(0.0, due - time.monotonic()))
        try:
            sock.sendall(PING)
            line = lines.next_by(time.monotonic() + timeout)
            while line is not None and line != PONG:
                line = lines.next_by(time.monotonic() + timeout)
        except socket.timeout:
            missed += 1
            lab.say(f"  [+{clock.ms()} ms] PING {number}: no PONG within {timeout * 1000:.0f} ms (miss {missed} in a row)")
            if missed == misses:
                since = "" if last_pong is None else f", {(time.monotonic() - last_pong) * 1000:.0f} ms after the last PONG"
                lab.say(f"dead by silence: {misses} PINGs in a row unanswered{since}; no FIN and no RST came")
                return
            continue
        except ConnectionError as error:
            lab.say(f"  [+{clock.ms()} ms] PING {number}: {lab.describe(error)}")
            lab.say("dead by reset: the connection is gone; a new one is the only way on")
            return
        if line is None:
            lab.say(f"  [+{clock.ms()} ms] PING {number}: the peer closed the connection")
            lab.say("dead by close: the peer said goodbye (FIN)")
            return
        missed = 0
        answered += 1
        last_pong = time.monotonic()
        lab.say(f"  [+{clock.ms()} ms] PING {number}: PONG")
    lab.say(f"alive: {pings} PINGs sent, {answered} answered; stopped after --pings {pings}")


def main(argv):
    arguments = lab.parser(__doc__)
    arguments.add_argument("--interval-ms", type=lab.number(10, 60_000), default=100, help="between PINGs, 10..=60000 (default 100)")
    arguments.add_argument("--timeout-ms", type=lab.number(1, 60_000), default=50, help="wait for each PONG, 1..=60000, below the interval (default 50)")
    arguments.add_argument("--misses", type=lab.number(1, 100), default=3, help="misses in a row that mean dead, 1..=100 (default 3)")
    arguments.add_argument("--pings", type=lab.number(1, 1000), default=20, help="stop after this many PINGs, 1..=1000 (default 20)")
    args = arguments.parse_args(argv)
    if args.timeout_ms >= args.interval_ms:
        arguments.error("--timeout-ms must be below --interval-ms")
    interval, timeout = args.interval_ms / 1000, args.timeout_ms / 1000
    lab.say(f"a heartbeat: PING every {args.interval_ms} ms, {args.timeout_ms} ms for each PONG, dead after {args.misses} misses in a row")
    lab.say(f"  so a silent peer is called dead at most {args.interval_ms * args.misses + args.timeout_ms + 10} ms after its last PONG (10 ms for the timers)")
    try:
        with socket.create_connection(args.addr, timeout=3, source_address=args.source) as sock:
            watch(sock, interval, timeout, args.misses, args.pings)
    except (OSError, ValueError) as error:
        return lab.stop("strategy5_heartbeat", str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
