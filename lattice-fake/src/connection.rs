//! Client connections: accepting them, TLS, the per-listener cap, and the
//! idle timeout, lifetime and hard close of each.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::certs::{openssl_cipher_name, tls_version_label};
use crate::model::ListenerProtocol;
use crate::pipeline::{Activity, ConnInfo, State, handle};

/// What a listener serves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listening {
    pub(crate) service: usize,
    pub(crate) protocol: ListenerProtocol,
    pub(crate) port: u16,
}

pub(crate) async fn accept_loop(
    state: Arc<State>,
    socket: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    at: Listening,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = socket.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: back off
                        // instead of spinning.
                        tracing::warn!(error = %e, "fake lattice: accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let tls = tls.clone();
                let rx = shutdown.clone();
                connections.spawn(serve_connection(state, stream, peer, tls, at, rx));
            }
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // In-flight requests get a moment to finish; then everything stops.
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        connections.abort_all();
    }
}

async fn serve_connection(
    state: Arc<State>,
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    at: Listening,
    shutdown: watch::Receiver<bool>,
) {
    let client = state
        .c
        .clients
        .iter()
        .find(|c| c.source_ip == Some(peer.ip()))
        .unwrap_or(&state.c.default_client)
        .clone();
    let activity = Arc::new(Activity::new());
    let _connection = ConnectionCount::new(state.clone(), at.service);
    match tls {
        Some(acceptor) => {
            let handshake = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
            let Ok(Ok(stream)) = handshake.await else {
                return;
            };
            let (_, session) = stream.get_ref();
            let sni = session.server_name().map(str::to_owned);
            let tls_version = tls_version_label(session.protocol_version());
            let cipher = session
                .negotiated_cipher_suite()
                .map(|s| openssl_cipher_name(s.suite()));
            let info = Arc::new(ConnInfo {
                protocol: at.protocol,
                port: at.port,
                peer,
                sni,
                tls_version,
                cipher,
                client,
                activity,
            });
            drive(state, TokioIo::new(stream), info, shutdown).await;
        }
        None => {
            let info = Arc::new(ConnInfo {
                protocol: at.protocol,
                port: at.port,
                peer,
                sni: None,
                tls_version: None,
                cipher: None,
                client,
                activity,
            });
            drive(state, TokioIo::new(stream), info, shutdown).await;
        }
    }
}

/// Counts a connection in `NewConnectionCount` / `ActiveConnectionCount`.
struct ConnectionCount {
    state: Arc<State>,
    service: usize,
}

impl ConnectionCount {
    fn new(state: Arc<State>, service: usize) -> Self {
        if let Some(c) = state.metrics.service(service) {
            c.connection_opened();
        }
        ConnectionCount { state, service }
    }
}

impl Drop for ConnectionCount {
    fn drop(&mut self) {
        if let Some(c) = self.state.metrics.service(self.service) {
            c.connection_closed();
        }
    }
}

async fn drive<I>(
    state: Arc<State>,
    io: I,
    info: Arc<ConnInfo>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let timeouts = state.c.timeouts;
    let activity = info.activity.clone();
    let service = service_fn(move |req| {
        let state = state.clone();
        let info = info.clone();
        async move { Ok::<_, Infallible>(handle(state, info, req).await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Hyper would answer 431 itself past 100 headers; Lattice answers 400,
    // so let the pipeline count them.
    builder.http1().timer(TokioTimer::new()).max_headers(1_000);
    builder.http2().timer(TokioTimer::new());
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let opened = Instant::now();
    let lifetime = tokio::time::sleep_until((opened + timeouts.lifetime).into());
    tokio::pin!(lifetime);
    let mut idle_at = opened + timeouts.idle;
    let mut closing = false;
    loop {
        let idle = tokio::time::sleep_until(idle_at.into());
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = &mut lifetime, if !closing => {
                // No new requests; in-flight ones finish (h2: GOAWAY;
                // h1: `connection: close` on the current response).
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = idle, if !closing => {
                let now = Instant::now();
                if activity.active() == 0 && activity.last() + timeouts.idle <= now {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                } else {
                    idle_at = activity.last().max(now) + timeouts.idle;
                }
            }
            _ = shutdown.changed(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}

