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

/// What a [`SignedHyperClient`](crate::hyper::SignedHyperClient) request can
/// fail with, typed: match on it instead of downcasting a `BoxError`.
///
/// Each variant returns its cause from
/// [`source`](std::error::Error::source) without repeating it in its own
/// message, so printing the chain shows each cause once.
#[cfg(feature = "hyper")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HyperError {
    /// Signing failed before anything was sent: the request, the signer's
    /// configuration or the credentials provider (see the wrapped error).
    #[error(transparent)]
    Sign(lattice_client::Error),

    /// The request could not be prepared (caller's request), for example a
    /// URI without an authority.
    #[error(transparent)]
    Request(Error),

    /// No TCP connection to `authority` (peer or network): refused,
    /// unreachable, name not resolved, or the connect timeout passed.
    #[error("cannot connect to `{authority}`")]
    Connect {
        /// The authority the request was for.
        authority: String,
        /// hyper-util's error, with the I/O or resolver error as its source.
        #[source]
        source: BoxError,
    },

    /// The TLS handshake with `authority` failed (peer or configuration):
    /// an untrusted certificate, a name mismatch, no common protocol.
    #[error("TLS handshake with `{authority}` failed")]
    Tls {
        /// The authority the request was for.
        authority: String,
        /// hyper-util's error, with the rustls error in its chain.
        #[source]
        source: BoxError,
    },

    /// The HTTP exchange failed after the connection was made (peer): the
    /// connection closed, a protocol error, a body error.
    #[error("the HTTP exchange with `{authority}` failed")]
    Http {
        /// The authority the request was for.
        authority: String,
        /// hyper-util's (or hyper's) error.
        #[source]
        source: BoxError,
    },
}

#[cfg(feature = "hyper")]
impl HyperError {
    /// Sorts an error of the signing service around hyper-util's client.
    pub(crate) fn classify(error: BoxError, authority: &str) -> Self {
        let error = match error.downcast::<Error>() {
            Ok(error) => {
                return match *error {
                    Error::Sign(e) => HyperError::Sign(e),
                    other => HyperError::Request(other),
                };
            }
            Err(other) => other,
        };
        let authority = authority.to_owned();
        let mut tls = false;
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&*error);
        while let Some(e) = cause {
            if e.is::<rustls::Error>() {
                tls = true;
                break;
            }
            // An `io::Error` hides its inner error from `source()`.
            cause = match e.downcast_ref::<std::io::Error>() {
                Some(io) => io
                    .get_ref()
                    .map(|i| i as &(dyn std::error::Error + 'static)),
                None => e.source(),
            };
        }
        let connect = error
            .downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some_and(hyper_util::client::legacy::Error::is_connect);
        if tls {
            HyperError::Tls {
                authority,
                source: error,
            }
        } else if connect {
            HyperError::Connect {
                authority,
                source: error,
            }
        } else {
            HyperError::Http {
                authority,
                source: error,
            }
        }
    }
}
