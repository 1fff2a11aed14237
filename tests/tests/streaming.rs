//! "The body is never polled before the request is sent": the signer only
//! reads the request head, at the layer and end to end through hyper.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use lattice_client::Signer;
use lattice_tests::{
    CaptureServer, CountingProvider, ManualClock, Protocol, SERVICE_NAME, TestPki, fixed_time,
    loopback_resolver, temporary_credentials,
};
use lattice_tower::SigV4Layer;
use lattice_tower::hyper::HyperClientBuilder;
use tokio::sync::oneshot;
use tower::{ServiceBuilder, ServiceExt, service_fn};

const WAIT: Duration = Duration::from_secs(10);

/// A body that counts how often it was polled and how many frames it gave,
/// and gives nothing until its gate opens (if it has one).
#[derive(Debug)]
struct WatchedBody {
    gate: Option<oneshot::Receiver<()>>,
    chunks: VecDeque<Bytes>,
    polls: Arc<AtomicUsize>,
    frames: Arc<AtomicUsize>,
}

impl WatchedBody {
    fn new(chunks: usize, gate: Option<oneshot::Receiver<()>>) -> Self {
        Self {
            gate,
            chunks: (0..chunks)
                .map(|_| Bytes::from_static(&[7u8; 1024]))
                .collect(),
            polls: Arc::new(AtomicUsize::new(0)),
            frames: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Body for WatchedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = self.gate.as_mut() {
            // A dropped sender opens the gate too.
            let _ = ready!(Pin::new(gate).poll(cx));
            self.gate = None;
        }
        match self.chunks.pop_front() {
            Some(chunk) => {
                self.frames.fetch_add(1, Ordering::SeqCst);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.chunks.iter().map(|c| c.len() as u64).sum())
    }
}

/// At the moment the transport behind `SigV4Layer` receives the request, it
/// is signed and its body has never been polled, on the fast path (cached
/// credentials) and the slow path (waiting for the provider).
#[tokio::test]
async fn body_is_not_polled_before_the_transport_sees_the_signed_request() {
    let clock = ManualClock::new(fixed_time());
    let provider = CountingProvider::new(
        clock.clone(),
        Duration::from_secs(3600),
        Duration::from_millis(20),
    );
    let signer = Signer::builder()
        .credentials_provider(provider.clone())
        .time_source(clock)
        .build()
        .expect("signer");
    let observed = Arc::new(Mutex::new(Vec::new()));
    let seen = observed.clone();
    let transport = service_fn(move |req: Request<WatchedBody>| {
        let seen = seen.clone();
        async move {
            let polls = req.body().polls.load(Ordering::SeqCst);
            let signed = req.headers().contains_key("authorization");
            seen.lock().expect("lock").push((polls, signed));
            Ok::<_, Infallible>(Response::new(()))
        }
    });
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::new(signer))
        .service(transport);
    // First request: slow path (no credentials yet); second: fast path.
    for _ in 0..2 {
        let body = WatchedBody::new(4, None);
        let polls = body.polls.clone();
        let request = Request::post(format!("https://{SERVICE_NAME}/upload"))
            .body(body)
            .expect("request");
        service.clone().oneshot(request).await.expect("response");
        assert_eq!(polls.load(Ordering::SeqCst), 0, "nobody polled the body");
    }
    assert_eq!(provider.calls(), 1);
    assert_eq!(
        *observed.lock().expect("lock"),
        vec![(0, true), (0, true)],
        "signed, body untouched, when the transport saw it"
    );
}

/// End to end: the body gives nothing until the server has received the
/// signed head. If anything on the way awaited the body before sending the
/// head, the head would never arrive.
#[tokio::test]
async fn hyper_sends_the_signed_head_before_the_body_gives_anything() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    for protocol in [Protocol::Http1, Protocol::Http2] {
        let server = CaptureServer::tls(protocol, &pki).await.expect("server");
        let signer = Signer::builder()
            .credentials(temporary_credentials())
            .build()
            .expect("signer");
        let client = HyperClientBuilder::new(signer)
            .resolver(loopback_resolver().expect("resolver"))
            .platform_roots(false)
            .add_root_certificate(pki.ca.clone())
            .build::<WatchedBody>()
            .expect("client");
        let (open, gate) = oneshot::channel();
        let body = WatchedBody::new(64, Some(gate));
        let frames = body.frames.clone();
        let request = Request::post(format!("{}/upload", server.origin(SERVICE_NAME)))
            .body(body)
            .expect("request");
        let call = tokio::spawn(async move { client.request(request).await });

        server.wait_for_heads(1, WAIT).await.expect("head arrives");
        assert_eq!(
            frames.load(Ordering::SeqCst),
            0,
            "{protocol:?}: the head arrived before the body gave a frame"
        );
        let head = &server.requests()[0];
        assert!(head.headers.contains_key("authorization"), "{protocol:?}");
        assert_eq!(
            head.header_values("x-amz-content-sha256"),
            ["UNSIGNED-PAYLOAD"]
        );

        open.send(()).expect("gate");
        let response = tokio::time::timeout(WAIT, call)
            .await
            .expect("in time")
            .expect("task")
            .expect("response");
        assert_eq!(response.status(), 200);
        server.wait_for_bodies(1, WAIT).await.expect("body read");
        assert_eq!(server.requests()[0].body_len, Some(64 * 1024));
        assert_eq!(frames.load(Ordering::SeqCst), 64);
    }
}
