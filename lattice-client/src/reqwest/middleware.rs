//! [`SigV4Middleware`] for `reqwest-middleware`.

use ::reqwest::{Request, Response, Url};

use tracing::Instrument;

use super::sign::{error_kind, finish_span, redacted, sign_traced, start_span};
use crate::sign::{Signer, SigningRegion};

/// A [`reqwest_middleware::Middleware`] that signs each request for VPC
/// Lattice.
///
/// The inner `reqwest::Client` **must** be built with
/// `redirect::Policy::none()`: reqwest follows redirects inside the inner
/// client, after this middleware ran, where nothing can remove the signature
/// headers, and it keeps `x-amz-security-token` on a hop to another host. With
/// `Policy::none()` a `3xx` comes back to the caller; use [`LatticeClient`](super::LatticeClient)
/// with [`follow_redirects`](super::LatticeClientBuilder::follow_redirects) to follow
/// redirects safely. [`LatticeClient::reqwest_client`](super::LatticeClient::reqwest_client) is a suitable inner
/// client. A `tracing` warning is logged when a response comes from another
/// URL than the one that was signed (reqwest followed a redirect).
///
/// Add it last (innermost), after retry middlewares, so that every attempt is
/// signed afresh with a current `x-amz-date`. A [`SigningRegion`](crate::SigningRegion) extension
/// (`.with_extension(SigningRegion::new("…"))`) overrides the region.
///
/// ```
/// use lattice_client::reqwest::{LatticeClient, SigV4Middleware};
/// use lattice_client::{Credentials, Signer, SigningRegion};
///
/// # fn main() -> Result<(), lattice_client::reqwest::Error> {
/// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
/// let transport = LatticeClient::builder(signer.clone()).build()?;
/// let client = reqwest_middleware::ClientBuilder::new(transport.reqwest_client().clone())
///     .with(SigV4Middleware::new(signer))
///     .build();
/// let request = client
///     .get("https://orders.example.internal/")
///     .with_extension(SigningRegion::new("eu-central-1"));
/// // `request.send().await` signs and sends it.
/// # let _ = request;
/// # Ok(())
/// # }
/// ```
///
/// Each request gets one `tracing` span (target `lattice`; fields in
/// [`crate::trace`]), entered while it is signed and sent: put
/// reqwest-tracing's `TracingMiddleware` first and retries before this
/// middleware, and each attempt gets its own span inside the call's (the
/// `layer-order` example runs that stack). While the span is enabled, a
/// `4xx`/`5xx` with a `content-length` of at most 4 KiB has its body read
/// here, and given back whole, to record Lattice's refusal code.
///
/// Errors of the signer come back as `reqwest_middleware::Error::Middleware`
/// wrapping a [`crate::Error`]: `err.downcast_ref::<lattice_client::Error>()` on the
/// inner `anyhow::Error`.
#[derive(Clone, Debug)]
pub struct SigV4Middleware {
    signer: Signer,
}

impl SigV4Middleware {
    /// A middleware that signs with `signer`.
    ///
    /// ```
    /// # use lattice_client::reqwest::SigV4Middleware;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// let middleware = SigV4Middleware::new(signer);
    /// # let _ = middleware;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(signer: Signer) -> Self {
        Self { signer }
    }
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for SigV4Middleware {
    async fn handle(
        &self,
        mut req: Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let region = extensions.get::<SigningRegion>().cloned();
        let span = start_span(&req);
        sign_traced(&self.signer, &mut req, region.as_ref(), &span)
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        let url = req.url().clone();
        let response = match next
            .run(req, extensions)
            .instrument(span.span().clone())
            .await
        {
            Ok(response) => response,
            Err(e) => {
                span.record_error(match &e {
                    reqwest_middleware::Error::Reqwest(e) => error_kind(e),
                    reqwest_middleware::Error::Middleware(_) => "_OTHER",
                });
                return Err(e);
            }
        };
        finish_span(&span, &url, response)
            .await
            .map_err(reqwest_middleware::Error::Reqwest)
    }
}

/// reqwest followed a redirect by itself (its client was not built with
/// `redirect::Policy::none()`): the signature headers, and on another host the
/// session token, may have gone where they should not.
pub(super) fn warn_if_reqwest_followed(sent: &Url, response: &Response) {
    let reached = response.url();
    if reached != sent {
        let other_host = reached.host_str() != sent.host_str()
            || reached.port_or_known_default() != sent.port_or_known_default();
        tracing::warn!(
            sent = %redacted(sent),
            reached = %redacted(reached),
            other_host,
            "the reqwest client followed a redirect by itself, carrying the signature headers \
             (and x-amz-security-token even to another host); build it with `redirect::Policy::none()`"
        );
    }
}
