//! The signed channel against a Lattice-like tonic server over TLS/HTTP/2:
//! every RPC kind signed and verified, Lattice's refusals as gRPC statuses,
//! credentials rotating under a long-lived channel, reconnection after the
//! server closes connections, streaming without buffering, typed errors.

mod common;

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{
    CUSTOM_DOMAIN, FailingProvider, NAME, Options, PRINCIPAL, RotatingProvider, TestServer,
    credentials, echo_path,
};
use lattice_client::Signer;
use lattice_examples::grpc_echo::EchoRequest;
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_tonic::{Error, LatticeChannel};
use tonic::Code;

fn request(message: &str) -> EchoRequest {
    EchoRequest {
        message: message.to_owned(),
        ..Default::default()
    }
}

async fn client(server: &TestServer) -> EchoClient<LatticeChannel> {
    let channel = server
        .endpoint()
        .credentials(credentials())
        .connect()
        .await
        .expect("channel");
    EchoClient::new(channel)
}

/// Runs one RPC of each kind and checks the answers.
async fn one_of_each(client: &mut EchoClient<LatticeChannel>) {
    let reply = client.unary(request("hello")).await.expect("unary");
    assert_eq!(reply.get_ref().message, "hello");
    assert_eq!(
        reply.get_ref().caller,
        PRINCIPAL,
        "identity reached the handler"
    );

    let mut stream = client
        .server_stream(EchoRequest {
            message: "tick".into(),
            repeat: 3,
            ..Default::default()
        })
        .await
        .expect("server stream")
        .into_inner();
    let mut indexes = Vec::new();
    while let Some(reply) = stream.message().await.expect("stream message") {
        assert_eq!(reply.message, "tick");
        indexes.push(reply.index);
    }
    assert_eq!(indexes, vec![0, 1, 2]);

    let outbound = futures_util::stream::iter(["a", "b", "c"].map(request));
    let reply = client
        .client_stream(outbound)
        .await
        .expect("client stream")
        .into_inner();
    assert_eq!(reply.messages_received, 3);
    assert_eq!(reply.message, "a b c");

    let outbound = futures_util::stream::iter(["x", "y", "z"].map(request));
    let mut replies = client.bidi(outbound).await.expect("bidi").into_inner();
    let mut got = Vec::new();
    while let Some(reply) = replies.message().await.expect("bidi message") {
        got.push(reply.message);
    }
    assert_eq!(got, vec!["x", "y", "z"]);
}

#[tokio::test]
async fn every_rpc_kind_is_signed_and_verified() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let mut client = client(&server).await;
    one_of_each(&mut client).await;

    let seen = server.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Unary", "ServerStream", "ClientStream", "Bidi"]
            .map(echo_path)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    for rpc in &seen {
        let verified = rpc
            .verified
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", rpc.path));
        assert_eq!(verified.access_key_id, "AKIDEXAMPLE");
        assert_eq!(rpc.method, http::Method::POST);
        assert_eq!(rpc.version, http::Version::HTTP_2);
        assert_eq!(rpc.authority.as_deref(), Some(server.authority().as_str()));
        assert!(!rpc.host_header, "no host header next to :authority");
        assert_eq!(rpc.content_sha256.as_deref(), Some("UNSIGNED-PAYLOAD"));
        assert_eq!(rpc.content_type.as_deref(), Some("application/grpc"));
        for header in ["host", "x-amz-content-sha256", "x-amz-date", "content-type"] {
            assert!(
                verified.signed_headers.iter().any(|h| h == header),
                "{header} signed: {:?}",
                verified.signed_headers
            );
        }
        for header in ["te", "user-agent"] {
            assert!(
                !verified.signed_headers.iter().any(|h| h == header),
                "{header} must not be signed: {:?}",
                verified.signed_headers
            );
        }
    }
}

