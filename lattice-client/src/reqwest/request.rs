//! [`LatticeRequestBuilder`]: reqwest's request builder, plus a signing
//! region.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use ::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use ::reqwest::{Body, Request, Response, Version};

use super::Error;
use super::client::LatticeClient;
use super::sign::{redacted, with_region};
use crate::sign::SigningRegion;

/// A request being built for a [`LatticeClient`]: reqwest's request builder
/// feel, plus a per-request signing [`region`](Self::region).
///
/// Errors (an invalid URL or header) are kept and reported by
/// [`build`](Self::build) or [`send`](Self::send).
///
/// ```
/// use std::time::Duration;
/// # use lattice_client::reqwest::LatticeClient;
/// # use lattice_client::{Credentials, Signer};
/// # fn main() -> Result<(), lattice_client::reqwest::Error> {
/// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
/// # let client = LatticeClient::builder(signer).build()?;
/// let request = client
///     .put("https://orders.example.internal/orders/42")
///     .query([("dry-run", "true")])
///     .header("content-type", "application/json")
///     .body(r#"{"state":"shipped"}"#)
///     .timeout(Duration::from_secs(5))
///     .region("eu-central-1")
///     .build()?;
/// assert_eq!(request.url().as_str(), "https://orders.example.internal/orders/42?dry-run=true");
/// assert_eq!(request.headers()["content-type"], "application/json");
/// # Ok(())
/// # }
/// ```
#[must_use = "a request builder does nothing until it is sent"]
pub struct LatticeRequestBuilder {
    pub(super) client: LatticeClient,
    pub(super) request: Result<Request, Error>,
    pub(super) region: Option<SigningRegion>,
}

impl fmt::Debug for LatticeRequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("LatticeRequestBuilder");
        match &self.request {
            Ok(request) => {
                let names: Vec<&str> = request.headers().keys().map(HeaderName::as_str).collect();
                d.field("method", request.method())
                    .field("url", &redacted(request.url()))
                    .field("header_names", &names)
                    .field("has_body", &request.body().is_some());
            }
            Err(e) => {
                d.field("error", e);
            }
        }
        d.field("region", &self.region).finish_non_exhaustive()
    }
}

impl LatticeRequestBuilder {
    /// Appends a header.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let url = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/";
    /// let request = client.get(url).header("accept", "application/json").build()?;
    /// assert_eq!(request.headers()["accept"], "application/json");
    /// assert!(matches!(
    ///     client.get(url).header("bad header", "x").build(),
    ///     Err(lattice_client::reqwest::Error::InvalidRequest(_))
    /// ));
    /// # Ok(())
    /// # }
    /// ```
    pub fn header<K, V>(mut self, key: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        if let Ok(request) = &mut self.request {
            let name = HeaderName::try_from(key).map_err(Into::into);
            let value = HeaderValue::try_from(value).map_err(Into::into);
            match (name, value) {
                (Ok(name), Ok(value)) => {
                    request.headers_mut().append(name, value);
                }
                (Err(e), _) | (_, Err(e)) => self.request = Err(Error::InvalidRequest(e)),
            }
        }
        self
    }

