"""TLS material made at test time (never committed): a self-signed certificate and key
generated with the openssl command into a directory the test owns, and client contexts for
Python's ssl module."""

import os
import ssl
import subprocess


def make_certificate(directory, name="mx.sluice.test"):
    """Writes cert.pem and key.pem (EC P-256, self-signed for `name`, valid one day) into
    `directory`; returns (certificate path, key path)."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def tls_settings(directory, name="mx.sluice.test"):
    """smtp.* settings naming a fresh certificate in `directory` (for Daemon(smtp=...))."""
    cert, key = make_certificate(directory, name)
    return {"tls_certificate": f'"{cert}"', "tls_key": f'"{key}"'}


def server_context(directory, name="sink.sluice.test", maximum_version=None):
    """A server context for a test sink with a fresh self-signed certificate in `directory`;
    `maximum_version` (an ssl.TLSVersion) makes a server whose TLS Sluice refuses."""
    cert, key = make_certificate(directory, name)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if maximum_version is not None:
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = maximum_version
        context.set_ciphers("ALL:@SECLEVEL=0")
    context.load_cert_chain(cert, key)
    return context


def client_context(cafile=None):
    """A client context: verifying against `cafile` when given, else accepting any
    certificate (the daemon's is self-signed)."""
    context = ssl.create_default_context(cafile=cafile)
    if cafile is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class TestCa:
    """A throwaway certificate authority in `directory` (EC P-256, valid one day): `cert` is the
    file to trust (the daemon gets it as SSL_CERT_FILE); issue() signs server certificates."""

    def __init__(self, directory):
        self.directory = directory
        self.cert = os.path.join(directory, "ca.pem")
        self.key = os.path.join(directory, "ca.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", self.key, "-out", self.cert, "-days", "1",
                        "-subj", "/CN=Sluice Test CA",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                       check=True, capture_output=True, timeout=60)

    def issue(self, stem, names):
        """Writes STEM.pem and STEM.key, a certificate for the DNS `names` signed by this CA;
        returns (certificate path, key path)."""
        cert = os.path.join(self.directory, stem + ".pem")
        key = os.path.join(self.directory, stem + ".key")
        san = ",".join(f"DNS:{name}" for name in names)
        subprocess.run(["openssl", "req", "-x509", "-CA", self.cert, "-CAkey", self.key,
                        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "1", "-subj", f"/CN={names[0]}",
                        "-addext", f"subjectAltName={san}",
                        "-addext", "basicConstraints=critical,CA:FALSE",
                        "-addext", "extendedKeyUsage=serverAuth"],
                       check=True, capture_output=True, timeout=60)
        return cert, key

    def server_context(self, stem, names):
        """A server context with a fresh certificate for `names` signed by this CA."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self.issue(stem, names))
        return context
