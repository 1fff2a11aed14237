//! The gateway: every service on one port, plaintext and TLS told apart by
//! the first byte, each request routed by its `Host` / `:authority`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Empty};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use lattice_fake::{
    FakeHandle, FakeLattice, Listener, Principal, Service, ServiceNetwork, TargetGroup, Timeouts,
};
use lattice_tests::fake_clients::{anonymous_client, signed_client, wait_for_records};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/session-1";

/// `orders`: HTTP 80 only; `billing`: HTTPS 443 and 8443; `catalog`: HTTP
/// 8080 and HTTPS 443. No auth, so plain clients pass.
fn model() -> lattice_fake::FakeLatticeBuilder {
    FakeLattice::builder()
        .service_network(ServiceNetwork::new("shop").all_services())
        .service(Service::new("orders").listener(Listener::http(80).forward_to("orders-tg")))
        .service(
            Service::new("billing")
                .listener(Listener::https(8443).forward_to("billing-tg"))
                .listener(Listener::https(443).forward_to("billing-tg")),
        )
        .service(
            Service::new("catalog")
                .custom_domain("catalog.example.com")
                .listener(Listener::http(8080).forward_to("catalog-tg"))
                .listener(Listener::https(443).forward_to("catalog-tg")),
        )
        .target_group(TargetGroup::request_echo("orders-tg"))
        .target_group(TargetGroup::request_echo("billing-tg"))
        .target_group(TargetGroup::request_echo("catalog-tg"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
}

async fn start(builder: lattice_fake::FakeLatticeBuilder) -> (FakeHandle, SocketAddr) {
    let fake = builder
        .gateway("127.0.0.1:0".parse().expect("address"))
        .build()
        .expect("valid model")
        .start()
        .await
        .expect("fake starts");
    let gateway = fake.gateway().expect("a gateway was asked for");
    assert_ne!(gateway.port(), 0);
    (fake, gateway)
}

fn dns_name(fake: &FakeHandle, service: &str) -> String {
    fake.service(service).expect("service").dns_name.clone()
}

/// The request echo's view of the forwarded request.
async fn echo(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

fn header<'v>(echo: &'v Value, name: &str) -> &'v str {
    echo["headers"][name][0].as_str().unwrap_or("")
}

#[tokio::test]
async fn plaintext_and_tls_share_the_port_with_localhost_and_generated_names() {
    let (fake, gateway) = start(model()).await;
    let port = gateway.port();
    let client = signed_client(&fake, AKID);

    // Plaintext, by `<service>.localhost` and by generated name.
    for host in ["orders.localhost".to_owned(), dns_name(&fake, "orders")] {
        let response = client
            .get(format!("http://{host}:{port}/hello"))
            .send()
            .await
            .expect("plaintext request");
        let (status, body) = echo(response).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
        assert_eq!(body["path"], "/hello");
        assert_eq!(header(&body, "x-forwarded-port"), "80");
        assert_eq!(header(&body, "x-forwarded-proto"), "http");
    }

    // TLS on the same port: billing's lowest HTTPS port (443) is chosen
    // over 8443.
    for host in ["billing.localhost".to_owned(), dns_name(&fake, "billing")] {
        let response = client
            .get(format!("https://{host}:{port}/invoices"))
            .send()
            .await
            .expect("TLS request");
        let (status, body) = echo(response).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
        assert_eq!(header(&body, "x-forwarded-port"), "443");
        assert_eq!(header(&body, "x-forwarded-proto"), "https");
    }

    // One service, both protocols: the connection's protocol picks.
    let http = client
        .get(format!("http://catalog.localhost:{port}/"))
        .send()
        .await
        .expect("catalog over HTTP");
    let (status, body) = echo(http).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&body, "x-forwarded-port"), "8080");

    // The ready line's local URLs carry the gateway's port, except for
    // billing's second HTTPS listener (8443), which the gateway never
    // picks: it is reached on its own port.
    for listener in fake.listeners() {
        let expected = if listener.port == 8443 {
            listener.address.port()
        } else {
            port
        };
        assert!(
            listener.local_url.ends_with(&format!(":{expected}")),
            "{}",
            listener.local_url
        );
    }

    let records = wait_for_records(&fake, 5).await;
    assert_eq!(records.len(), 5);
    assert!(
        records
            .iter()
            .any(|r| r.tls_version.is_some() && r.listener_type.as_deref() == Some("HTTPS"))
    );
}

