"""The benchmark's load generators: keep-alive HTTP/1.1 clients in their own processes,
closed loop or open loop (`--rate`), each posting receipts and issues (see bench/api_bench.py)."""

import json
import resource
import socket
import time
import uuid


class Connection:
    """One keep-alive HTTP/1.1 connection with just enough parsing for the API's answers."""

    def __init__(self, port: int):
        self.port = port
        self.sock = None
        self.buffer = b""

    def open(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def request(self, data: bytes) -> int:
        """Send one request, read the whole answer; returns the status code."""
        if self.sock is None:
            self.open()
        self.sock.sendall(data)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            rest += chunk
        self.buffer = rest[length:]
        if close:
            self.close()
        return status


def client_loop(port, token, depot, item, lot, start_at, seconds, out, interval=None, phase=0.0):
    """One client: receipt, issue, receipt, ... each waiting for its answer.

    With `interval` (open loop) the n-th request is due at `phase + n × interval` after the
    start, whether or not the previous answers came on time; its latency counts from when it
    was due, so a server falling behind shows as latency, not as fewer requests.
    """
    conn = Connection(port)
    head = (
        "POST /api/v1/movements HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    )
    bodies = [
        json.dumps(
            {
                "type": kind,
                "facility": depot,
                "item": item,
                "quantity": quantity,
                "lot_no": lot,
            }
        ).encode()
        for kind, quantity in (("receipt", 5), ("issue", 3))
    ]
    latencies, errors, n = [], 0, 0
    while time.time() < start_at:
        time.sleep(0.001)
    begin = time.perf_counter()
    deadline = begin + seconds
    while True:
        started = time.perf_counter()
        if interval is not None:
            due = begin + phase + n * interval
            if due > started:
                time.sleep(due - started)
            started = due
        if started >= deadline:
            break
        body = bodies[n % 2]
        data = (
            f"{head}Idempotency-Key: {uuid.uuid4().hex}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        try:
            ok = conn.request(data) == 201
        except OSError:
            ok = False
            conn.close()
        latencies.append(time.perf_counter() - started)
        errors += not ok
        n += 1
    conn.close()
    out.append((latencies, errors))


def client_process(port, clients, start_at, seconds, queue, interval=None):
    """A process running some of the clients as threads; reports latencies and its CPU.
    Each client is (token, depot, item, lot, phase)."""
    import threading

    results: list = []
    threads = [
        threading.Thread(
            target=client_loop,
            args=(port, *c[:4], start_at, seconds, results, interval, c[4]),
            daemon=True,
        )
        for c in clients
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    latencies = [x for lat, _e in results for x in lat]
    queue.put((latencies, sum(e for _l, e in results), usage.ru_utime + usage.ru_stime))
