"""CPython's half of `cargo run --release --example measure`; not a lesson.

The Rust benchmark runs this program with `python3 -I -S -c` (the source is built
into the example), against the same lab peer and in the same scenarios as
its own figures, and prints CPython's medians beside Rust's.  It can also be
run by hand, given a silent peer and an address where nobody listens:

    cargo run --example peer -- stall --listen 127.0.0.1:8080
    python3 docs/python/measure.py --runs 50 --stall 127.0.0.1:8080 --refused 127.0.0.1:1

It prints one line per figure, for a program to read: the figure's name,
then one duration in milliseconds per run.  Its first line is `version`
and CPython's `sys.version`.  On any failure it prints one line on stderr and
exits 1.
"""

import socket
import sys
import threading
import time

# As in the Rust half: the read timeout whose lateness is measured, the total
# a caller allows for a write to a peer that never reads, and more bytes
# than the loopback's buffers hold.
READ_TIMEOUT = 0.2
WRITE_BUDGET = 0.2
WRITE_SIZE = 64 * 1024 * 1024

# The bound on any wait that only a bug would make long.
BOUND = 5.0


def ms(seconds):
    return max(0.0, seconds) * 1000


# The longer timeouts measured beside it, as in the Rust half; 5 s is the
# article's settimeout(5).
LONG_TIMEOUTS = (1.0, 5.0)


def read_timeout_lateness(stall, timeout=READ_TIMEOUT):
    """How late settimeout(timeout) fires on a recv from a silent peer."""
    with socket.create_connection(stall, timeout=BOUND) as sock:
        sock.settimeout(timeout)
        started = time.perf_counter()
        try:
            sock.recv(16)
        except socket.timeout:
            return ms(time.perf_counter() - started - timeout)
    raise RuntimeError("the silent peer answered")


def sendall_lateness(data):
    """How far past its 200 ms timeout sendall runs, to a peer that never reads."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        with socket.create_connection(listener.getsockname(), timeout=BOUND) as sock:
            sock.settimeout(WRITE_BUDGET)
            started = time.perf_counter()
            try:
                sock.sendall(data)
            except socket.timeout:
                return ms(time.perf_counter() - started - WRITE_BUDGET)
    raise RuntimeError("64 MiB fitted in the socket buffers")


def rst_seen():
    """From the server's close, with the client's byte unread, to the
    client's blocked recv raising ConnectionResetError."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=BOUND)
        server, _ = listener.accept()
        with client:
            client.sendall(b"x")
            # Wait until the byte is in the server's queue, unread.
            server.settimeout(BOUND)
            server.recv(1, socket.MSG_PEEK)
            returned = []

            def blocked_reader():
                try:
                    client.recv(16)
                except ConnectionResetError:
                    returned.append(time.perf_counter())

            reader = threading.Thread(target=blocked_reader)
            reader.start()
            # Give the reader time to block in recv, as the Rust half does.
            time.sleep(0.005)
            closed = time.perf_counter()
            server.close()
            reader.join(BOUND)
            if not returned:
                raise RuntimeError("the blocked reader did not see the reset")
            return ms(returned[0] - closed)


def refused(addr):
    """The whole connect to an address where nobody listens."""
    started = time.perf_counter()
    try:
        socket.create_connection(addr, timeout=BOUND).close()
    except ConnectionRefusedError:
        return ms(time.perf_counter() - started)
    raise RuntimeError("somebody listens on the refused address")


def one_by_one(runs, measure):
    return [measure() for _ in range(runs)]


def in_batches(runs, parallel, measure):
    """Up to `parallel` runs at once, in threads, as the Rust half does for
    figures that spend their time blocked in the kernel."""
    results, failures = [], []

    def run():
        try:
            results.append(measure())
        except Exception as error:
            failures.append(error)

    left = runs
    while left > 0:
        batch = [threading.Thread(target=run) for _ in range(min(left, parallel))]
        for thread in batch:
            thread.start()
        for thread in batch:
            thread.join(2 * BOUND)
        left -= len(batch)
    if failures or len(results) != runs:
        raise RuntimeError(f"{len(failures)} runs failed: {failures[:1]}")
    return results


def host_port(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def main(argv):
    options = dict(zip(argv[::2], argv[1::2]))
    try:
        runs = int(options["--runs"])
        parallel = int(options.get("--parallel", "10"))
        stall = host_port(options["--stall"])
        nobody = host_port(options["--refused"])
    except (KeyError, ValueError) as error:
        print(f"measure.py: bad arguments {argv}: {error!r}", file=sys.stderr)
        return 1
    data = bytes(WRITE_SIZE)
    print("version", sys.version.replace("\n", " "), flush=True)
    try:
        figures = [
            ("read_timeout_late", in_batches(runs, parallel, lambda: read_timeout_lateness(stall))),
        ]
        for timeout in LONG_TIMEOUTS:
            samples = in_batches(runs, parallel, lambda: read_timeout_lateness(stall, timeout))
            figures.append((f"read_timeout_late_{timeout:g}s", samples))
        figures += [
            ("sendall_late", one_by_one(runs, lambda: sendall_lateness(data))),
            ("rst_seen", one_by_one(runs, rst_seen)),
            ("connect_refused", one_by_one(runs, lambda: refused(nobody))),
        ]
    except (OSError, RuntimeError) as error:
        print(f"measure.py: {error!r}", file=sys.stderr)
        return 1
    for name, samples in figures:
        print(name, " ".join(f"{sample:.4f}" for sample in samples), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