    /// Replaces the headers named in `headers` with their values there (as
    /// reqwest's `RequestBuilder::headers` does).
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// headers.insert("x-tenant", reqwest::header::HeaderValue::from_static("blue"));
    /// let request = client
    ///     .get("https://orders.example.internal/")
    ///     .header("x-tenant", "red")
    ///     .headers(headers)
    ///     .build()?;
    /// assert_eq!(request.headers().get_all("x-tenant").iter().count(), 1);
    /// assert_eq!(request.headers()["x-tenant"], "blue");
    /// # Ok(())
    /// # }
    /// ```
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        if let Ok(request) = &mut self.request {
            let target = request.headers_mut();
            let mut last: Option<HeaderName> = None;
            for (name, value) in headers {
                match name {
                    Some(name) => {
                        target.remove(&name);
                        target.append(name.clone(), value);
                        last = Some(name);
                    }
                    None => {
                        if let Some(name) = &last {
                            target.append(name.clone(), value);
                        }
                    }
                }
            }
        }
        self
    }

    /// Sets the body: bytes, a string, or a stream
    /// ([`reqwest::Body::wrap_stream`](::reqwest::Body::wrap_stream)), which is
    /// streamed, never buffered.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("a"), Ok("b")]);
    /// let request = client
    ///     .post("https://orders.example.internal/upload")
    ///     .body(reqwest::Body::wrap_stream(chunks))
    ///     .build()?;
    /// assert!(request.body().is_some_and(|b| b.as_bytes().is_none()), "still a stream");
    /// # Ok(())
    /// # }
    /// ```
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        if let Ok(request) = &mut self.request {
            *request.body_mut() = Some(body.into());
        }
        self
    }

    /// Serialises `value` as JSON into the body, and sets `content-type:
    /// application/json` unless a content type is already set.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let request = client
    ///     .post("https://orders.example.internal/orders")
    ///     .json(&serde_json::json!({ "item": 42 }))
    ///     .build()?;
    /// assert_eq!(request.headers()["content-type"], "application/json");
    /// assert_eq!(request.body().and_then(|b| b.as_bytes()), Some(&br#"{"item":42}"#[..]));
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        if let Ok(request) = &mut self.request {
            match serde_json::to_vec(value) {
                Ok(body) => {
                    request
                        .headers_mut()
                        .entry(::reqwest::header::CONTENT_TYPE)
                        .or_insert(HeaderValue::from_static("application/json"));
                    *request.body_mut() = Some(Body::from(body));
                }
                Err(e) => self.request = Err(Error::Body(Box::new(e))),
            }
        }
        self
    }

    /// Appends query pairs to the URL (percent-encoded as
    /// `application/x-www-form-urlencoded`).
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let request = client
    ///     .get("https://orders.example.internal/search?page=2")
    ///     .query([("q", "red shoes")])
    ///     .build()?;
    /// assert_eq!(request.url().query(), Some("page=2&q=red+shoes"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn query<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        if let Ok(request) = &mut self.request {
            let url = request.url_mut();
            url.query_pairs_mut().extend_pairs(pairs);
            if url.query() == Some("") {
                url.set_query(None);
            }
        }
        self
    }

    /// A total timeout for this request (overrides the client's).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let request = client
    ///     .get("https://orders.example.internal/")
    ///     .timeout(Duration::from_secs(3))
    ///     .build()?;
    /// assert_eq!(request.timeout(), Some(&Duration::from_secs(3)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if let Ok(request) = &mut self.request {
            *request.timeout_mut() = Some(timeout);
        }
        self
    }

    /// The HTTP version to ask for (normally chosen by ALPN).
    pub fn version(mut self, version: Version) -> Self {
        if let Ok(request) = &mut self.request {
            *request.version_mut() = version;
        }
        self
    }

    /// Signs this request for `region` instead of the region of the host or
    /// the signer's default (stored as a [`SigningRegion`] in the request's
    /// extensions, so it survives [`build`](Self::build)). It applies to every
    /// redirect hop of the request. Ignored with SigV4A, whose region set
    /// covers every region.
    ///
    /// ```
    /// # use lattice_client::reqwest::{sign_request, LatticeClient};
    /// # use lattice_client::{Credentials, Signer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer.clone()).build()?;
    /// let mut request = client
    ///     .get("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/")
    ///     .region("us-east-1")
    ///     .build()?;
    /// let report = sign_request(&signer, &mut request).await?;
    /// assert!(report.scope.ends_with("/us-east-1/vpc-lattice-svcs/aws4_request"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn region(mut self, region: impl Into<Cow<'static, str>>) -> Self {
        self.region = Some(SigningRegion::new(region));
        self
    }

    /// Builds the request (unsigned: it is signed when executed).
    ///
    /// # Errors
    ///
    /// [`Error::Reqwest`] for a URL that does not parse,
    /// [`Error::InvalidRequest`] for an invalid header name or value,
    /// [`Error::Lattice`] with [`crate::Error::InvalidUri`] when a region is
    /// set on a URL that cannot be a request URI.
    pub fn build(self) -> Result<Request, Error> {
        let request = self.request?;
        match self.region {
            Some(region) => Ok(with_region(request, region)?),
            None => Ok(request),
        }
    }

    /// Signs and sends the request, as [`LatticeClient::execute`].
    ///
    /// ```no_run
    /// # use lattice_client::reqwest::LatticeClient;
    /// # async fn run(client: LatticeClient) -> Result<(), lattice_client::reqwest::Error> {
    /// let response = client
    ///     .get("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders/42")
    ///     .send()
    ///     .await?;
    /// let text = response.text().await?;
    /// # let _ = text;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`build`](Self::build) and [`LatticeClient::execute`].
    pub async fn send(self) -> Result<Response, Error> {
        let Self {
            client,
            request,
            region,
        } = self;
        let request = match region {
            Some(region) => with_region(request?, region)?,
            None => request?,
        };
        client.execute(request).await
    }
}
