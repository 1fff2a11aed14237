//! Certificates for HTTPS listeners: a fresh [`TestPki`] and one leaf per
//! service (its generated name and custom domain), chosen by SNI.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::error::FakeError;
use crate::pki::TestPki;

/// The CA and the per-service keys.
pub(crate) struct Pki {
    pub(crate) ca_der: CertificateDer<'static>,
    pub(crate) ca_pem: String,
    /// Service index → its certified key.
    pub(crate) keys: Vec<Arc<CertifiedKey>>,
}

impl fmt::Debug for Pki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pki")
            .field("services", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn tls_err(e: impl fmt::Display) -> FakeError {
    FakeError::Tls(e.to_string())
}

impl Pki {
    /// A CA and one leaf per entry of `names` (each the names of one service).
    pub(crate) fn generate(names: &[Vec<String>]) -> Result<Self, FakeError> {
        let pki = TestPki::new()?;
        let keys = names
            .iter()
            .map(|service_names| pki.issue(service_names)?.certified_key())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Pki {
            ca_der: pki.ca_der().clone(),
            ca_pem: pki.ca_pem().to_owned(),
            keys,
        })
    }
}

/// Picks the certificate by SNI; without SNI, the listener's own service.
#[derive(Debug)]
pub(crate) struct SniResolver {
    pub(crate) by_name: Arc<HashMap<String, Arc<CertifiedKey>>>,
    pub(crate) default: Arc<CertifiedKey>,
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        match hello.server_name() {
            Some(name) => Some(
                self.by_name
                    .get(&name.to_ascii_lowercase())
                    .cloned()
                    .unwrap_or_else(|| self.default.clone()),
            ),
            None => Some(self.default.clone()),
        }
    }
}

/// A server configuration for one HTTPS listener: TLS 1.2 and 1.3, ALPN
/// `h2` then `http/1.1` (Lattice's `HTTP2Preferred`).
pub(crate) fn server_config(resolver: SniResolver) -> Result<rustls::ServerConfig, FakeError> {
    let mut config = rustls::ServerConfig::builder_with_provider(lattice_client::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_err)?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// `TLSv1.2` / `TLSv1.3`, as the access log writes it.
pub(crate) fn tls_version_label(version: Option<rustls::ProtocolVersion>) -> Option<&'static str> {
    match version? {
        rustls::ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
        rustls::ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
        _ => None,
    }
}

/// The OpenSSL name of a cipher suite rustls negotiated.
pub(crate) fn openssl_cipher_name(suite: rustls::CipherSuite) -> String {
    use rustls::CipherSuite as C;
    let name = match suite {
        C::TLS13_AES_128_GCM_SHA256 => "TLS_AES_128_GCM_SHA256",
        C::TLS13_AES_256_GCM_SHA384 => "TLS_AES_256_GCM_SHA384",
        C::TLS13_CHACHA20_POLY1305_SHA256 => "TLS_CHACHA20_POLY1305_SHA256",
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        other => return format!("{other:?}"),
    };
    name.to_owned()
}
