"""The installation's PAdES signature on reports, checked with our check and pyHanko's own."""

import hashlib
import io
import socket
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID
from django.core.management import CommandError, call_command
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from compliance.reports import weasy
from compliance.reports.pdf import STATIC_FILES
from compliance.reports.signing import (
    SignatureCheck,
    SigningError,
    _outside_event_loop,
    certificate_fingerprint,
    certificate_subject,
    check_signature,
    generate_self_signed,
    sign_pdf,
)

CHINESE = "出口管制合规自评估：最终用户和最终用途审查"
REPORT_HTML = f"""<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<link rel="stylesheet" href="app-static:reports/report.css"></head>
<body><h1>Assessment report</h1><p>{CHINESE}</p><p>Approved by the compliance officer.</p>
</body></html>"""
OUR_NAME = f"Export-control compliance self-assessment (self-signed, {socket.gethostname()})"


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    """A report as the app prints it: WeasyPrint, the report's stylesheet and Chinese font."""
    return weasy.render(REPORT_HTML, None, STATIC_FILES)


@pytest.fixture(scope="module")
def signed(report_pdf) -> bytes:
    return sign_pdf(report_pdf, reason="Approved", location="Shanghai", contact="co@example.com")


def certificate_of(cert_file) -> x509.Certificate:
    return x509.load_pem_x509_certificate(cert_file.read_bytes())


def test_a_signed_report_checks_as_signed_intact_and_ours(signed):
    check = check_signature(signed)
    assert check.signed and check.intact and check.trusted and check.covers_whole_file
    assert check.signer_name == OUR_NAME
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_signing_appends_to_the_report_and_keeps_its_chinese_text(report_pdf, signed):
    assert signed.startswith(report_pdf)  # an incremental update: the original bytes stay
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(signed)).pages)
    assert CHINESE in text.replace("\n", "")


