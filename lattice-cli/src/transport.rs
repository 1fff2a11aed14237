//! Sending a signed head and a body through reqwest or hyper, and reading
//! the answer the same way for both.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use http::{HeaderMap, StatusCode, Version};
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use lattice_client::Signer;
use lattice_client::resolve::Resolver;
use lattice_tower::hyper::{Connector, HyperClientBuilder};
use rustls::pki_types::CertificateDer;

use crate::error::{CliError, CliResult};

/// Which HTTP client sends the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Via {
    /// `lattice_client::reqwest::LatticeClient`.
    Reqwest,
    /// `lattice_tower::hyper`'s client.
    Hyper,
}

/// A request body, streamed.
pub(crate) type BodyStream =
    std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static>>;

/// A body to send.
pub(crate) enum Upload {
    /// No body.
    Empty,
    /// Bytes in memory.
    Bytes(Bytes),
    /// A stream (a file or stdin).
    Stream(BodyStream),
}

/// How to build the client.
pub(crate) struct ClientSetup {
    pub(crate) via: Via,
    pub(crate) signer: Signer,
    pub(crate) resolver: Resolver,
    pub(crate) roots: Vec<CertificateDer<'static>>,
    /// Trust the platform's roots as well (off when `AWS_CA_BUNDLE` is set).
    pub(crate) platform_roots: bool,
    pub(crate) connect_timeout: Option<Duration>,
    /// Follow redirects (reqwest only), re-signing each hop.
    pub(crate) follow: bool,
}

/// A client of either kind.
pub(crate) enum Client {
    Reqwest {
        client: lattice_client::reqwest::LatticeClient,
        follow: bool,
    },
    Hyper(Box<hyper_util::client::legacy::Client<Connector, HyperBody>>),
}

type HyperBody = UnsyncBoxBody<Bytes, std::io::Error>;

impl Client {
    /// Builds the client (exit status 2 on failure).
    pub(crate) fn new(setup: ClientSetup) -> CliResult<Self> {
        match setup.via {
            Via::Reqwest => {
                let mut builder = lattice_client::reqwest::LatticeClient::builder(setup.signer)
                    .resolver(setup.resolver)
                    .platform_roots(setup.platform_roots);
                for cert in setup.roots {
                    builder = builder.add_root_certificate(cert);
                }
                if let Some(t) = setup.connect_timeout {
                    builder = builder.connect_timeout(t);
                }
                if setup.follow {
                    builder = builder.follow_redirects(10);
                }
                let client = builder.build().map_err(|e| CliError::config(&e))?;
                Ok(Client::Reqwest {
                    client,
                    follow: setup.follow,
                })
            }
            Via::Hyper => {
                if setup.follow {
                    return Err(CliError::usage("-L is supported with --via reqwest only"));
                }
                let mut builder = HyperClientBuilder::new(setup.signer)
                    .resolver(setup.resolver)
                    .platform_roots(setup.platform_roots)
                    .connect_timeout(setup.connect_timeout.or(Some(Duration::from_secs(10))));
                for cert in setup.roots {
                    builder = builder.add_root_certificate(cert);
                }
                let client = builder
                    .build::<HyperBody>()
                    .map_err(|e| CliError::config(&e))?;
                // The head is signed before it gets here (so `-v` shows the
                // signer's own report); send it with the client underneath.
                Ok(Client::Hyper(Box::new(client.into_inner().into_inner())))
            }
        }
    }

    /// Sends a signed head and a body. Transport failures are exit status 1.
    pub(crate) async fn send(
        &self,
        parts: http::request::Parts,
        upload: Upload,
    ) -> Result<Response, Box<dyn std::error::Error + Send + Sync>> {
        match self {
            Client::Reqwest { client, follow } => {
                let body = match upload {
                    Upload::Empty => reqwest::Body::from(Bytes::new()),
                    Upload::Bytes(b) => reqwest::Body::from(b),
                    Upload::Stream(s) => reqwest::Body::wrap_stream(s),
                };
                let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))?;
                let response = if *follow {
                    // Re-signs each hop with the same frozen clock: the first
                    // hop carries the signature shown by `-v`.
                    client.execute(request).await?
                } else {
                    client.reqwest_client().execute(request).await?
                };
                Ok(Response {
                    status: response.status(),
                    version: response.version(),
                    headers: response.headers().clone(),
                    remote: response.remote_addr(),
                    body: ResponseBody::Reqwest(response),
                })
            }
            Client::Hyper(client) => {
                let body: HyperBody = match upload {
                    Upload::Empty => Full::new(Bytes::new())
                        .map_err(|never| match never {})
                        .boxed_unsync(),
                    Upload::Bytes(b) => Full::new(b).map_err(|never| match never {}).boxed_unsync(),
                    Upload::Stream(s) => {
                        BodyExt::boxed_unsync(StreamBody::new(s.map_ok(http_body::Frame::data)))
                    }
                };
                let response = client
                    .request(http::Request::from_parts(parts, body))
                    .await?;
                let remote = response
                    .extensions()
                    .get::<hyper_util::client::legacy::connect::HttpInfo>()
                    .map(hyper_util::client::legacy::connect::HttpInfo::remote_addr);
                let (head, body) = response.into_parts();
                Ok(Response {
                    status: head.status,
                    version: head.version,
                    headers: head.headers,
                    remote,
                    body: ResponseBody::Hyper(body),
                })
            }
        }
    }
}

/// A response of either client.
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) remote: Option<SocketAddr>,
    pub(crate) body: ResponseBody,
}

/// The body of a [`Response`].
pub(crate) enum ResponseBody {
    Reqwest(reqwest::Response),
    Hyper(hyper::body::Incoming),
}

impl ResponseBody {
    /// The next chunk, `None` at the end.
    pub(crate) async fn chunk(
        &mut self,
    ) -> Result<Option<Bytes>, Box<dyn std::error::Error + Send + Sync>> {
        match self {
            ResponseBody::Reqwest(r) => Ok(r.chunk().await?),
            ResponseBody::Hyper(b) => loop {
                match b.frame().await {
                    None => return Ok(None),
                    Some(frame) => {
                        if let Ok(data) = frame?.into_data() {
                            return Ok(Some(data));
                        }
                    }
                }
            },
        }
    }
}
