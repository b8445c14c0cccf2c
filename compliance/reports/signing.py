"""The installation's signature on approved reports: PAdES (B-B) with pyHanko, and its check.

The key and certificate come from the settings (SIGNING_KEY_FILE and SIGNING_CERT_FILE,
or SIGNING_PKCS12_FILE; see compliance/settings.py). A signature is checked against this
installation's own certificate only: ``trusted`` means "signed with our key", not "signed
by someone a PDF reader trusts". No timestamp server is asked and nothing is fetched from
the network, neither when signing nor when checking. Without a timestamp a signature is
checked at the current time: once the certificate has expired, it is no longer trusted.

pyHanko's synchronous functions run their own event loop (``asyncio.run``): call them from
synchronous code (views, tasks, commands), never from inside a running event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import KeyUsageConstraints, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

FIELD_NAME = "Approval"
DEFAULT_ORGANISATION = "Local installation"
VALIDITY = timedelta(days=5 * 365 + 1)
# A certificate from a company CA may carry only one of the two; our own carries both.
SIGNER_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


class SigningError(Exception):
    """A report could not be signed. The message is for the user; the cause is logged."""

    def __init__(self, reason: str) -> None:
        super().__init__(_("The report could not be signed: %(reason)s") % {"reason": reason})


@functools.cache
def signer() -> signers.SimpleSigner:
    """The installation's signer, loaded once per process from the settings."""
    if not (settings.SIGNING_PKCS12_FILE or settings.SIGNING_KEY_FILE):
        raise SigningError(_("no signing key is configured"))
    try:
        loaded = _load_signer()
        matches = loaded is not None and _key_matches_certificate(loaded)
    except Exception:  # pyHanko logs most causes and returns None, but not all
        logger.exception("The signing key or certificate could not be loaded")
        loaded = None
    if loaded is None:
        raise SigningError(_("the signing key or certificate could not be loaded"))
    if not matches:
        raise SigningError(_("the signing key does not belong to the signing certificate"))
    return loaded


def _load_signer() -> signers.SimpleSigner | None:
    chain = [str(settings.SIGNING_CHAIN_FILE)] if settings.SIGNING_CHAIN_FILE else None
    if settings.SIGNING_PKCS12_FILE:
        password = settings.SIGNING_PKCS12_PASSWORD
        return signers.SimpleSigner.load_pkcs12(
            str(settings.SIGNING_PKCS12_FILE),
            ca_chain_files=chain,
            passphrase=password.encode() if password else None,
        )
    password = settings.SIGNING_KEY_PASSWORD
    return signers.SimpleSigner.load(
        str(settings.SIGNING_KEY_FILE),
        str(settings.SIGNING_CERT_FILE),
        ca_chain_files=chain,
        key_passphrase=password.encode() if password else None,
    )


def _key_matches_certificate(loaded: signers.SimpleSigner) -> bool:
    """pyHanko signs with whatever key it is given; a key of another certificate would
    make signatures that nothing accepts, so it is refused when loading."""
    private = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return private.public_key().public_bytes(*spki) == (
        _certificate(loaded).public_key().public_bytes(*spki)
    )


def _certificate(loaded: signers.SimpleSigner) -> x509.Certificate:
    return x509.load_der_x509_certificate(loaded.signing_cert.dump())


def reset_signer() -> None:
    """Forget the loaded signer, so that the next signature reads the settings again."""
    signer.cache_clear()


@receiver(setting_changed)
def _signing_setting_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("SIGNING_"):
        reset_signer()