#[tokio::test]
async fn custom_domains_sign_for_the_given_region_or_with_sigv4a() {
    let server = TestServer::start(Options::default()).await.expect("server");
    for sigv4a in [false, true] {
        let endpoint = server
            .endpoint_for(CUSTOM_DOMAIN)
            .credentials(credentials());
        let endpoint = if sigv4a {
            endpoint.sigv4a("*")
        } else {
            endpoint.region("us-west-2")
        };
        let mut client = EchoClient::new(endpoint.connect().await.expect("channel"));
        client.unary(request("custom")).await.expect("unary");
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let algorithms: Vec<String> = seen
        .iter()
        .map(|s| {
            assert_eq!(
                s.authority.as_deref(),
                Some(format!("{CUSTOM_DOMAIN}:{}", server.addr.port()).as_str())
            );
            s.verified.as_ref().expect("verified").algorithm.clone()
        })
        .collect();
    assert_eq!(algorithms, ["V4", "V4a"]);
}

#[tokio::test]
async fn a_denied_rpc_fails_with_lattices_line() {
    let server = TestServer::start(Options {
        deny: vec![echo_path("Unary")],
        ..Default::default()
    })
    .await
    .expect("server");
    let mut client = client(&server).await;
    let status = client.unary(request("no")).await.expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().starts_with(&format!(
            "AccessDeniedException: User: {PRINCIPAL} is not authorized to perform: vpc-lattice-svcs:Invoke \
             on resource: arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0/lattice.echo.Echo/Unary"
        )),
        "{}",
        status.message()
    );
    assert!(status.metadata().get("x-amzn-requestid").is_some());
    let source = status
        .source()
        .and_then(|e| e.downcast_ref::<Error>())
        .expect("typed source");
    assert!(matches!(source, Error::NotGrpc { status, .. } if status.as_u16() == 403));

    // Other methods still work on the same channel.
    let mut stream = client
        .server_stream(request("ok"))
        .await
        .expect("allowed")
        .into_inner();
    assert!(stream.message().await.expect("message").is_some());
}

#[tokio::test]
async fn non_grpc_answers_map_to_grpc_codes() {
    let server = TestServer::start(Options {
        canned: vec![
            (echo_path("Unary"), 404, "text/plain", "Not Found\n"),
            (
                echo_path("ServerStream"),
                200,
                "text/html",
                "<html><body>maintenance</body></html>",
            ),
            (echo_path("ClientStream"), 503, "text/plain", ""),
        ],
        ..Default::default()
    })
    .await
    .expect("server");
    let mut client = client(&server).await;

    let status = client.unary(request("x")).await.expect_err("404");
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(status.message(), "Not Found");

    let status = client.server_stream(request("x")).await.expect_err("html");
    assert_eq!(status.code(), Code::Unknown);
    assert_eq!(status.message(), "<html><body>maintenance</body></html>");

    let status = client
        .client_stream(futures_util::stream::iter([request("x")]))
        .await
        .expect_err("503");
    assert_eq!(status.code(), Code::Unavailable);
    assert!(status.message().contains("503"), "{}", status.message());
}

