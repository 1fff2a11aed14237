//! The error type of `lattice-client`.

use std::borrow::Cow;
use std::sync::Arc;

use aws_credential_types::provider::error::CredentialsError;

/// A boxed error, as Tower services, hyper and tonic transports return it.
/// `lattice-tower` and `lattice-tonic` re-export this one type, so an error
/// from any of them downcasts the same way (`error.downcast_ref::<lattice_client::Error>()`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in `lattice-client`.
///
/// Each variant says who is at fault (the caller's request, the configuration,
/// the credentials provider or the transport) and what to do about it.
///
/// A variant that wraps a cause returns it from
/// [`source`](std::error::Error::source) and does not repeat it in its own
/// message: print the chain (`{:#}` with `anyhow`, or walk `source()`) to
/// see every cause once. The `reqwest` adapter (feature `reqwest`) has its
/// own error, `lattice_client::reqwest::Error`, which wraps this one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request URI cannot be signed (caller's request): it needs a scheme
    /// and an authority, such as `https://name.example/path`.
    #[error("cannot sign a request to `{uri}`: {reason}")]
    InvalidUri {
        /// The URI as given, with any user information redacted
        /// ([`redact_userinfo`]).
        uri: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The request goes to a `localhost` name (`orders.localhost`, as the
    /// fake Lattice answers) and the signer was not told it may sign for
    /// such names (configuration).
    #[error(
        "refusing to sign for `{host}`: signing for `localhost` names is off unless you opt in, with \
         `with_env()` on the client builder (environment configuration) or `SignerBuilder::allow_localhost(true)`; \
         the signer's default region is then used"
    )]
    LocalhostNotAllowed {
        /// The URI host that was refused.
        host: String,
    },

    /// `LATTICE_RESOLVE` or `AWS_CA_BUNDLE` holds a bad value
    /// (configuration), read by a `with_env()` opt-in.
    #[error(transparent)]
    Env(#[from] crate::env::EnvError),

    /// The request goes to a host the signer was not told it may sign for
    /// (configuration). Signatures and session tokens are only sent to hosts
    /// the user named.
    #[error(
        "refusing to sign for host `{host}`: it is neither a generated VPC Lattice name nor a registered custom domain; \
         register it with `SignerBuilder::custom_domain` or allow any host with `SignerBuilder::sign_any_host(true)`"
    )]
    HostNotAllowed {
        /// The URI host that was refused.
        host: String,
    },

    /// The request carries a `Host` header that names another authority than
    /// its URI (caller's request). The connection goes to the URI host, so the
    /// signature would be computed for the wrong name.
    #[error(
        "the `host` header `{header}` disagrees with the request URI authority `{authority}`; \
         remove the header or put the host in the URI"
    )]
    HostHeaderMismatch {
        /// The `Host` header value that was sent.
        header: String,
        /// The normalised URI authority.
        authority: String,
    },

    /// A header value that would be signed is not visible ASCII (caller's
    /// request). SigV4 canonicalisation is undefined for such bytes; percent-
    /// or base64-encode the value, or exclude the header from signing.
    #[error(
        "header `{name}` has a value that is not visible ASCII; encode it or exclude the header with `SignerBuilder::exclude_header`"
    )]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },

    /// No signing region could be determined for a host (configuration).
    #[error(
        "no signing region for host `{host}`: call `SignerBuilder::region`, register the custom domain with a region, \
         set a per-request `SigningRegion` extension, or use a generated Lattice name (it carries its region)"
    )]
    NoRegion {
        /// The host that has no region.
        host: String,
    },

    /// A Lattice name, custom-domain pattern or region is malformed
    /// (configuration or caller's input); the error names the part.
    #[error(transparent)]
    Name(#[from] crate::name::NameError),

    /// An id or ARN is malformed (configuration or caller's input).
    #[error(transparent)]
    Arn(#[from] crate::arn::ArnError),

    /// The signer builder is missing something or holds an invalid value
    /// (configuration).
    #[error("invalid signer configuration: {0}")]
    Config(String),

    /// The credentials provider failed, timed out, panicked or returned
    /// credentials that are expired (credentials). Failed refreshes back off
    /// exponentially; still-valid credentials keep being served meanwhile
    /// (see [`CredentialsCache`](crate::credentials::CredentialsCache)).
    #[error(
        "could not load AWS credentials; check the AWS credential chain (environment, profile, SSO, web identity)"
    )]
    Credentials(#[source] Arc<CredentialsError>),

    /// `aws-sigv4` rejected the request (caller's request or a bug).
    #[error("signing failed")]
    Signing(#[source] aws_sigv4::http_request::SigningError),

    /// A resolver override or DNS lookup failed (transport).
    #[error("could not resolve `{host}`")]
    Resolve {
        /// The name that was looked up.
        host: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A generated Lattice name resolved outside Lattice's client address
    /// ranges while [`Diagnostics::Deny`](crate::resolve::Diagnostics::Deny)
    /// is set (environment): the VPC is probably not associated with the
    /// service network.
    #[error(
        "`{host}` resolved to {addrs:?}, outside VPC Lattice's client address ranges: this VPC is probably not \
         associated with the service network; check the service network's VPC associations and the VPC's DNS settings"
    )]
    OutsideLattice {
        /// The generated Lattice name.
        host: String,
        /// The addresses outside the ranges.
        addrs: Vec<std::net::IpAddr>,
    },

    /// TLS configuration failed (configuration), for example a PEM file with
    /// no certificate.
    #[error("TLS configuration: {0}")]
    Tls(String),

    /// The `x-amzn-lattice-*` caller identity headers are malformed (the peer
    /// that set them: Lattice never sends such headers, so the request did not
    /// come through Lattice unchanged).
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
}

impl Error {
    /// An [`Error::InvalidUri`] for `uri`, with its user information
    /// redacted.
    pub(crate) fn invalid_uri(uri: &http::Uri, reason: &'static str) -> Self {
        Error::InvalidUri {
            uri: redact_userinfo(&uri.to_string()).into_owned(),
            reason,
        }
    }
}

/// `uri` with the user information before its host (`user:password@`)
/// replaced by `***@`, for error messages and logs. Text without user
/// information is returned as it is; the text need not be a valid URI.
///
/// ```
/// use lattice_client::redact_userinfo;
///
/// assert_eq!(
///     redact_userinfo("https://user:hunter2@orders.example.internal/a@b"),
///     "https://***@orders.example.internal/a@b",
/// );
/// assert_eq!(redact_userinfo("https://orders.example.internal/"), "https://orders.example.internal/");
/// ```
pub fn redact_userinfo(uri: &str) -> Cow<'_, str> {
    let start = uri.find("://").map_or(0, |i| i + 3);
    let rest = &uri[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => Cow::Owned(format!("{}***{}", &uri[..start], &rest[at..])),
        None => Cow::Borrowed(uri),
    }
}

#[cfg(test)]
mod tests;
