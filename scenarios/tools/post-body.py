#!/usr/bin/env python3
"""POST a JSON issue with a body of N bytes to trackerd's Unix socket and check the status.

usage: post-body.py [--then-delete] SOCKET BODY_BYTES EXPECTED_STATUS...
Exit 0 when the response status is one of the expected ones (or, for an expected 4xx,
when the daemon closed the connection instead of reading the whole body); 1 otherwise.
--then-delete removes the created issue again, so repeating it does not grow the data.
"""
import json
import socket
import sys


def request(path: str, data: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(10)
        sock.connect(path)
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the daemon refused to read it all: fine if we expected a refusal
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, socket.timeout):
            pass
    return b"".join(chunks)


def main() -> int:
    args = sys.argv[1:]
    then_delete = args[0] == "--then-delete"
    if then_delete:
        args = args[1:]
    path, size, expected = args[0], int(args[1]), {int(s) for s in args[2:]}
    body = b'{"title": "near the limit", "body": "' + b"b" * size + b'"}'
    head = (b"POST /issues HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
    reply = request(path, head + body)
    if not reply:
        ok = any(400 <= s < 500 for s in expected)
        print("connection closed without a response", file=sys.stderr)
        return 0 if ok else 1
    status = int(reply.split(b" ", 2)[1])
    if status not in expected:
        print(f"status {status}, expected {sorted(expected)}: {reply[:200]!r}", file=sys.stderr)
        return 1
    if then_delete and status == 201:
        issue_id = json.loads(reply.split(b"\r\n\r\n", 1)[1])["id"]
        gone = request(path, b"DELETE /issues/%d HTTP/1.1\r\nHost: localhost\r\n"
                             b"Connection: close\r\n\r\n" % issue_id)
        if b" 204 " not in gone[:20] and b" 200 " not in gone[:20]:
            print(f"DELETE /issues/{issue_id} failed: {gone[:200]!r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