#[tokio::test]
async fn credentials_rotate_under_a_long_lived_channel() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let calls = Arc::new(AtomicUsize::new(0));
    let channel = server
        .endpoint()
        .credentials_provider(RotatingProvider {
            calls: calls.clone(),
            // Over the cache's 1 s minimum remaining lifetime.
            lifetime: Duration::from_millis(2400),
        })
        .connect()
        .await
        .expect("channel");
    let mut client = EchoClient::new(channel);
    for i in 0..16 {
        client
            .unary(request(&format!("rpc {i}")))
            .await
            .unwrap_or_else(|s| panic!("rpc {i}: {s:?}"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 16);
    let mut keys: Vec<String> = seen
        .iter()
        .map(|s| {
            let v = s.verified.as_ref().expect("every RPC verified");
            let token = s.security_token.as_deref().expect("session token sent");
            // The token sent belongs to the key that signed.
            assert_eq!(
                token.strip_prefix("token-"),
                v.access_key_id.strip_prefix("AKIDEXAMPLE")
            );
            v.access_key_id.clone()
        })
        .collect();
    keys.dedup();
    let provider_calls = calls.load(Ordering::SeqCst);
    assert!(
        keys.len() >= 2,
        "credentials rotated during the channel's life: {keys:?}"
    );
    assert!(
        provider_calls >= keys.len() && provider_calls < 16,
        "refreshed between RPCs, not per RPC: {provider_calls} provider calls"
    );
}

#[tokio::test]
async fn the_channel_reconnects_after_the_server_closes_connections() {
    let server = TestServer::start(Options {
        max_connection_age: Some(Duration::from_millis(300)),
        ..Default::default()
    })
    .await
    .expect("server");
    let mut client = client(&server).await;
    for i in 0..12 {
        client
            .unary(request(&format!("rpc {i}")))
            .await
            .unwrap_or_else(|s| panic!("rpc {i}: {s:?}"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // One RPC of each kind on the renewed connection too.
    one_of_each(&mut client).await;
    let connections = server.connections.load(Ordering::SeqCst);
    assert!(
        connections >= 3,
        "the server closed connections and the channel opened new ones: {connections}"
    );
    assert!(server.seen().iter().all(|s| s.verified.is_ok()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rpcs_survive_graceful_closes() {
    let server = TestServer::start(Options {
        max_connection_age: Some(Duration::from_millis(150)),
        ..Default::default()
    })
    .await
    .expect("server");
    let client = client(&server).await;
    let mut tasks = Vec::new();
    for t in 0..4 {
        let mut client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in 0..25 {
                if let Err(status) = client.unary(request(&format!("{t}/{i}"))).await {
                    failures.push(format!(
                        "{:?}: {} ({:?})",
                        status.code(),
                        status.message(),
                        status.source()
                    ));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for task in tasks {
        failures.extend(task.await.expect("task"));
    }
    let connections = server.connections.load(Ordering::SeqCst);
    assert!(connections >= 3, "{connections}");
    assert!(
        failures.is_empty(),
        "{} failed RPCs: {failures:?}",
        failures.len()
    );
}

#[tokio::test]
async fn the_channel_reconnects_after_an_abrupt_close() {
    // tonic closes each connection 600 ms after accepting it, without
    // GOAWAY. The RPCs run while it is open; the close happens between them.
    let server = TestServer::start(Options {
        max_connection_age: Some(Duration::from_millis(300)),
        max_connection_age_grace: Some(Duration::from_millis(300)),
        ..Default::default()
    })
    .await
    .expect("server");
    let mut client = client(&server).await;
    for i in 0..4 {
        client
            .unary(request(&format!("rpc {i}")))
            .await
            .unwrap_or_else(|s| panic!("rpc {i}: {s:?}"));
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    let connections = server.connections.load(Ordering::SeqCst);
    assert_eq!(connections, 4, "a new connection for each RPC");
}

#[tokio::test]
async fn a_client_stream_is_sent_as_it_is_produced() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let mut client = client(&server).await;
    let mut body_bytes = server.body_bytes.clone();
    const CHUNK: usize = 256 * 1024;
    let (tx, rx) = tokio::sync::mpsc::channel::<EchoRequest>(1);
    let producer = tokio::spawn(async move {
        let chunk = EchoRequest {
            payload: vec![7u8; CHUNK].into(),
            ..Default::default()
        };
        tx.send(chunk.clone()).await.expect("send first");
        // The second message is only produced once the server has received
        // the first: a channel that buffered the body would never get here.
        tokio::time::timeout(
            Duration::from_secs(20),
            body_bytes.wait_for(|n| *n >= CHUNK as u64),
        )
        .await
        .expect("the server received the first message while the stream was still open")
        .expect("watch");
        for _ in 1..8 {
            tx.send(chunk.clone()).await.expect("send");
        }
    });
    let outbound =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
    let reply = client
        .client_stream(outbound)
        .await
        .expect("client stream")
        .into_inner();
    producer.await.expect("producer");
    assert_eq!(reply.messages_received, 8);
    assert_eq!(reply.bytes_received, 8 * CHUNK as u64);
}

#[tokio::test]
async fn credential_failures_are_typed_and_send_nothing() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let channel = server
        .endpoint()
        .credentials_provider(FailingProvider)
        .connect()
        .await
        .expect("channel");
    let mut client = EchoClient::new(channel);
    let status = client
        .unary(request("x"))
        .await
        .expect_err("no credentials");
    println!("rpc: {status:?}");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(
        status.message().contains("could not load AWS credentials"),
        "{}",
        status.message()
    );
    let source = status
        .source()
        .and_then(|e| e.downcast_ref::<Error>())
        .expect("typed source");
    assert!(matches!(source, Error::Credentials(_)), "{source:?}");
    assert!(server.seen().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn an_untrusted_server_fails_the_handshake_with_advice() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let other_ca = common::Pki::generate().expect("pki");
    let endpoint = || {
        lattice_tonic::LatticeEndpoint::new(format!("https://{NAME}:{}", server.addr.port()))
            .expect("url")
            .resolver(common::resolver())
            .platform_roots(false)
            .add_root_certificate(other_ca.ca.clone())
            .credentials(credentials())
    };
    let err = endpoint().connect().await.expect_err("untrusted");
    println!("connect: {err}");
    assert!(matches!(err, Error::Channel { .. }), "{err:?}");
    // The advice is in the chain: the channel error, then its causes.
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(e) = cause {
        text = format!("{text}: {e}");
        cause = e.source();
    }
    assert!(
        text.contains("TLS handshake") && text.contains("add_root_pem"),
        "{text}"
    );

    // Lazily: the first RPC fails with Unavailable and the same advice.
    let mut client = EchoClient::new(endpoint().connect_lazy().expect("lazy"));
    let status = client.unary(request("x")).await.expect_err("untrusted");
    println!("rpc: {status:?}");
    assert_eq!(status.code(), Code::Unavailable);
    assert!(
        status.message().contains("TLS handshake"),
        "{}",
        status.message()
    );
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn a_ready_signer_is_used_as_is() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let signer = Signer::builder()
        .credentials(credentials())
        .build()
        .expect("signer");
    let channel = server
        .endpoint()
        .signer(signer)
        .connect_lazy()
        .expect("channel");
    // Clones share the connection; the channel is usable from many tasks.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let mut client = EchoClient::new(channel.clone());
        tasks.push(tokio::spawn(async move {
            client.unary(request(&format!("task {i}"))).await
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("rpc");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    assert_eq!(server.seen().len(), 8);
}

#[tokio::test]
async fn endpoint_options_cannot_move_the_origin() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let channel = server
        .endpoint()
        .credentials(credentials())
        .timeout(Duration::from_secs(5))
        .tcp_keepalive(Some(Duration::from_secs(30)))
        .configure_endpoint(|e| {
            e.concurrency_limit(4)
                .http2_keep_alive_interval(Duration::from_secs(20))
                .origin("https://elsewhere.example".parse().expect("uri"))
        })
        .connect()
        .await
        .expect("channel");
    // A client that puts its own origin on requests.
    let mut client =
        EchoClient::with_origin(channel, "https://other.example".parse().expect("uri"));
    client.unary(request("x")).await.expect("unary");
    let seen = server.seen();
    assert_eq!(
        seen[0].authority.as_deref(),
        Some(server.authority().as_str())
    );
    assert!(seen[0].verified.is_ok(), "{:?}", seen[0].verified);
}

#[test]
fn channels_are_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<LatticeChannel>();
    check::<EchoClient<LatticeChannel>>();
}
