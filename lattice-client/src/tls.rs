//! rustls configuration with the aws-lc-rs provider passed explicitly.
//!
//! No function here installs or relies on a process-wide default provider:
//! with two providers compiled into one program rustls would otherwise panic
//! at run time.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;

use crate::Error;

/// The crypto provider every TLS configuration of this workspace uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Root certificates: the platform's (unless `platform` is false) plus `extra`
/// (for example a test CA).
///
/// Platform certificates that fail to load are skipped with a `tracing`
/// warning; an empty store is not an error here (connections will then fail
/// certificate verification with a clear TLS error).
pub fn root_store(platform: bool, extra: &[CertificateDer<'static>]) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    if platform {
        let loaded = rustls_native_certs::load_native_certs();
        for e in &loaded.errors {
            tracing::warn!(error = %e, "could not load a platform root certificate");
        }
        let (_, ignored) = roots.add_parsable_certificates(loaded.certs);
        if ignored > 0 {
            tracing::debug!(ignored, "ignored unparsable platform root certificates");
        }
    }
    for cert in extra {
        if let Err(e) = roots.add(cert.clone()) {
            tracing::warn!(error = %e, "could not add an extra root certificate");
        }
    }
    roots
}

/// Parses every certificate in a PEM document.
///
/// # Errors
///
/// [`Error::Tls`] when the PEM is malformed or holds no certificate.
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    use rustls_pki_types::pem::PemObject;
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Tls(format!("malformed PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Tls(
            "the PEM data holds no `BEGIN CERTIFICATE` block".into(),
        ));
    }
    Ok(certs)
}

/// A client configuration over `roots`, offering ALPN `h2` and `http/1.1`.
///
/// # Errors
///
/// [`Error::Tls`] if the provider supports no safe protocol version (not
/// expected with aws-lc-rs).
pub fn client_config(roots: RootCertStore) -> Result<ClientConfig, Error> {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
