//! The error type of `lattice-tonic`, and how it becomes a gRPC [`Status`].

use std::fmt::Write as _;
use std::sync::Arc;

use tonic::{Code, Status};

/// A boxed error, as Tower services and tonic transports return. The same
/// type as [`lattice_client::BoxError`].
pub use lattice_client::BoxError;

/// What `lattice-tonic` can fail with.
///
/// Building a channel returns it directly. During an RPC it reaches the
/// caller inside a [`tonic::Status`]: the status message is this error's
/// `Display` followed by each of its causes, and the status's
/// [`source`](std::error::Error::source) downcasts to it
/// (`status.source().and_then(|e| e.downcast_ref::<lattice_tonic::Error>())`).
/// The status code of each variant is listed on it and given by
/// [`Error::code`].
///
/// A variant that wraps a cause returns it from
/// [`source`](std::error::Error::source) and does not repeat it in its own
/// message: print the chain to see every cause once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Lattice URL given to the endpoint is not usable (configuration).
    /// Code `Internal` (never seen during an RPC).
    #[error("invalid VPC Lattice URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it and what to use instead.
        reason: &'static str,
    },

    /// The endpoint builder was given contradicting or missing settings
    /// (configuration). Code `Internal` (never seen during an RPC).
    #[error("invalid channel configuration: {0}")]
    Config(String),

    /// The signer could not be built, or it would not sign for the URL's
    /// host (configuration): no credentials, a malformed region, a custom
    /// domain that is not registered or has no region. Code `Internal`
    /// (never seen during an RPC).
    #[error("the signer cannot sign for this endpoint")]
    Signer(#[source] lattice_client::Error),

    /// `LATTICE_RESOLVE` or `AWS_CA_BUNDLE` holds a bad value
    /// (configuration), read by [`LatticeEndpoint::with_env`](crate::LatticeEndpoint::with_env).
    /// Code `Internal` (never seen during an RPC).
    #[error(transparent)]
    Env(#[from] lattice_client::env::EnvError),

    /// The TLS configuration could not be built (configuration): malformed
    /// PEM, or no root certificate at all. Code `Internal` (never seen during
    /// an RPC).
    #[error("TLS configuration: {0}")]
    Tls(String),

    /// The credentials provider failed while an RPC was being signed
    /// (credentials). The RPC was not sent; the next RPC asks the provider
    /// again. Code `Unauthenticated`.
    #[error("RPC not sent: no credentials to sign it with")]
    Credentials(#[source] lattice_client::Error),

    /// An RPC could not be signed (the caller's request, for example a
    /// metadata value that is not visible ASCII: code `InvalidArgument`; or
    /// the signer's configuration: code `Internal`). The RPC was not sent.
    #[error("RPC not sent, signing failed")]
    Sign(#[source] lattice_client::Error),

    /// The TCP connection could not be opened (transport): the name did not
    /// resolve, or nothing listens at the address. Code `Unavailable`.
    #[error(
        "could not connect to `{authority}`; check the name resolution (resolver overrides in tests), \
         the port in the URL and the network path"
    )]
    Connect {
        /// The authority (host and port) connected to.
        authority: String,
        /// What failed.
        #[source]
        source: BoxError,
    },

    /// The TLS handshake failed (transport or configuration): most often
    /// the server's certificate is not signed by a trusted root, or is not
    /// valid for the URL's host. Code `Unavailable`.
    #[error(
        "TLS handshake with `{authority}` failed; if the server uses a private CA (a test server, \
         the fake Lattice), trust it with `add_root_pem` or `add_root_certificate`"
    )]
    TlsHandshake {
        /// The authority (host and port) connected to.
        authority: String,
        /// The handshake error.
        #[source]
        source: std::io::Error,
    },

    /// The server did not agree to HTTP/2 during the TLS handshake (ALPN
    /// `h2`), which gRPC needs (the peer or the URL: a listener without
    /// HTTP/2, or the wrong port). Code `Unavailable`.
    #[error(
        "`{authority}` did not negotiate HTTP/2 (ALPN `h2`); gRPC through VPC Lattice needs an HTTPS listener, \
         check the URL's port"
    )]
    Http2NotNegotiated {
        /// The authority (host and port) connected to.
        authority: String,
    },

    /// Opening the channel failed (transport), see the source. Returned by
    /// [`LatticeEndpoint::connect`](crate::LatticeEndpoint::connect) only.
    #[error("could not open a channel to `{authority}`")]
    Channel {
        /// The authority (host and port) connected to.
        authority: String,
        /// tonic's error; its source chain holds the cause (often a
        /// [`Error::Connect`], [`Error::TlsHandshake`] or
        /// [`Error::Http2NotNegotiated`]).
        #[source]
        source: tonic::transport::Error,
    },

    /// The server answered with something that is not gRPC: a status other
    /// than `200`, or a content type other than `application/grpc*` (the
    /// peer; behind VPC Lattice, usually Lattice itself refusing the RPC).
    /// Code by HTTP status: 401 `Unauthenticated`, 403 `PermissionDenied`,
    /// 404 `Unimplemented`, 429/502/503/504 `Unavailable`, else `Unknown`.
    #[error("{message}")]
    NotGrpc {
        /// The HTTP status.
        status: http::StatusCode,
        /// The content type, if any.
        content_type: Option<String>,
        /// The first line of the body (Lattice's error line, such as
        /// `AccessDeniedException: User: … is not authorized …`), or a
        /// description when the body is empty or unreadable.
        message: String,
        /// Lattice's own refusal, when the body is one of its answers
        /// ([`lattice_client::Refusal::from_response`]); `None` for anything
        /// else, such as a target's own `403`.
        refusal: Option<Box<lattice_client::Refusal>>,
    },
}

