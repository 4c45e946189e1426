#!/usr/bin/env python3
"""Strategy 2, fixed: retry on a new connection, a counted number of times, only what is safe to repeat.

Run the lab peer in one terminal and this lesson in another:

    cargo run --example peer -- flaky:2 --listen 127.0.0.1:8080
    python3 docs/python/strategy2_retry.py --addr 127.0.0.1:8080
    python3 docs/python/strategy2_retry.py --addr 127.0.0.1:8080 --naive

(`flaky:2` resets the first two connections from each client address; restart
it between runs, or give each run an address of its own: on Linux, where all
of 127.0.0.0/8 is local, `--source 127.0.0.10`, then `--source 127.0.0.11`.)

The article's loop calls sendall again on the socket that was just reset.
The reset is reported once, as ConnectionResetError; from then on every send
on that socket raises BrokenPipeError (on Linux, where this is tested; on
Windows that send fails with another ConnectionError), which a loop that
catches only ConnectionResetError lets through, and the script dies with a
traceback.  `--naive` runs such a loop and shows it.

The fixed loop
- opens a new connection for every attempt: connect, send, read the answer;
- counts attempts, the first try included, and does not sleep after the last;
- tries again only after a failure a new connection could fix: a
  ConnectionError, a timeout, an unreachable host or network;
- and once the request has been sent, tries again only if the request is safe
  to repeat: the server may have acted on it and then reset before it
  answered.  `--not-idempotent` shows that guard at work.

Rust twin: `cargo run --example retry` (module `retry`; the classifier
`failure::Failure` decides what is worth a new attempt).
"""

import errno
import select
import socket
import sys
import time

import lab

REQUEST = b"Hello, server!\n"

# The bound on each call of one attempt.
TIMEOUT_SECONDS = 3

# The most an answer may hold; the lab peer's answers are one short line.
MAX_ANSWER = 64 * 1024

# Failures that are not ConnectionErrors but that a new attempt may get past:
# the network or the host is unreachable for now, or every local port is busy.
# Named, not numbered: the numbers differ between platforms (strategy4_errno.py).
TRANSIENT = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL}


class ClosedEarly(ConnectionError):
    """The server closed the connection before its answer was whole."""


def worth_a_new_attempt(error):
    """Whether a new connection could get past this failure."""
    # socket.timeout is TimeoutError since Python 3.10, a class of its own before.
    if isinstance(error, (ConnectionError, socket.timeout, TimeoutError)):
        return True
    return getattr(error, "errno", None) in TRANSIENT


def read_line(sock):
    """Reads one answer line; the echo script sends the request back."""
    answer = b""
    while not answer.endswith(b"\n"):
        if len(answer) >= MAX_ANSWER:
            raise ValueError("the answer is too long")
        chunk = sock.recv(1024)
        if not chunk:
            raise ClosedEarly(f"closed after {len(answer)} bytes of the answer")
        answer += chunk
    return answer


def attempt(addr, source, request):
    """One try, on a new connection.  Returns (answer, error, sent): `sent`
    says whether any of the request may have reached the server."""
    sent = False
    try:
        with socket.create_connection(addr, timeout=TIMEOUT_SECONDS, source_address=source) as sock:
            # From here on the server may see the request, even if sendall fails halfway.
            sent = True
            sock.sendall(request)
            return read_line(sock), None, sent
    except (OSError, ValueError) as error:
        return None, error, sent


