//! The fake under hostile clients: bounded echo bodies, stalled and
//! trickling bodies, a connection cap per listener, and timeouts that are
//! validated instead of panicking. Raw TCP on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use lattice_fake::{
    FakeError, FakeHandle, FakeLattice, FakeLatticeBuilder, Listener, MAX_TIMEOUT, Service,
    TargetGroup,
};
use lattice_tests::fake_clients::anonymous_client;

/// One `echo` service over HTTP on `builder`.
async fn echo_fake(builder: FakeLatticeBuilder) -> FakeHandle {
    builder
        .service(Service::new("echo").listener(Listener::http(80).forward_to("echo-tg")))
        .target_group(TargetGroup::request_echo("echo-tg"))
        .build()
        .expect("valid model")
        .start()
        .await
        .expect("fake starts")
}

fn endpoint(fake: &FakeHandle) -> (SocketAddr, String) {
    let listener = &fake.listeners()[0];
    (
        listener.address,
        format!("{}:{}", listener.dns_name, listener.address.port()),
    )
}

/// The status of the first response on `stream` (reads to the end).
async fn status_of(stream: &mut TcpStream) -> u16 {
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    text.get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"))
}

#[tokio::test]
async fn the_request_echo_reads_at_most_6_mb() {
    let fake = echo_fake(FakeLattice::builder()).await;
    let url = fake.url("echo").expect("url").to_owned();
    let client = anonymous_client(&fake);
    let small = client
        .post(format!("{url}/"))
        .body(vec![b'a'; 1024])
        .send()
        .await
        .expect("call");
    assert_eq!(small.status(), 200);
    let big = client
        .post(format!("{url}/"))
        .body(vec![0u8; 6 * 1024 * 1024 + 1])
        .send()
        .await
        .expect("call");
    assert_eq!(big.status(), 413);
    let body = big.text().await.expect("body");
    assert!(body.starts_with("Request Entity Too Large"), "{body}");
}

#[tokio::test]
async fn a_stalled_request_body_is_answered_408() {
    let builder = FakeLatticeBuilder::from_yaml_str(
        "fake: {timeouts: {bodyReadSeconds: 0.3, targetSeconds: 30}}",
    )
    .expect("config");
    let fake = echo_fake(builder).await;
    let (addr, host) = endpoint(&fake);
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {host}\r\ncontent-length: 10\r\nconnection: close\r\n\r\nx"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    assert_eq!(status_of(&mut stream).await, 408);
}

#[tokio::test]
async fn a_trickling_body_is_cut_off_after_the_lifetime_and_its_grace() {
    // Lifetime 1 s, default grace: the connection ends within seconds,
    // although the client would trickle for 15 s more.
    let fake = echo_fake(FakeLattice::builder().connection_lifetime(Duration::from_secs(1))).await;
    let (addr, host) = endpoint(&fake);
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    let head = format!("POST / HTTP/1.1\r\nhost: {host}\r\ncontent-length: 60\r\n\r\n");
    write.write_all(head.as_bytes()).await.expect("write");
    let reader = tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = read.read_to_end(&mut sink).await;
    });
    let mut sent = 0;
    while sent < 60 && !reader.is_finished() {
        if write.write_all(b"a").await.is_err() {
            break;
        }
        sent += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        reader.is_finished(),
        "the connection was held for the whole trickled body ({sent} bytes)"
    );
    assert!(sent < 60, "{sent}");
}

#[tokio::test]
async fn a_full_listener_sheds_its_oldest_idle_connection() {
    let fake = echo_fake(FakeLattice::builder().max_connections_per_listener(2)).await;
    let (addr, host) = endpoint(&fake);
    let mut oldest = TcpStream::connect(addr).await.expect("connect");
    let _second = TcpStream::connect(addr).await.expect("connect");
    // Both accepted before the third arrives.
    for _ in 0..200 {
        if fake.metrics().services["echo"].active_connection_count >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut third = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET / HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    third.write_all(request.as_bytes()).await.expect("write");
    assert_eq!(status_of(&mut third).await, 200);
    // The oldest idle connection was closed to make room.
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(10), oldest.read(&mut byte))
        .await
        .expect("the oldest connection is closed, not kept");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[test]
fn timeouts_past_one_year_are_refused_not_panicking() {
    let err = FakeLattice::builder()
        .connection_lifetime(Duration::from_secs(u64::MAX / 2))
        .build()
        .expect_err("huge lifetime");
    assert!(
        matches!(
            err,
            FakeError::InvalidTimeout {
                field: "lifetime",
                ..
            }
        ),
        "{err:?}"
    );
    let err = FakeLatticeBuilder::from_yaml_str("fake: {timeouts: {idleSeconds: 1e18}}")
        .expect("parses")
        .build()
        .expect_err("huge idle timeout");
    assert!(err.to_string().contains("idle"), "{err}");
    FakeLattice::builder()
        .connection_lifetime(MAX_TIMEOUT)
        .idle_timeout(MAX_TIMEOUT)
        .build()
        .expect("one year is accepted");
    let err = FakeLattice::builder()
        .max_connections_per_listener(0)
        .build()
        .expect_err("no connections");
    assert!(err.to_string().contains("at least 1"), "{err}");
}
