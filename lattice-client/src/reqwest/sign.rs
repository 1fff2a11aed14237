//! Signing a `reqwest::Request` in place: the head is signed, the body is
//! set aside untouched.

use ::reqwest::{Body, Request, Response, ResponseBuilderExt, Url};
use http::Uri;
use http_body_util::BodyExt;
use tracing::Instrument;

use super::middleware::warn_if_reqwest_followed;
use crate::refusal::{MAX_BODY, Refusal};
use crate::sign::{Signer, SigningRegion, SigningReport};
use crate::trace::RequestSpan;

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

/// Opens the span of `request`, before it is signed (see [`crate::trace`]).
pub(super) fn start_span(request: &Request) -> RequestSpan {
    RequestSpan::start(request.method(), request.url().path(), request.headers())
}

/// Signs `request` in place inside `span`, and records the signed host,
/// region and algorithm (or `error.type` `signing`).
pub(super) async fn sign_traced(
    signer: &Signer,
    request: &mut Request,
    region: Option<&SigningRegion>,
    span: &RequestSpan,
) -> Result<SigningReport, crate::Error> {
    let result = sign_in_place(signer, request, region)
        .instrument(span.span().clone())
        .await;
    match &result {
        Ok(report) if !span.is_disabled() => {
            let url = request.url();
            span.record_server(
                url.host_str().unwrap_or_default(),
                url.port(),
                url.scheme() != "http",
            );
            span.record_signing(report);
        }
        Ok(_) => {}
        Err(_) => span.record_error("signing"),
    }
    result
}

/// The `error.type` of a request that got no response.
pub(super) fn error_kind(error: &::reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "_OTHER"
    }
}

/// Records the response head into `span` and, while the span is enabled,
/// Lattice's refusal: a `4xx`/`5xx` whose `content-length` is at most
/// [`MAX_BODY`] has its body read here and put back whole.
pub(super) async fn finish_span(
    span: &RequestSpan,
    sent: &Url,
    response: Response,
) -> Result<Response, ::reqwest::Error> {
    {
        let _entered = span.span().enter();
        warn_if_reqwest_followed(sent, &response);
    }
    span.record_response(response.status(), response.headers());
    let short = response
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= MAX_BODY);
    if !short || !span.may_be_refusal(response.status()) {
        return Ok(response);
    }
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<Body>::from(response).into_parts();
    let bytes = body
        .collect()
        .instrument(span.span().clone())
        .await?
        .to_bytes();
    if let Some(refusal) = Refusal::from_response(parts.status, &parts.headers, &bytes) {
        span.record_refusal(&refusal);
    }
    // `url()` travels in a private extension that only the builder sets.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    Ok(Response::from(http::Response::from_parts(
        parts,
        Body::from(bytes),
    )))
}

/// Signs `request` and sends it with `client`, in one span (see
/// [`crate::trace`]); returns the URL that was sent and the response.
pub(super) async fn send_signed(
    signer: &Signer,
    client: &::reqwest::Client,
    mut request: Request,
) -> Result<(Url, Response), super::Error> {
    let span = start_span(&request);
    sign_traced(signer, &mut request, None, &span).await?;
    let url = request.url().clone();
    let response = match client
        .execute(request)
        .instrument(span.span().clone())
        .await
    {
        Ok(response) => response,
        Err(e) => {
            span.record_error(error_kind(&e));
            return Err(super::Error::Reqwest(e));
        }
    };
    let response = finish_span(&span, &url, response)
        .await
        .map_err(super::Error::Reqwest)?;
    Ok((url, response))
}
