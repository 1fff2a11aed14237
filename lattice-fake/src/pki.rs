//! A test PKI: one in-memory certificate authority and ECDSA P-256 server
//! certificates it issues by name.
//!
//! The fake's HTTPS listeners use it, and so can a test that needs a TLS
//! server of its own (a target behind the fake, a Lattice-like server for a
//! client test). Nothing is written to disk; the CA lives as long as the
//! value.
//!
//! ```
//! use lattice_fake::pki::TestPki;
//!
//! let pki = TestPki::new()?;
//! let leaf = pki.issue(&["orders.example.internal"])?;
//! let server = leaf.server_config(&[b"h2", b"http/1.1"])?;
//! let roots = pki.root_store();
//! # let _ = (server, roots);
//! # Ok::<(), lattice_fake::FakeError>(())
//! ```

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;

use crate::error::FakeError;

fn tls_err(e: impl fmt::Display) -> FakeError {
    FakeError::Tls(e.to_string())
}

/// A certificate authority held in memory (see the [module docs](self)).
pub struct TestPki {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    ca_pem: String,
}

impl fmt::Debug for TestPki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The CA's private key is never printed.
        f.debug_struct("TestPki").finish_non_exhaustive()
    }
}

impl TestPki {
    /// A fresh CA (ECDSA P-256) named "lattice test CA (in-memory)".
    ///
    /// # Errors
    ///
    /// [`FakeError::Tls`] when key generation fails (not expected).
    pub fn new() -> Result<Self, FakeError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(tls_err)?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "lattice test CA (in-memory)");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = rcgen::CertifiedIssuer::self_signed(params, key).map_err(tls_err)?;
        let ca_pem = issuer.pem();
        Ok(Self { issuer, ca_pem })
    }

    /// The CA certificate (DER), to add to a client's roots.
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        self.issuer.der()
    }

    /// The CA certificate as PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A root store holding only this CA.
    pub fn root_store(&self) -> rustls::RootCertStore {
        let mut roots = rustls::RootCertStore::empty();
        // A certificate rcgen just produced always parses.
        let _ = roots.add(self.ca_der().clone());
        roots
    }

    /// Issues a server certificate (ECDSA P-256, `serverAuth`) for `names`:
    /// DNS names or IP addresses; the first is also the common name.
    ///
    /// # Errors
    ///
    /// [`FakeError::Tls`] when a name is not a valid DNS name or address.
    pub fn issue<S: AsRef<str>>(&self, names: &[S]) -> Result<Leaf, FakeError> {
        let names: Vec<String> = names.iter().map(|n| n.as_ref().to_owned()).collect();
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(tls_err)?;
        let mut params = rcgen::CertificateParams::new(names.clone()).map_err(tls_err)?;
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().map_or("server", String::as_str),
        );
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).map_err(tls_err)?;
        Ok(Leaf {
            chain: vec![cert.der().clone(), self.ca_der().clone()],
            key: key.serialize_der(),
        })
    }
}

/// A server certificate issued by a [`TestPki`], with its private key.
#[derive(Clone)]
pub struct Leaf {
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl fmt::Debug for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Leaf")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Leaf {
    /// The certificate chain: the leaf, then the CA.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The leaf certificate (DER).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }

    /// The private key (PKCS #8 DER).
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }

    /// The chain and key as rustls's signing form (aws-lc-rs).
    ///
    /// # Errors
    ///
    /// [`FakeError::Tls`] when rustls rejects the key (not expected).
    pub fn certified_key(&self) -> Result<Arc<CertifiedKey>, FakeError> {
        let signing = lattice_client::tls::provider()
            .key_provider
            .load_private_key(self.key_der())
            .map_err(tls_err)?;
        Ok(Arc::new(CertifiedKey::new(self.chain.clone(), signing)))
    }

    /// A rustls server configuration (aws-lc-rs, TLS 1.2 and 1.3) serving
    /// this certificate with the ALPN protocols `alpn`, in preference order.
    ///
    /// # Errors
    ///
    /// [`FakeError::Tls`] when rustls rejects the certificate (not expected).
    pub fn server_config(&self, alpn: &[&[u8]]) -> Result<rustls::ServerConfig, FakeError> {
        let mut config =
            rustls::ServerConfig::builder_with_provider(lattice_client::tls::provider())
                .with_safe_default_protocol_versions()
                .map_err(tls_err)?
                .with_no_client_auth()
                .with_single_cert(self.chain.clone(), self.key_der())
                .map_err(tls_err)?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(config)
    }
}