#[tokio::test]
async fn a_service_without_a_listener_of_the_protocol_gets_421() {
    let (fake, gateway) = start(model()).await;
    let client = anonymous_client(&fake);
    let roots = reqwest::Certificate::from_pem(fake.ca_pem().expect("ca").as_bytes()).expect("ca");
    let tls_client = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([roots])
        .resolve("orders.localhost", gateway)
        .build()
        .expect("client");
    // orders has no HTTPS listener.
    let response = tls_client
        .get(format!("https://orders.localhost:{}/", gateway.port()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    let body = response.text().await.expect("body");
    assert_eq!(
        body,
        "Misdirected Request: service `orders` has no HTTPS listener\n"
    );
    // billing has no HTTP listener.
    let response = client
        .get(format!("http://127.0.0.1:{}/", gateway.port()))
        .header("host", format!("billing.localhost:{}", gateway.port()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    // An unknown host: what a listener answers.
    let response = client
        .get(format!("http://127.0.0.1:{}/", gateway.port()))
        .header("host", "nobody.localhost")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.text().await.expect("body"),
        "Non Existent Service\n"
    );
    // The admin API answers whatever the Host.
    let response = client
        .get(format!("http://127.0.0.1:{}/_fake/health", gateway.port()))
        .header("host", "nobody.localhost")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let health: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(health["gateway"], gateway.to_string(), "{health}");
}

#[tokio::test]
async fn one_http2_tls_connection_reaches_two_services() {
    let (fake, gateway) = start(model()).await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(fake.ca_der().expect("ca").clone())
        .expect("ca added");
    let mut config = rustls::ClientConfig::builder_with_provider(lattice_client::tls::provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(gateway).await.expect("connect");
    let tls = connector
        .connect("billing.localhost".try_into().expect("name"), tcp)
        .await
        .expect("handshake");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tls),
    )
    .await
    .expect("h2 handshake");
    tokio::spawn(conn);
    let port = gateway.port();
    for (host, expected_port) in [
        ("billing.localhost".to_owned(), "443"),
        ("catalog.example.com".to_owned(), "443"),
        (dns_name(&fake, "catalog"), "443"),
    ] {
        let request = http::Request::get(format!("https://{host}:{port}/two"))
            .body(Empty::<Bytes>::new())
            .expect("request");
        let response = sender.send_request(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{host}");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body: Value = serde_json::from_slice(&body).expect("echo JSON");
        assert_eq!(header(&body, "x-forwarded-port"), expected_port);
    }
    let records = wait_for_records(&fake, 3).await;
    let services: Vec<_> = records.iter().map(|r| r.service_arn.clone()).collect();
    assert_eq!(
        services,
        vec![
            fake.service("billing").map(|s| s.arn.clone()),
            fake.service("catalog").map(|s| s.arn.clone()),
            fake.service("catalog").map(|s| s.arn.clone()),
        ]
    );
    assert!(
        records
            .iter()
            .all(|r| r.server_name_indication.as_deref() == Some("billing.localhost"))
    );
}

/// A plaintext health check on the gateway.
async fn healthy(gateway: SocketAddr) -> bool {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("http://{gateway}/_fake/health"))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    // A bound so a broken server fails the test instead of hanging it.
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut out));
    let _ = read.await.expect("the server closes the connection");
    out
}