def sign_pdf(
    data: bytes, *, reason: str, location: str = "", contact: str = "", name: str | None = None
) -> bytes:
    """``data`` with the installation's PAdES signature (B-B, SHA-256, invisible field
    "Approval"), added as an incremental update so that the original bytes stay as they are.
    Raises SigningError."""
    own = signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        contact_info=contact or None,
        name=name,
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        output = _outside_event_loop(
            functools.partial(signers.sign_pdf, writer, metadata, signer=own)
        )
    except Exception as error:
        logger.exception("Signing a PDF of %d bytes failed", len(data))
        raise SigningError(_("the PDF could not be signed")) from error
    return output.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's last signature says.

    ``intact``: the signed digest matches the bytes and the signature is mathematically
    valid, *and* the signature covers the whole file. Anything appended after signing (an
    incremental update, even one that only changes the title) makes it ``False``: PDF
    readers would accept some such updates, but an approved report is never changed
    after approval, so any change is an alteration. ``covers_whole_file`` tells that
    case apart. ``trusted``: the signing certificate is this installation's own.
    """

    signed: bool
    intact: bool = False
    trusted: bool = False
    signer_name: str = ""
    signed_at: datetime | None = None
    covers_whole_file: bool = False


UNSIGNED = SignatureCheck(signed=False)


def check_signature(data: bytes) -> SignatureCheck:
    """Check the last signature of the PDF ``data`` against this installation's
    certificate. Never raises: what is not a readable PDF counts as unsigned.

    pyHanko's validator runs its own event loop (``asyncio.run``), which cannot start in
    a thread whose loop is running (an async view, a test driving a browser): there the
    check runs in a thread of its own, as signing does."""
    return _outside_event_loop(_check_signature, data)


def _outside_event_loop(function, *args):
    """``function(*args)`` here, or in a thread of its own when this thread runs an event
    loop: pyHanko's signer and validator start their own (``asyncio.run``)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def _check_signature(data: bytes) -> SignatureCheck:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = reader.embedded_regular_signatures
    except Exception:
        logger.info("Not a readable PDF: no signature to check", exc_info=True)
        return UNSIGNED
    if not embedded:
        return UNSIGNED
    signature = embedded[-1]
    context = ValidationContext(
        trust_roots=_own_certificates(), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        # No difference analysis: any update after signing already counts as an alteration.
        status = validate_pdf_signature(
            signature, context, key_usage_settings=SIGNER_KEY_USAGE, skip_diff=True
        )
    except Exception:
        logger.warning("A PDF signature could not be validated", exc_info=True)
        return SignatureCheck(signed=True)
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid and whole_file),
        trusted=bool(status.trusted),
        signer_name=_common_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        covers_whole_file=whole_file,
    )


def _own_certificates() -> list[asn1_x509.Certificate]:
    """The trust roots of a check: our certificate (an empty list, not the system's
    trust store, when it cannot be loaded)."""
    try:
        return [signer().signing_cert]
    except SigningError:
        return []


def _common_name(certificate: asn1_x509.Certificate) -> str:
    common_name = certificate.subject.native.get("common_name", "")
    if isinstance(common_name, list):  # several CN attributes: the most specific
        common_name = common_name[-1]
    return common_name or certificate.subject.human_friendly


def certificate_fingerprint() -> str:
    """The SHA-256 of the installation's certificate (DER), lowercase hex without colons."""
    return hashlib.sha256(signer().signing_cert.dump()).hexdigest()


def certificate_subject() -> str:
    """The installation's certificate's subject, as an RFC 4514 string."""
    return _certificate(signer()).subject.rfc4514_string()


def generate_self_signed(
    directory: Path,
    *,
    organisation: str = DEFAULT_ORGANISATION,
    common_name: str | None = None,
    key_name: str = "key.pem",
    cert_name: str = "cert.pem",
) -> tuple[Path, Path]:
    """Write a new RSA-3072 key (mode 0600) and a self-signed certificate for it, valid
    five years, into ``directory``, replacing any there. Returns (key file, cert file).

    Each file is written under a temporary name and renamed into place, so that a reader
    never sees half a file; callers that may run at once must still serialise, since the
    pair is two renames."""
    common_name = common_name or (
        f"Export-control compliance self-assessment (self-signed, {socket.gethostname()})"
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))  # a reader's clock a little behind
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file, cert_file = directory / key_name, directory / cert_name
    _write_replacing(
        key_file,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=0o600,
    )
    _write_replacing(cert_file, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return key_file, cert_file


def _write_replacing(path: Path, content: bytes, *, mode: int) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
