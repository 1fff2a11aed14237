//! The error of the reqwest adapter.

/// What the [`LatticeClient`](super::LatticeClient) can fail with: the core
/// [`crate::Error`] (signing, the signer's configuration, credentials, TLS
/// configuration), an invalid request, or reqwest itself.
///
/// Each variant that wraps a cause returns it from
/// [`source`](std::error::Error::source) without repeating it in its own
/// message.
///
/// ```
/// use lattice_client::reqwest::{Error, LatticeClient};
/// use lattice_client::{Credentials, Signer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
/// let client = LatticeClient::builder(signer).build()?;
/// let err = client.get("https://example.com/").send().await.expect_err("not a Lattice name");
/// assert!(matches!(err, Error::Lattice(lattice_client::Error::HostNotAllowed { .. })));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Signing or configuration failed: see the wrapped error for who is at
    /// fault (the request, the signer's configuration, the credentials
    /// provider, the TLS configuration).
    #[error(transparent)]
    Lattice(#[from] crate::Error),

    /// A request could not be built (caller's request): a header name or
    /// value is invalid.
    #[error("invalid request; check the header names and values")]
    InvalidRequest(#[source] http::Error),

    /// The body could not be made (caller's value), for example a value
    /// that cannot be serialised as JSON.
    #[error("the request body could not be made")]
    Body(#[source] crate::BoxError),

    /// reqwest failed (transport, or a URL reqwest cannot use): its message
    /// names the URL, its source chain the cause.
    #[error(transparent)]
    Reqwest(#[from] ::reqwest::Error),
}