impl Error {
    /// The gRPC status code this error is reported with.
    pub fn code(&self) -> Code {
        match self {
            Error::Credentials(_) => Code::Unauthenticated,
            Error::Sign(
                lattice_client::Error::InvalidHeaderValue { .. }
                | lattice_client::Error::HostHeaderMismatch { .. },
            ) => Code::InvalidArgument,
            Error::Connect { .. }
            | Error::TlsHandshake { .. }
            | Error::Http2NotNegotiated { .. }
            | Error::Channel { .. } => Code::Unavailable,
            Error::NotGrpc { status, .. } => code_for_http_status(*status),
            _ => Code::Internal,
        }
    }

    /// Lattice's own refusal, when the RPC was refused by VPC Lattice itself
    /// (an [`Error::NotGrpc`] whose body is one of Lattice's answers).
    pub fn refusal(&self) -> Option<&lattice_client::Refusal> {
        match self {
            Error::NotGrpc { refusal, .. } => refusal.as_deref(),
            _ => None,
        }
    }

    /// Converts a signing layer's error into ours.
    pub(crate) fn from_tower(error: lattice_tower::Error) -> Self {
        match error {
            lattice_tower::Error::Sign(e @ lattice_client::Error::Credentials(_)) => {
                Error::Credentials(e)
            }
            lattice_tower::Error::Sign(e) => Error::Sign(e),
            other => Error::Config(other.to_string()),
        }
    }
}

impl From<Error> for Status {
    /// The status an RPC fails with: [`Error::code`], the error and its
    /// causes as message (each once), and the error itself as the status's
    /// [`source`](std::error::Error::source).
    fn from(error: Error) -> Self {
        let mut status = Status::new(error.code(), chain(&error));
        status.set_source(Arc::new(error));
        status
    }
}

/// The gRPC code for an HTTP status that came without gRPC framing, as the
/// gRPC HTTP/2 protocol maps them, with every other status `Unknown`.
pub(crate) fn code_for_http_status(status: http::StatusCode) -> Code {
    match status.as_u16() {
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::Unimplemented,
        429 | 502 | 503 | 504 => Code::Unavailable,
        _ => Code::Unknown,
    }
}

/// Turns any error an RPC failed with into a [`Status`]: our own errors (also
/// when a transport wrapped them) get their code and message; everything
/// else goes through [`Status::from_error`], as tonic would do.
pub(crate) fn into_status(error: BoxError) -> Status {
    let error = match error.downcast::<Status>() {
        Ok(status) => return *status,
        Err(e) => e,
    };
    let error = match error.downcast::<lattice_tower::Error>() {
        Ok(e) => return Error::from_tower(*e).into(),
        Err(e) => e,
    };
    let error = match error.downcast::<Error>() {
        Ok(e) => return (*e).into(),
        Err(e) => e,
    };
    // A connection error of ours, wrapped by tonic's reconnecting transport.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
    while let Some(e) = source {
        if let Some(ours) = e.downcast_ref::<Error>() {
            let mut status = Status::new(ours.code(), chain(ours));
            status.set_source(Arc::from(error));
            return status;
        }
        source = e.source();
    }
    Status::from_error(error)
}

/// `error` and its sources as one line, skipping repeated texts.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut last = out.clone();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !text.is_empty() && !last.contains(&text) {
            let _ = write!(out, ": {text}");
        }
        last = text;
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests;
