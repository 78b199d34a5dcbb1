"""A small certificate authority for the sandbox and the tests, made with the ``openssl`` CLI.

Certificates are issued as real CAs issue them: the CA with a critical basicConstraints and a
keyUsage of keyCertSign/cRLSign, every certificate with subject and authority key ids, leaves
with their extended key usage and subject alternative names. That is what Python 3.13's
strict X.509 checks (``VERIFY_X509_STRICT``) ask for. ``legacy_ca=True`` issues a CA the way
older corporate CAs were made (no keyUsage, basicConstraints not critical), which those
checks reject: the tests use it to show what a user with such a CA meets.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CA_EXTENSIONS = """\
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""
LEGACY_CA_EXTENSIONS = """\
basicConstraints = CA:TRUE
subjectKeyIdentifier = hash
"""
LEAF_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = {usage}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
"""
# A config of our own, so the system's openssl.cnf adds nothing behind our back.
REQUEST_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
"""


class PkiError(RuntimeError):
    """openssl is missing or refused a step (its own words are kept)."""


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key, both PEM files."""

    cert: Path
    key: Path


def _openssl(folder: Path, *args: str) -> None:
    if shutil.which("openssl") is None:
        raise PkiError("openssl is not installed (it makes the sandbox's certificates)")
    done = subprocess.run(
        ["openssl", *args], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise PkiError(f"openssl {args[0]} failed: {done.stderr.strip()[-400:]}")


def _key_and_request(folder: Path, name: str, common_name: str) -> None:
    (folder / "req.cnf").write_text(REQUEST_CONFIG + f"CN = {common_name}\n", encoding="utf-8")
    _openssl(folder, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-config", "req.cnf",
             "-keyout", f"{name}.key", "-out", f"{name}.csr")  # fmt: skip
    (folder / f"{name}.key").chmod(0o600)


class CertificateAuthority:
    """A CA in ``folder`` (``ca.pem``, ``ca.key``) that issues server and client certificates."""

    def __init__(self, folder: Path, *, name: str = "kctui sandbox CA", legacy: bool = False):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = folder / "ca.pem", folder / "ca.key"
        if self.cert.exists() and self.key.exists():
            return
        _key_and_request(folder, "ca", name)
        (folder / "ca.ext").write_text(
            LEGACY_CA_EXTENSIONS if legacy else CA_EXTENSIONS, encoding="utf-8"
        )
        _openssl(folder, "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "825",
                 "-sha256", "-extfile", "ca.ext", "-out", "ca.pem")  # fmt: skip

    def issue(
        self,
        name: str,
        common_name: str,
        *,
        hosts: tuple[str, ...] = (),
        usage: str = "serverAuth, clientAuth",
    ) -> Issued:
        """A leaf certificate ``<name>.pem`` / ``<name>.key`` for ``hosts`` (IPs or DNS names)."""
        folder = self.folder
        cert, key = folder / f"{name}.pem", folder / f"{name}.key"
        if cert.exists() and key.exists():
            return Issued(cert, key)
        _key_and_request(folder, name, common_name)
        extensions = LEAF_EXTENSIONS.format(usage=usage)
        if hosts:
            names = [f"IP:{h}" if h.replace(".", "").isdigit() else f"DNS:{h}" for h in hosts]
            extensions += "subjectAltName = " + ", ".join(names) + "\n"
        (folder / f"{name}.ext").write_text(extensions, encoding="utf-8")
        _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-set_serial", str(_serial(folder)), "-days", "825", "-sha256",
                 "-extfile", f"{name}.ext", "-out", f"{name}.pem")  # fmt: skip
        return Issued(cert, key)


def _serial(folder: Path) -> int:
    """A serial number unique within this CA (the number of certificates issued so far + 2)."""
    return len(list(folder.glob("*.pem"))) + 2
