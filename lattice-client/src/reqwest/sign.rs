//! Signing a `reqwest::Request` in place: the head is signed, the body is
//! set aside untouched.

use ::reqwest::{Body, Request, Url};
use http::Uri;

use crate::sign::{Signer, SigningRegion, SigningReport};

/// Signs a `reqwest::Request` in place for VPC Lattice, with the signer's
/// cached credentials. Only the head is signed; the body is not read or
/// polled. A [`SigningRegion`](crate::SigningRegion) set with [`LatticeRequestBuilder::region`](super::LatticeRequestBuilder::region)
/// is honoured; the normalised authority (lower-case host, no trailing dot,
/// no default port) is written back into the URL.
///
/// [`LatticeClient`](super::LatticeClient) and [`SigV4Middleware`](super::SigV4Middleware) call this; use it directly to
/// sign a request you send some other way.
///
/// ```
/// use lattice_client::reqwest::sign_request;
/// use lattice_client::{Credentials, Signer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), lattice_client::reqwest::Error> {
/// let signer = Signer::builder()
///     .credentials(Credentials::new(
///         "AKIDEXAMPLE",
///         "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///         Some("EXAMPLE-SESSION-TOKEN".to_owned()),
///         None,
///         "example",
///     ))
///     .build()?;
/// let url = "https://Orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws.:443/orders";
/// let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().expect("valid URL"));
/// let report = sign_request(&signer, &mut request).await?;
/// assert_eq!(report.host, "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws");
/// assert_eq!(request.url().host_str(), Some(report.host.as_str()));
/// assert_eq!(request.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
/// assert!(request.headers()["authorization"].is_sensitive());
/// assert!(request.headers()["x-amz-security-token"].is_sensitive());
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`crate::Error::InvalidUri`] (a URL with user information, or one that
/// cannot be an HTTP request URI), and every error of [`Signer::sign_parts`].
pub async fn sign_request(
    signer: &Signer,
    request: &mut Request,
) -> Result<SigningReport, crate::Error> {
    sign_in_place(signer, request, None).await
}

/// The URL with any user information redacted, for errors and logs.
pub(super) fn redacted(url: &Url) -> String {
    crate::redact_userinfo(url.as_str()).into_owned()
}

/// The authority as hyper sends it: host, and the port unless it is the
/// scheme's default (which `Url::port` already leaves out).
fn url_authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

fn cannot_convert(url: &Url) -> crate::Error {
    crate::Error::InvalidUri {
        uri: redacted(url),
        reason: "it cannot be sent as an HTTP request URI",
    }
}

/// Puts `region` into the request's extensions (reqwest offers no public
/// access to them except through its `http::Request` conversions).
pub(super) fn with_region(
    request: Request,
    region: SigningRegion,
) -> Result<Request, crate::Error> {
    let url = request.url().clone();
    let mut request: http::Request<Body> = request.try_into().map_err(|_| cannot_convert(&url))?;
    request.extensions_mut().insert(region);
    Request::try_from(request).map_err(|_| cannot_convert(&url))
}

/// Signs `request` in place: the head becomes `http::request::Parts`, the body
/// is set aside untouched, then both are put back.
pub(super) async fn sign_in_place(
    signer: &Signer,
    request: &mut Request,
    region: Option<&SigningRegion>,
) -> Result<SigningReport, crate::Error> {
    let url = request.url().clone();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(crate::Error::InvalidUri {
            uri: redacted(&url),
            reason: "it carries user information before the host; remove it",
        });
    }
    // Checked first so that the conversions below cannot fail after the
    // request was taken apart.
    if url.as_str().parse::<Uri>().is_err() {
        return Err(cannot_convert(&url));
    }
    let placeholder = Request::new(request.method().clone(), url.clone());
    let taken = std::mem::replace(request, placeholder);
    let converted: http::Request<Body> = taken.try_into().map_err(|_| cannot_convert(&url))?;
    let (mut parts, body) = converted.into_parts();
    if let Some(region) = region {
        parts.extensions.insert(region.clone());
    }
    let result = signer.sign_parts(&mut parts).await;
    *request = Request::try_from(http::Request::from_parts(parts, body))
        .map_err(|_| cannot_convert(&url))?;
    let report = result?;
    if url_authority(request.url()) != report.host {
        return Err(crate::Error::InvalidUri {
            uri: redacted(&url),
            reason: "its host cannot be written back into the URL as it was signed",
        });
    }
    Ok(report)
}
