//! [`RefusalExt`]: tell Lattice's own refusal from a target's answer on a
//! `reqwest::Response`.

use std::future::Future;

use ::reqwest::{Body, Response, ResponseBuilderExt};
use futures_util::StreamExt;
use http_body_util::{BodyExt, BodyStream, StreamBody};

use crate::refusal::{MAX_BODY, Refusal};

mod sealed {
    pub trait Sealed {}
    impl Sealed for ::reqwest::Response {}
}

/// [`Refusal`] for `reqwest::Response`: was this answer written by VPC
/// Lattice itself (a refused signature, an auth policy that denies, a name it
/// does not serve), or by your target?
///
/// # How the body is read
///
/// [`refusal`](Self::refusal) takes the response by value and gives it back.
/// For a `1xx`, `2xx` or `3xx` it reads nothing. For a `4xx` or `5xx` it
/// reads body frames until it holds at least [`MAX_BODY`] (4 KiB) bytes or
/// the body ends, parses them with [`Refusal::from_response`], and returns a
/// response whose body starts with the frames it read, followed by the rest,
/// still unread: `text()`, `bytes()` or `chunk()` on the returned response see
/// the whole body. Status, headers, extensions and `url()` are kept. Reading
/// waits for the first 4 KiB (or the end) of an error body, so wrap it in a
/// timeout if the target may stall.
///
/// ```
/// use lattice_client::reqwest::RefusalExt;
/// use lattice_client::refusal::Layer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), lattice_client::reqwest::Error> {
/// # let response: reqwest::Response = http::Response::builder()
/// #     .status(403)
/// #     .body("AccessDeniedException: User: anonymous is not authorized to perform: \
/// #         vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/ \
/// #         because no network-based policy allows the vpc-lattice-svcs:Invoke action")
/// #     .expect("response")
/// #     .into();
/// // let response = client.get(url).send().await?;
/// let (response, refusal) = response.refusal().await?;
/// if let Some(refusal) = refusal {
///     assert_eq!(refusal.code(), "AccessDeniedException");
///     assert_eq!(refusal.access_denial().map(|d| d.layer()), Some(Layer::Network));
/// }
/// // The body is still all there.
/// assert!(response.text().await?.starts_with("AccessDeniedException: "));
/// # Ok(())
/// # }
/// ```
pub trait RefusalExt: sealed::Sealed + Sized {
    /// Reads at most the first 4 KiB of a `4xx`/`5xx` body (see the
    /// [trait docs](RefusalExt)) and returns the response, body intact, with
    /// Lattice's refusal if it is one.
    ///
    /// # Errors
    ///
    /// [`Error::Reqwest`](super::Error::Reqwest) when reading the body fails.
    fn refusal(self) -> impl Future<Output = Result<(Self, Option<Refusal>), super::Error>> + Send;
}

impl RefusalExt for Response {
    async fn refusal(self) -> Result<(Self, Option<Refusal>), super::Error> {
        let status = self.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Ok((self, None));
        }
        let url = self.url().clone();
        let (mut parts, mut body) = http::Response::<Body>::from(self).into_parts();
        let mut frames = Vec::new();
        let mut prefix = Vec::new();
        while prefix.len() < MAX_BODY {
            let Some(frame) = body.frame().await else {
                break;
            };
            let frame = frame?;
            if let Some(data) = frame.data_ref() {
                prefix.extend_from_slice(data);
            }
            frames.push(frame);
        }
        let refusal = Refusal::from_response(status, &parts.headers, &prefix);
        let read = futures_util::stream::iter(frames.into_iter().map(Ok::<_, ::reqwest::Error>));
        let replayed = StreamBody::new(read.chain(BodyStream::new(body)));
        // `url()` travels in a private extension that only the builder sets.
        let (with_url, ()) = http::Response::builder()
            .url(url)
            .body(())
            .map_err(super::Error::InvalidRequest)?
            .into_parts();
        parts.extensions.extend(with_url.extensions);
        let response = http::Response::from_parts(parts, Body::wrap(replayed));
        Ok((Response::from(response), refusal))
    }
}
