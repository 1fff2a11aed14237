//! The reqwest and hyper clients send a request once more when the server
//! closes the connection under it before answering — an idempotent request
//! only — and never re-send a `POST`. A raw loopback HTTP/1.1 server
//! answers the first request of its first connection, then reads the
//! second one and closes without a byte, as a server closing an idle
//! connection at the moment a request arrives does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lattice_client::Signer;
use lattice_client::reqwest::LatticeClient;
use lattice_tests::{SERVICE_NAME, loopback_resolver, temporary_credentials};
use lattice_tower::hyper::HyperClientBuilder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The server: what it received, in order (`"<connection> <method> <path>"`).
struct ClosingServer {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl ClosingServer {
    async fn start() -> ClosingServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            let connections = AtomicUsize::new(0);
            while let Ok((stream, _)) = listener.accept().await {
                let n = connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, n, log.clone()));
            }
        });
        ClosingServer { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{SERVICE_NAME}:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("log").clone()
    }
}

/// Answers every request, except that connection 0 closes, unanswered,
/// after reading its second request.
async fn serve(mut stream: TcpStream, connection: usize, log: Arc<Mutex<Vec<String>>>) {
    let mut buffer = Vec::new();
    for index in 0.. {
        let Some((method, path)) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        log.lock()
            .expect("log")
            .push(format!("{connection} {method} {path}"));
        if connection == 0 && index == 1 {
            return; // Closed under the request.
        }
        let reply = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        if stream.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads one request (head and `content-length` body); `None` at the end.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<(String, String)> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    buffer.drain(..head_end + length);
    let mut words = head.split_whitespace();
    Some((words.next()?.to_owned(), words.next()?.to_owned()))
}

fn signer() -> Signer {
    Signer::builder()
        .credentials(temporary_credentials())
        .build()
        .expect("signer")
}

fn reqwest_client(retry: bool) -> LatticeClient {
    LatticeClient::builder(signer())
        .resolver(loopback_resolver().expect("resolver"))
        .no_proxy()
        .retry_closed_connections(retry)
        .build()
        .expect("client")
}

#[tokio::test]
async fn reqwest_sends_an_idempotent_request_again_on_a_new_connection() {
    let server = ClosingServer::start().await;
    let client = reqwest_client(true);
    for path in ["/first", "/second"] {
        let response = client
            .get(server.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.expect("body"), "ok");
    }
    assert_eq!(
        server.seen(),
        ["0 GET /first", "0 GET /second", "1 GET /second"]
    );
}

#[tokio::test]
async fn reqwest_never_sends_a_post_twice_and_the_retry_can_be_turned_off() {
    let server = ClosingServer::start().await;
    let client = reqwest_client(true);
    let first = client
        .get(server.url("/first"))
        .send()
        .await
        .expect("first");
    assert_eq!(first.text().await.expect("body"), "ok");
    let err = client
        .post(server.url("/order"))
        .body("x")
        .send()
        .await
        .expect_err("closed under the POST");
    assert!(
        matches!(err, lattice_client::reqwest::Error::Reqwest(_)),
        "{err:?}"
    );
    assert_eq!(server.seen(), ["0 GET /first", "0 POST /order"]);

    let server = ClosingServer::start().await;
    let client = reqwest_client(false);
    let first = client
        .get(server.url("/first"))
        .send()
        .await
        .expect("first");
    assert_eq!(first.text().await.expect("body"), "ok");
    assert!(client.get(server.url("/second")).send().await.is_err());
    assert_eq!(server.seen(), ["0 GET /first", "0 GET /second"]);
}

#[tokio::test]
async fn hyper_sends_an_idempotent_request_again_and_never_a_post() {
    let client = |retry: bool| {
        HyperClientBuilder::new(signer())
            .resolver(loopback_resolver().expect("resolver"))
            .retry_closed_connections(retry)
            .build::<Full<Bytes>>()
            .expect("client")
    };
    let send = |client: &lattice_tower::hyper::SignedHyperClient<Full<Bytes>>,
                method: &str,
                url: String,
                body: &'static str| {
        let request = http::Request::builder()
            .method(method)
            .uri(url)
            .body(Full::new(Bytes::from_static(body.as_bytes())))
            .expect("request");
        let client = client.clone();
        async move {
            let response = client.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await.map_err(|e| {
                lattice_tower::HyperError::Http {
                    authority: String::new(),
                    source: Box::new(e),
                }
            })?;
            Ok::<_, lattice_tower::HyperError>((status, body.to_bytes()))
        }
    };

    // A PUT with a body: idempotent, replayed on the new connection.
    let server = ClosingServer::start().await;
    let retrying = client(true);
    let (status, body) = send(&retrying, "GET", server.url("/first"), "")
        .await
        .expect("first");
    assert_eq!((status.as_u16(), &body[..]), (200, &b"ok"[..]));
    let (status, _) = send(&retrying, "PUT", server.url("/item"), "payload")
        .await
        .expect("retried");
    assert_eq!(status, 200);
    assert_eq!(
        server.seen(),
        ["0 GET /first", "0 PUT /item", "1 PUT /item"]
    );

    let server = ClosingServer::start().await;
    send(&retrying, "GET", server.url("/first"), "")
        .await
        .expect("first");
    let err = send(&retrying, "POST", server.url("/order"), "x")
        .await
        .expect_err("closed under the POST");
    assert!(
        matches!(err, lattice_tower::HyperError::Http { .. }),
        "{err:?}"
    );
    assert_eq!(server.seen(), ["0 GET /first", "0 POST /order"]);

    let server = ClosingServer::start().await;
    let plain = client(false);
    send(&plain, "GET", server.url("/first"), "")
        .await
        .expect("first");
    assert!(
        send(&plain, "GET", server.url("/second"), "")
            .await
            .is_err()
    );
    assert_eq!(server.seen(), ["0 GET /first", "0 GET /second"]);
}
