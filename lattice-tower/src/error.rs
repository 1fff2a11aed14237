//! The error type of `lattice-tower`.

/// A boxed error, as Tower middleware returns: either an [`Error`] of this
/// crate or the wrapped service's own error. Use `downcast_ref` to tell them
/// apart. The same type as [`lattice_client::BoxError`].
pub use lattice_client::BoxError;

/// What `lattice-tower` itself can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Signing failed: the request, the signer's configuration or the
    /// credentials provider (see the wrapped error for which).
    #[error(transparent)]
    Sign(#[from] lattice_client::Error),

    /// The origin given to [`SigV4Layer::with_origin`](crate::SigV4Layer::with_origin)
    /// is not an absolute `http://` or `https://` URI (configuration).
    #[error("invalid origin `{0}`: use an absolute URI such as `https://name.example:443`")]
    InvalidOrigin(String),

    /// A request's URI could not be completed with the origin (caller's request).
    #[error("cannot put the origin on request URI `{0}`; use a path such as `/pkg.Service/Method`")]
    InvalidRequestUri(String),

    /// TLS or connector configuration failed (configuration).
    #[error("client configuration: {0}")]
    Config(String),
}