def test_pyhankos_own_validator_accepts_the_signature(signed, settings):
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    (signature,) = reader.embedded_regular_signatures
    own = load_cert_from_pemder(str(settings.SIGNING_CERT_FILE))
    context = ValidationContext(trust_roots=[own], allow_fetching=False)
    # (In a thread of its own when a browser test left this one's event loop running.)
    status = _outside_event_loop(validate_pdf_signature, signature, context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    assert signature.field_name == "Approval"
    dictionary = signature.sig_object
    assert dictionary["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert dictionary["/Reason"] == "Approved"
    assert dictionary["/Location"] == "Shanghai"
    assert dictionary["/ContactInfo"] == "co@example.com"


def test_a_pdfa_report_can_be_signed(report_pdf):
    pdfa = weasy.render(REPORT_HTML, "pdf/a-3u", STATIC_FILES)
    check = check_signature(sign_pdf(pdfa, reason="Approved"))
    assert check.signed and check.intact and check.trusted


def test_one_changed_byte_in_the_report_breaks_the_signature(report_pdf, signed):
    # Inside the report's first stream (WeasyPrint writes the page's content first).
    middle = signed.index(b"stream\n") + 40
    assert middle < len(report_pdf)
    altered = bytearray(signed)
    altered[middle] ^= 0x01
    check = check_signature(bytes(altered))
    assert check.signed
    assert not check.intact


def test_an_update_appended_after_signing_counts_as_altered(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    info = writer.trailer["/Info"]
    info["/Title"] = generic.pdf_string("Not the approved report")
    writer.update_container(info)
    output = io.BytesIO()
    writer.write(output)
    assert len(output.getvalue()) > len(signed)
    check = check_signature(output.getvalue())
    assert check.signed
    assert not check.covers_whole_file
    assert not check.intact
    assert check.trusted  # still our signature over what was signed


def test_an_unsigned_report_is_unsigned(report_pdf):
    assert check_signature(report_pdf) == SignatureCheck(signed=False)


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"%PDF-1.7\n%%EOF\n", bytes(range(256)) * 40],
    ids=["empty", "garbage", "header only", "binary"],
)
def test_what_is_not_a_pdf_is_unsigned_without_an_error(data):
    assert check_signature(data) == SignatureCheck(signed=False)


def test_half_a_signed_report_is_not_intact_and_raises_nothing(signed):
    check = check_signature(signed[: len(signed) // 2])
    assert not check.intact


def test_a_signature_with_another_key_is_not_ours(report_pdf, settings, tmp_path):
    key, cert = generate_self_signed(tmp_path, common_name="Someone else")
    ours = settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE
    settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE = key, cert
    theirs = sign_pdf(report_pdf, reason="Approved")
    settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE = ours
    check = check_signature(theirs)
    assert check.signed and check.intact and check.signer_name == "Someone else"
    assert not check.trusted


def test_a_broken_key_file_is_a_signing_error(report_pdf, signed, settings, tmp_path):
    broken = tmp_path / "key.pem"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    settings.SIGNING_KEY_FILE = broken
    with pytest.raises(SigningError, match=r"^The report could not be signed: "):
        sign_pdf(report_pdf, reason="Approved")
    # Checking still answers: without our certificate nothing is trusted.
    check = check_signature(signed)
    assert check.signed and check.intact and not check.trusted


def test_a_key_of_another_certificate_is_a_signing_error(report_pdf, settings, tmp_path):
    settings.SIGNING_CERT_FILE = generate_self_signed(tmp_path)[1]
    with pytest.raises(SigningError, match="does not belong"):
        sign_pdf(report_pdf, reason="Approved")


def test_a_pkcs12_file_signs_instead_of_the_pair(report_pdf, settings, tmp_path):
    key_file, cert_file = generate_self_signed(tmp_path, common_name="From PKCS#12")
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    archive = tmp_path / "signing.p12"
    archive.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signing",
            key,
            certificate_of(cert_file),
            None,
            serialization.BestAvailableEncryption(b"p12 secret"),
        )
    )
    settings.SIGNING_PKCS12_FILE, settings.SIGNING_PKCS12_PASSWORD = archive, "p12 secret"
    check = check_signature(sign_pdf(report_pdf, reason="Approved"))
    assert check.intact and check.trusted and check.signer_name == "From PKCS#12"


def test_the_certificate_is_described_by_fingerprint_and_subject(settings):
    der = certificate_of(settings.SIGNING_CERT_FILE).public_bytes(serialization.Encoding.DER)
    assert certificate_fingerprint() == hashlib.sha256(der).hexdigest()
    assert certificate_subject() == (
        "O=Test suite,CN=" + OUR_NAME.replace(",", "\\,")  # RFC 4514: most specific first
    )


def test_the_command_writes_a_self_signed_signing_certificate(tmp_path):
    call_command("make_signing_key", "--dir", str(tmp_path), "--organisation", "ACME Lasers")
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    certificate = certificate_of(tmp_path / "cert.pem")
    assert certificate.subject == certificate.issuer
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == OUR_NAME
    organisation = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert organisation[0].value == "ACME Lasers"
    usage = certificate.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    constraints = certificate.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
    assert constraints.value.ca is False
    validity = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=5 * 365) <= validity <= timedelta(days=5 * 366)


def test_the_command_keeps_an_existing_pair(tmp_path, capsys):
    call_command("make_signing_key", "--dir", str(tmp_path), verbosity=0)
    first = (tmp_path / "cert.pem").read_bytes(), (tmp_path / "key.pem").read_bytes()
    call_command("make_signing_key", "--dir", str(tmp_path))
    assert "kept" in capsys.readouterr().out
    assert ((tmp_path / "cert.pem").read_bytes(), (tmp_path / "key.pem").read_bytes()) == first


def test_the_command_replaces_the_pair_with_force(tmp_path):
    call_command("make_signing_key", "--dir", str(tmp_path), verbosity=0)
    first = certificate_of(tmp_path / "cert.pem").fingerprint(hashes.SHA256())
    call_command("make_signing_key", "--dir", str(tmp_path), "--force", verbosity=0)
    assert certificate_of(tmp_path / "cert.pem").fingerprint(hashes.SHA256()) != first
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600


def test_the_command_writes_the_configured_files_by_default(settings, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "signing" / "site.key"
    settings.SIGNING_CERT_FILE = tmp_path / "signing" / "site.crt"
    call_command("make_signing_key", verbosity=0)
    assert settings.SIGNING_KEY_FILE.stat().st_mode & 0o777 == 0o600
    assert (
        certificate_of(settings.SIGNING_CERT_FILE).subject
        == certificate_of(settings.SIGNING_CERT_FILE).issuer
    )


def test_the_command_refuses_to_pair_a_new_key_with_an_old_certificate(tmp_path):
    (tmp_path / "cert.pem").write_text("an old certificate")
    with pytest.raises(CommandError, match="without its pair"):
        call_command("make_signing_key", "--dir", str(tmp_path), verbosity=0)
    assert (tmp_path / "cert.pem").read_text() == "an old certificate"
