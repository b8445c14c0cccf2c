"""Make the installation's self-signed key and certificate for signing approved reports."""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from compliance.reports.signing import DEFAULT_ORGANISATION, generate_self_signed


class Command(BaseCommand):
    help = (
        "Write a self-signed RSA-3072 key (mode 0600) and certificate, valid five years, for "
        "signing approved reports: into --dir as key.pem and cert.pem, or by default to "
        "SIGNING_KEY_FILE and SIGNING_CERT_FILE. Files already there are kept unless --force. "
        "PDF readers show such a signature's validity as unknown unless the reader trusts "
        "the certificate; a certificate from the company's CA is better (docs/deployment.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir",
            dest="directory",
            metavar="DIR",
            type=Path,
            help="write DIR/key.pem and DIR/cert.pem",
        )
        parser.add_argument(
            "--organisation",
            default=DEFAULT_ORGANISATION,
            help=f"the certificate's organisation (O); default: {DEFAULT_ORGANISATION}",
        )
        parser.add_argument("--force", action="store_true", help="replace existing files")

    def handle(
        self, *, directory: Path | None, organisation: str, force: bool, verbosity: int, **options
    ) -> None:
        if directory is not None:
            key_file, cert_file = directory / "key.pem", directory / "cert.pem"
        else:
            key_file, cert_file = settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE
            if not (key_file and cert_file) or key_file.parent != cert_file.parent:
                raise CommandError(
                    "SIGNING_KEY_FILE and SIGNING_CERT_FILE do not name two files of one "
                    "directory: pass --dir DIR."
                )
        existing = [file for file in (key_file, cert_file) if file.exists()]
        if len(existing) == 2 and not force:
            if verbosity:
                self.stdout.write(
                    f"Signing key kept: {key_file} and {cert_file} (--force replaces them)."
                )
            return
        if existing and not force:
            raise CommandError(
                f"{existing[0]} exists without its pair: --force replaces both "
                "(signatures made with the old key no longer check as this installation's)."
            )
        generate_self_signed(
            key_file.parent,
            organisation=organisation,
            key_name=key_file.name,
            cert_name=cert_file.name,
        )
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Wrote {key_file} (mode 0600) and {cert_file}."))
            self.stdout.write(f"SHA-256 fingerprint of the certificate: {fingerprint(cert_file)}")
            if directory is not None:
                self.stdout.write("Set SIGNING_KEY_FILE and SIGNING_CERT_FILE to them.")


def fingerprint(cert_file: Path) -> str:
    """As auditors compare it: the SHA-256 of the DER certificate, in hex."""
    certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    return certificate.fingerprint(hashes.SHA256()).hex()