def retry(addr, source, attempts, delay, idempotent):
    clock = lab.Clock()
    kind = "safe to repeat" if idempotent else "NOT safe to repeat"
    lab.say(f"a retry on new connections: {attempts} attempts, {delay * 1000:.0f} ms apart; the request is {kind}")
    for number in range(1, attempts + 1):
        answer, error, sent = attempt(addr, source, REQUEST)
        at = f"  [+{clock.ms()} ms] attempt {number}/{attempts}"
        if error is None:
            lab.say(f"{at}: answered {answer!r}")
            lab.say(f"succeeded on attempt {number}")
            return 0
        if not worth_a_new_attempt(error):
            lab.say(f"{at}: {lab.describe(error)}: no new connection fixes that; stopping")
            return 0
        if sent and not idempotent:
            lab.say(f"{at}: {lab.describe(error)} after the request was sent")
            lab.say("not retried: the server may have acted on it, and it is not safe to repeat")
            return 0
        if number == attempts:
            lab.say(f"{at}: {lab.describe(error)}")
            lab.say(f"gave up after {attempts} attempts; the last error is the one to report")
            return 0
        lab.say(f"{at}: {lab.describe(error)} (retrying in {delay * 1000:.0f} ms)")
        time.sleep(delay)
    return 0


def same_socket_loop(sock, attempts, delay):
    """The article's loop, in this folder's words: sendall again on one socket,
    catching ConnectionResetError alone.  Anything else escapes."""
    for number in range(1, attempts + 1):
        lab.say(f"  retry {number}/{attempts}: sendall on the same socket")
        try:
            sock.sendall(REQUEST)
            lab.say("  sent; the loop stops")
            return
        except ConnectionResetError as error:
            lab.say(f"  caught {lab.describe(error)}; sleeping {delay * 1000:.0f} ms")
            time.sleep(delay)


def wait_for_the_server(sock):
    """Waits, without reading, until the server's answer, its FIN or its RST
    has come.  Returns True for an RST, False for the rest, None for nothing.
    Reading would take the reset away from the loop that is to meet it."""
    if not hasattr(select, "poll"):
        # Windows has no poll(): take anything that makes the socket readable.
        ready, _, _ = select.select([sock], [], [], TIMEOUT_SECONDS)
        return True if ready else None
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    events = poller.poll(TIMEOUT_SECONDS * 1000)
    if not events:
        return None
    # An RST leaves an error pending (POLLERR) and both directions closed (POLLHUP).
    return bool(events[0][1] & (select.POLLERR | select.POLLHUP))


def naive(addr, source, attempts, delay):
    lab.say("the article's loop: sendall again on the same socket, catching only ConnectionResetError")
    with socket.create_connection(addr, timeout=TIMEOUT_SECONDS, source_address=source) as sock:
        sock.sendall(REQUEST)
        reset = wait_for_the_server(sock)
        if reset is None:
            return lab.stop("strategy2_retry", "the peer neither answered nor reset; try `reset` or `flaky:1`")
        if reset:
            lab.say("  the first request was sent, and the server has reset the connection")
        else:
            lab.say("  the first request was sent, and the server answered or closed: no reset to retry after")
        try:
            same_socket_loop(sock, attempts, delay)
        except OSError as error:
            lab.say(f"  {lab.describe(error)} is not ConnectionResetError: the loop does not catch it")
            lab.say("the script dies here; its traceback ends with")
            lab.say(f"  {type(error).__name__}: {error}")
    return 0


def main(argv):
    arguments = lab.parser(__doc__)
    arguments.add_argument("--attempts", type=lab.number(1, 10), default=3, help="tries in all, 1..=10 (default 3)")
    arguments.add_argument("--delay-ms", type=lab.number(0, 10_000), default=200, help="pause between tries, 0..=10000 (default 200)")
    arguments.add_argument("--not-idempotent", action="store_true", help="the request must not be repeated once sent")
    arguments.add_argument("--naive", action="store_true", help="run the article's same-socket loop instead")
    args = arguments.parse_args(argv)
    delay = args.delay_ms / 1000
    try:
        if args.naive:
            return naive(args.addr, args.source, args.attempts, delay)
        return retry(args.addr, args.source, args.attempts, delay, idempotent=not args.not_idempotent)
    except OSError as error:
        return lab.stop("strategy2_retry", lab.describe(error))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
