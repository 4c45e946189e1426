"""What the Python lessons in this folder share; not a lesson itself.

Each lesson talks to the crate's lab peer, started in another terminal:

    cargo run --example peer -- SCRIPT --listen 127.0.0.1:8080

and takes `--addr HOST:PORT` to find it (default 127.0.0.1:8080, the address
in the article's code), and `--source HOST`, the local address its
connections come from (default: the operating system's choice).  One peer
can serve a classroom: `flaky:N` resets the first N connections from each
client address.  On Linux every address of 127.0.0.0/8 is local, so several
lessons on one machine can each be a client of its own there, with
`--source 127.0.0.10`, `--source 127.0.0.11`, and so on.  Every number on a command line has a stated range,
as in the crate's Rust examples.  A lesson exits 0 once it has run its
lesson, whatever the peer did; 1 when something outside its lesson stopped
it; 2 for a bad command line (argparse prints why).

Python 3.8 or later, standard library only.
"""

import argparse
import errno
import ipaddress
import sys
import time

DEFAULT_ADDR = ("127.0.0.1", 8080)


def host_port(text):
    """Parses HOST:PORT; an IPv6 host goes in brackets, [::1]:8080."""
    host, colon, port = text.rpartition(":")
    if not colon or not host:
        raise argparse.ArgumentTypeError(f"want HOST:PORT, got {text!r}")
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"the port in {text!r} is not in 1..=65535")
    return host.strip("[]"), number


def source_host(text):
    """Parses the IP address to connect from, as socket.create_connection's
    `source_address` takes it: (HOST, 0), port 0 letting the system choose
    the port.  An IPv6 address may go in brackets, [::1]."""
    host = text.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise argparse.ArgumentTypeError(f"want an IP address, got {text!r}") from None
    return host, 0


def number(low, high):
    """An argparse type: a whole number from `low` to `high`, both included."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not in {low}..={high}")
        return value

    parse.__name__ = f"a number in {low}..={high}"
    return parse


def parser(doc):
    """A command line with `--addr` and `--source`, described by the lesson's
    own docstring."""
    summary, _, details = doc.partition("\n")
    made = argparse.ArgumentParser(
        description=summary,
        epilog=details,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    made.add_argument(
        "--addr",
        type=host_port,
        default=DEFAULT_ADDR,
        metavar="HOST:PORT",
        help="the lab peer (default 127.0.0.1:8080)",
    )
    made.add_argument(
        "--source",
        type=source_host,
        default=None,
        metavar="HOST",
        help="the local IP address to connect from (default: the system chooses); "
        "on Linux any 127.x.y.z is local, so each client on one machine can have its own",
    )
    return made


def describe(error):
    """An OSError as this folder prints it: the class Python chose, then the
    errno with its name on this platform, e.g.
    `ConnectionResetError [Errno 104 ECONNRESET]`."""
    name = type(error).__name__
    number = getattr(error, "errno", None)
    if number is None:
        return f"{name} ({error})"
    return f"{name} [Errno {number} {errno.errorcode.get(number, '?')}]"


class Clock:
    """Milliseconds since the lesson started, for the narration."""

    def __init__(self):
        self.start = time.monotonic()

    def ms(self):
        return round((time.monotonic() - self.start) * 1000)


def say(line):
    """Prints one line of narration at once, so that a reader (or a test
    reading the pipe) sees each step as it happens."""
    print(line, flush=True)


def stop(lesson, what):
    """Ends the lesson early: one line on stderr, exit 1."""
    print(f"{lesson}: {what}", file=sys.stderr, flush=True)
    return 1
