//! `lattice fake --map-out FILE.svg` writes the service map on exit
//! (SIGTERM here; SIGINT takes the same path), and exits 1 when it cannot.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

fn config_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fake/lattice.yaml")
}

/// Starts `lattice fake --map-out map_out`; returns the child and the
/// address of the `orders` HTTP listener.
async fn start(map_out: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lattice"))
        .arg("fake")
        .arg("--config")
        .arg(config_file())
        .arg("--map-out")
        .arg(map_out)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("lattice fake runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .expect("the ready line within 10 s")
        .unwrap()
        .expect("a ready line");
    // Keep draining stdout (access-log records) so the fake never blocks.
    tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
    let ready: Value = serde_json::from_str(&line).unwrap();
    let orders = ready["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["service"] == "orders")
        .expect("orders listener");
    let address = orders["address"].as_str().unwrap().parse().unwrap();
    (child, address)
}

/// SIGTERM, then the exit status and stderr.
async fn terminate(mut child: Child) -> (ExitStatus, String) {
    let pid = child.id().expect("still running").to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(status.success());
    let mut stderr = child.stderr.take().unwrap();
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("the fake stops within 15 s of SIGTERM")
        .unwrap();
    let mut text = String::new();
    stderr.read_to_string(&mut text).await.unwrap();
    (status, text)
}

/// An unsigned request to `orders`: the network policy refuses it.
async fn call_anonymously(address: SocketAddr) {
    let status = reqwest::Client::builder()
        .no_proxy()
        .resolve("orders.localhost", address)
        .build()
        .unwrap()
        .get(format!("http://orders.localhost:{}/", address.port()))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
}

#[cfg(unix)]
#[tokio::test]
async fn map_out_is_written_on_exit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.svg");
    let (child, address) = start(&path).await;
    call_anonymously(address).await;
    call_anonymously(address).await;
    assert!(!path.exists(), "written on exit, not before");
    let (status, stderr) = terminate(child).await;
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("service map written to"), "{stderr}");
    let svg = std::fs::read_to_string(&path).expect("the map was written");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("2 requests, 2 refused"), "{svg}");
    for text in [
        ">anonymous</text>",
        ">shop</text>",
        ">orders</text>",
        ">✕ network policy</text>",
        ">2 refused</text>",
    ] {
        assert!(svg.contains(text), "{text} missing: {svg}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn an_unwritable_map_out_fails_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-directory").join("map.svg");
    let (child, _) = start(&path).await;
    let (status, stderr) = terminate(child).await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write --map-out"), "{stderr}");
}