#[tokio::test]
async fn garbage_and_failed_handshakes_close_only_their_connection() {
    let (_fake, gateway) = start(model()).await;
    assert!(healthy(gateway).await);

    // Not HTTP at all: the connection is answered 400 or closed.
    let mut garbage = TcpStream::connect(gateway).await.expect("connect");
    garbage
        .write_all(b"\x00\x01\x02 not http at all\r\n\r\n")
        .await
        .expect("write");
    let answer = read_to_close(&mut garbage).await;
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(healthy(gateway).await);

    // A TLS record that is no ClientHello: the handshake fails.
    let mut bad_tls = TcpStream::connect(gateway).await.expect("connect");
    bad_tls
        .write_all(b"\x16\x03\x01\x00\x05hello")
        .await
        .expect("write");
    let _ = read_to_close(&mut bad_tls).await;
    assert!(healthy(gateway).await);

    // A TLS client that does not trust the fake's CA gives up mid-handshake.
    let config = rustls::ClientConfig::builder_with_provider(lattice_client::tls::provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(gateway).await.expect("connect");
    let refused = connector
        .connect("billing.localhost".try_into().expect("name"), tcp)
        .await;
    assert!(refused.is_err(), "an untrusted certificate is refused");
    assert!(healthy(gateway).await);
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_handshake_timeout() {
    let mut timeouts = Timeouts::default();
    timeouts.handshake = Duration::from_millis(200);
    let (_fake, gateway) = start(model().timeouts(timeouts)).await;
    let mut silent = TcpStream::connect(gateway).await.expect("connect");
    let answer = read_to_close(&mut silent).await;
    assert!(answer.is_empty());
    assert!(healthy(gateway).await);
}

#[tokio::test]
async fn an_upstream_named_by_host_is_resolved_at_request_time() {
    let upstream = lattice_tests::CaptureServer::plain(lattice_tests::Protocol::Http1)
        .await
        .expect("capture server");
    let named = format!("localhost:{}", upstream.port());
    // A port nothing listens on (bound, then released).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let (fake, gateway) = start(
        FakeLattice::builder()
            .service(Service::new("orders").listener(Listener::http(80).forward_to("orders-tg")))
            .service(Service::new("ghost").listener(Listener::http(80).forward_to("ghost-tg")))
            .target_group(TargetGroup::new(
                "orders-tg",
                lattice_fake::Target::upstream_from_str(&named).expect("HOST:PORT"),
            ))
            .target_group(TargetGroup::new(
                "ghost-tg",
                lattice_fake::Target::upstream_host("localhost", closed),
            )),
    )
    .await;
    // glibc does not resolve `*.localhost`; curl and the SDK's resolver do.
    let client = reqwest::Client::builder()
        .no_proxy()
        .resolve("orders.localhost", gateway)
        .resolve("ghost.localhost", gateway)
        .build()
        .expect("client");
    let response = client
        .get(format!("http://orders.localhost:{}/named", gateway.port()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(upstream.requests().len(), 1);
    assert_eq!(upstream.requests()[0].uri.path(), "/named");
    // Nothing listens there: the target cannot be reached. (Tests resolve
    // no name through DNS, so an unresolvable name is not tried here.)
    let response = client
        .get(format!("http://ghost.localhost:{}/", gateway.port()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let records = wait_for_records(&fake, 2).await;
    let target = records[0].target_ip_port.clone().expect("target address");
    assert!(
        target.ends_with(&format!(":{}", upstream.port())),
        "{target}"
    );
    assert_eq!(
        records[1].failure_reason.map(|r| r.as_str()),
        Some("TargetConnectionError")
    );
}

#[test]
fn a_bad_upstream_is_a_typed_error() {
    for (value, expected) in [
        ("orders-api", "no port"),
        ("orders-api:0", "not 1-65535"),
        ("orders_api:8080", "not a DNS name"),
        ("-orders:8080", "not a DNS name"),
    ] {
        let err = lattice_fake::Target::upstream_from_str(value).expect_err(value);
        assert!(err.contains(expected), "{value}: {err}");
    }
    let err = FakeLattice::builder()
        .service(Service::new("orders").listener(Listener::http(80).forward_to("orders-tg")))
        .target_group(TargetGroup::new(
            "orders-tg",
            lattice_fake::Target::upstream_host("bad..name", 80),
        ))
        .build()
        .expect_err("an invalid name is refused");
    assert!(
        matches!(err, lattice_fake::FakeError::InvalidUpstream { .. }),
        "{err}"
    );
    let yaml = "services:\n  - name: orders\n    listeners: [{name: l, protocol: HTTP, port: 80, defaultAction: {forward: {targetGroups: [{targetGroupIdentifier: tg}]}}}]\ntargetGroups:\n  - name: tg\n    type: INSTANCE\n    fake: {target: {upstream: \"orders_api:8080\"}}\n";
    let err = lattice_fake::FakeLatticeBuilder::from_yaml_str(yaml).expect_err("bad upstream");
    let message = err.to_string();
    assert!(message.contains("orders_api:8080"), "{message}");
    assert!(message.contains("line 7"), "{message}");
}

const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKENthatmustneverbeechoed";

/// Signs `GET http://orders.localhost:P/real` as the principal, then sends
/// it for `/tampered`: the signature no longer matches.
async fn tampered(fake: &FakeHandle, gateway: SocketAddr) -> (StatusCode, String) {
    let port = gateway.port();
    let mut request = http::Request::get(format!("http://orders.localhost:{port}/real?a=1"))
        .body(reqwest::Body::from(""))
        .expect("request");
    fake.signer(AKID)
        .expect("signer")
        .sign(&mut request)
        .await
        .expect("signed");
    *request.uri_mut() = format!("http://orders.localhost:{port}/tampered?a=1")
        .parse()
        .expect("uri");
    let request = reqwest::Request::try_from(request).expect("reqwest request");
    let client = reqwest::Client::builder()
        .no_proxy()
        .resolve("orders.localhost", gateway)
        .build()
        .expect("client");
    let response = client.execute(request).await.expect("response");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

fn explaining_model(explain: bool) -> lattice_fake::FakeLatticeBuilder {
    FakeLattice::builder()
        .service(Service::new("orders").listener(Listener::http(80).forward_to("orders-tg")))
        .target_group(TargetGroup::request_echo("orders-tg"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION).session_token(TOKEN))
        .explain_signature_failures(explain)
}

const MISMATCH: &str = "InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

#[tokio::test]
async fn explain_shows_the_canonical_request_of_a_refused_signature() {
    let (fake, gateway) = start(explaining_model(true)).await;
    let (status, body) = tampered(&fake, gateway).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body.lines().next(), Some(MISMATCH), "{body}");
    let port = gateway.port();
    for expected in [
        "GET\n/tampered\na=1\n",
        &format!("host:orders.localhost:{port}\n"),
        "x-amz-content-sha256:UNSIGNED-PAYLOAD\n",
        "x-amz-security-token:<redacted>\n",
        "\nhost;x-amz-content-sha256;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD\n",
        "The string to sign:\nAWS4-HMAC-SHA256\n",
        "/us-west-2/vpc-lattice-svcs/aws4_request\n",
        "Signed headers: host;x-amz-content-sha256;x-amz-date;x-amz-security-token\n",
    ] {
        assert!(body.contains(expected), "{expected:?} not in:\n{body}");
    }
    assert!(!body.contains(TOKEN), "{body}");
    assert!(!body.contains("Signature="), "{body}");

    // An untampered request still passes.
    let response = lattice_tests::fake_clients::signed_client(&fake, AKID)
        .get(format!("http://orders.localhost:{port}/real"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_explain_the_body_is_lattices_line() {
    let (fake, gateway) = start(explaining_model(false)).await;
    let (status, body) = tampered(&fake, gateway).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, format!("{MISMATCH}\n"));
}

/// Parses the Prometheus text format: `name{labels} value` lines, comments
/// `# HELP`/`# TYPE`. Panics on a line that is neither.
fn parse_prometheus(text: &str) -> Vec<(String, f64)> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            assert!(
                comment.starts_with("HELP ") || comment.starts_with("TYPE "),
                "{line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "{line}");
        }
        samples.push((series.to_owned(), value));
    }
    samples
}

#[tokio::test]
async fn metrics_are_served_in_the_prometheus_text_format() {
    let (fake, gateway) = start(model()).await;
    let client = signed_client(&fake, AKID);
    for path in ["/a", "/b"] {
        let response = client
            .get(format!("http://orders.localhost:{}{path}", gateway.port()))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
    }
    wait_for_records(&fake, 2).await;
    let plain = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let response = plain
        .get(format!("http://{gateway}/_fake/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.expect("body");
    let samples = parse_prometheus(&text);
    let value = |series: &str| {
        samples
            .iter()
            .find(|(s, _)| s == series)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert_eq!(value("TotalRequestCount_total{service=\"orders\"}"), 2.0);
    assert_eq!(
        value("HTTPCode_Target_2XX_Count_total{target_group=\"orders-tg\"}"),
        2.0
    );
    assert_eq!(value("TotalRequestCount_total{service=\"billing\"}"), 0.0);
    assert_eq!(
        value("RequestTime{service=\"orders\",statistic=\"SampleCount\"}"),
        2.0
    );
    assert!(
        text.contains("# TYPE TotalRequestCount_total counter\n"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE ActiveConnectionCount gauge\n"),
        "{text}"
    );

    // Reset zeroes them.
    let reset = plain
        .post(format!("http://{gateway}/_fake/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let text = plain
        .get(format!("http://{gateway}/_fake/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains("TotalRequestCount_total{service=\"orders\"} 0\n"),
        "{text}"
    );
}

#[tokio::test]
async fn the_gateway_holds_the_listeners_connection_cap() {
    let (_fake, gateway) = start(model().max_connections_per_listener(1)).await;
    let request =
        |host: &str| format!("GET /_fake/health HTTP/1.1\r\nhost: {host}\r\n\r\n").into_bytes();
    // A keep-alive connection that has finished its request: idle.
    let mut first = TcpStream::connect(gateway).await.expect("connect");
    first
        .write_all(&request("orders.localhost"))
        .await
        .expect("write");
    let mut head = [0_u8; 12];
    first.read_exact(&mut head).await.expect("response");
    assert_eq!(&head, b"HTTP/1.1 200");
    // A second connection takes its place: the idle one is shed.
    assert!(healthy(gateway).await);
    let rest = read_to_close(&mut first).await;
    assert!(
        !rest.is_empty(),
        "the rest of the first response came first"
    );
}

#[tokio::test]
async fn a_gateway_address_in_use_is_a_typed_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("address");
    let err = model()
        .gateway(addr)
        .build()
        .expect("valid model")
        .start()
        .await
        .expect_err("the port is taken");
    assert!(
        matches!(err, lattice_fake::FakeError::BindGateway { addr: a, .. } if a == addr),
        "{err}"
    );
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}
