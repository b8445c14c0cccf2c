"""The safe sender, against a real HTTP receiver on loopback (work in progress)."""

import contextlib
import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from compliance.webhooks.delivery import Refused, networks, post, public, vet

LOOPBACK = networks(["127.0.0.0/8", "::1/128"])


class Receiver(BaseHTTPRequestHandler):
    behaviour = "ok"
    seen: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append((self.path, dict(self.headers), body))
        if self.behaviour == "hang":
            time.sleep(3)
        if self.behaviour == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()
            return
        status = 500 if self.behaviour == "error" else 200
        payload = b"x" * (1024 * 1024) if self.behaviour == "huge" else b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the sender stopped reading at its cap
            self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.seen = []
    Receiver.behaviour = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server, path="/hook?x=1") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_a_delivery_reaches_the_checked_address(receiver):
    target = vet(url(receiver), allowed=LOOPBACK, allow_http=True)
    answer = post(target, b'{"a": 1}', {"Content-Type": "application/json"}, timeout=2, cap=65536)
    assert (answer.status, answer.body, answer.truncated) == (200, b"ok", False)
    [(path, headers, body)] = Receiver.seen
    assert path == "/hook?x=1" and body == b'{"a": 1}'
    assert headers["Host"].startswith("127.0.0.1")


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "private, local or reserved"),
        ("http://10.0.0.1/", "private, local or reserved"),
        ("http://127.0.0.1/", "private, local or reserved"),
        ("http://[::1]/", "private, local or reserved"),
        ("http://100.64.0.1/", "private, local or reserved"),
        ("http://192.168.1.1/", "private, local or reserved"),
        ("http://0.0.0.0/", "private, local or reserved"),
        ("http://[::ffff:10.0.0.1]/", "private, local or reserved"),
        ("http://localhost/", "private, local or reserved"),
        ("file:///etc/passwd", "must start with https://"),
        ("gopher://example.com/", "must start with https://"),
        ("http://user:pw@example.com/", "user name or password"),
        ("http://example.com:99999/", "port"),
        ("http://" + "a" * 600 + ".com/", "longer than"),
    ],
)
def test_addresses_that_are_refused(address, why):
    with pytest.raises(Refused, match=why):
        vet(address, allow_http=True)


def test_the_metadata_address_is_refused_even_inside_allowed_networks():
    allowed = networks(["169.254.0.0/16"])
    assert not public(ipaddress.ip_address("169.254.169.254"), allowed)
    assert public(ipaddress.ip_address("169.254.1.1"), allowed)


def test_plain_http_needs_the_setting(receiver):
    with pytest.raises(Refused, match="https"):
        vet(url(receiver), allowed=LOOPBACK)


def test_a_redirect_is_not_followed(receiver):
    Receiver.behaviour = "redirect"
    target = vet(url(receiver), allowed=LOOPBACK, allow_http=True)
    answer = post(target, b"{}", {}, timeout=2, cap=65536)
    assert answer.status == 302
    assert len(Receiver.seen) == 1


def test_a_receiver_that_hangs_times_out(receiver):
    Receiver.behaviour = "hang"
    target = vet(url(receiver), allowed=LOOPBACK, allow_http=True)
    started = time.monotonic()
    with pytest.raises(OSError):
        post(target, b"{}", {}, timeout=0.5, cap=65536)
    assert time.monotonic() - started < 2


def test_a_huge_answer_is_cut_at_the_cap(receiver):
    Receiver.behaviour = "huge"
    target = vet(url(receiver), allowed=LOOPBACK, allow_http=True)
    answer = post(target, b"{}", {}, timeout=2, cap=65536)
    assert answer.truncated and len(answer.body) == 65536


def test_a_500_is_an_answer_to_retry(receiver):
    Receiver.behaviour = "error"
    target = vet(url(receiver), allowed=LOOPBACK, allow_http=True)
    assert post(target, b"{}", {}, timeout=2, cap=65536).status == 500
