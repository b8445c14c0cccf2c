"""The safe sender, against a real HTTP receiver on loopback."""

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from compliance.webhooks.delivery import Refused, Target, networks, post, public, vet

LOOPBACK = networks(["127.0.0.0/8", "::1/128"])


class Receiver(BaseHTTPRequestHandler):
    behaviour = "ok"
    seen: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append((self.path, dict(self.headers), body))
        if self.behaviour == "hang":
            time.sleep(3)
        if self.behaviour == "drip":
            with contextlib.suppress(OSError):  # the sender hung up at its deadline
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            return
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
    assert headers["Host"] == f"127.0.0.1:{receiver.server_address[1]}"


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
        ("http://[::ffff:169.254.169.254]/", "private, local or reserved"),
        ("http://[::127.0.0.1]/", "private, local or reserved"),  # IPv4-compatible
        ("http://[64:ff9b::a00:1]/", "private, local or reserved"),  # NAT64 of 10.0.0.1
        ("http://[64:ff9b::a9fe:a9fe]/", "private, local or reserved"),  # … of metadata
        ("http://[2002:7f00:1::1]/", "private, local or reserved"),  # 6to4 of 127.0.0.1
        ("http://[2002:a00:1::]/", "private, local or reserved"),  # 6to4 of 10.0.0.1
        ("http://[fd00::1]/", "private, local or reserved"),
        ("http://[fe80::1]/", "private, local or reserved"),
        ("http://[fe80::1%25eth0]/", "does not resolve"),
        ("http://[fd00:ec2::254]/", "private, local or reserved"),
        ("http://[2001:db8::1]/", "private, local or reserved"),
        ("http://[::]/", "private, local or reserved"),
        ("http://2130706433/", "private, local or reserved"),  # 127.0.0.1 as a number
        ("http://0x7f.1/", "private, local or reserved"),
        ("http://017700000001/", "private, local or reserved"),
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


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:4700::1111", "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"]
)
def test_public_addresses_pass(address):
    assert public(ipaddress.ip_address(address))


def test_the_refusal_names_the_address_and_what_a_name_resolves_to():
    with pytest.raises(Refused) as given:
        vet("https://10.0.0.1/hook")
    assert str(given.value).startswith("10.0.0.1 is an address on a private")
    with pytest.raises(Refused) as named:
        vet("https://localhost/hook")
    assert str(named.value).startswith("localhost resolves to 127.0.0.1, an address")


def test_a_name_with_one_private_address_among_several_is_refused(monkeypatch):
    # The resolver's answer is the one thing given here: this machine has no DNS server
    # to serve a name with two addresses.
    def answers(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", answers)
    with pytest.raises(Refused, match=r"10\.0\.0\.7"):
        vet("https://two-answers.example/hook")


def test_the_host_header_names_the_host_without_a_default_port():
    def header(scheme, host, port):
        return Target(scheme, host, port, "/", host).host_header

    assert header("https", "hooks.example.com", 443) == "hooks.example.com"
    assert header("https", "hooks.example.com", 8443) == "hooks.example.com:8443"
    assert header("http", "hooks.example.com", 80) == "hooks.example.com"
    assert header("https", "2606:4700::1111", 443) == "[2606:4700::1111]"


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


def test_a_receiver_that_answers_a_byte_at_a_time_is_cut_at_the_deadline(receiver):
    # Each byte comes well within the socket's timeout; only the whole exchange's
    # deadline ends it.
    Receiver.behaviour = "drip"
    target = vet(url(receiver), allowed=LOOPBACK, allow_http=True)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        post(target, b"{}", {}, timeout=0.6, cap=65536)
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


def certificate(tmp_path, name: str):
    """A self-signed certificate for ``name`` and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_receiver(receiver, tmp_path):
    """The receiver behind TLS with a certificate for localhost; the client's context
    trusts that certificate alone."""
    cert_file, key_file = certificate(tmp_path, "localhost")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    Receiver.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, ssl.create_default_context(cafile=str(cert_file))
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_checked_address_with_the_hosts_name(tls_receiver):
    server, context = tls_receiver
    port = server.server_address[1]
    target = vet(f"https://localhost:{port}/hook", allowed=LOOPBACK)
    assert target.address == "127.0.0.1"
    answer = post(target, b"{}", {}, timeout=2, cap=65536, context=context)
    assert answer.status == 200
    [(path, headers, _body)] = Receiver.seen
    assert (path, headers["Host"]) == ("/hook", f"localhost:{port}")


def test_https_refuses_a_certificate_for_another_name(tls_receiver, tmp_path):
    server, _context = tls_receiver
    other, _key = certificate(tmp_path, "other.example")
    target = vet(f"https://localhost:{server.server_address[1]}/hook", allowed=LOOPBACK)
    with pytest.raises(ssl.SSLCertVerificationError):
        post(
            target,
            b"{}",
            {},
            timeout=2,
            cap=65536,
            context=ssl.create_default_context(cafile=str(other)),
        )
    assert Receiver.seen == []


def test_https_checks_the_name_not_the_address(tls_receiver):
    # The certificate is for localhost; asked for by its address, the name does not match.
    server, context = tls_receiver
    target = vet(f"https://127.0.0.1:{server.server_address[1]}/hook", allowed=LOOPBACK)
    with pytest.raises(ssl.SSLCertVerificationError):
        post(target, b"{}", {}, timeout=2, cap=65536, context=context)
