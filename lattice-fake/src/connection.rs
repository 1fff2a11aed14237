//! Client connections: accepting them, TLS, the per-listener cap, and the
//! idle timeout, lifetime and hard close of each.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
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

/// What a socket serves: one listener, or the gateway.
#[derive(Clone)]
pub(crate) enum Serves {
    /// One listener: its protocol says whether connections use TLS.
    Listener {
        at: Listening,
        tls: Option<tokio_rustls::TlsAcceptor>,
    },
    /// Every service: the first byte of a connection says whether it uses
    /// TLS (`tls` is `None` when no service has an HTTPS listener).
    Gateway {
        tls: Option<tokio_rustls::TlsAcceptor>,
    },
}

/// A listener's open connections, oldest first, for the cap.
#[derive(Debug, Default)]
struct Open {
    next_id: u64,
    connections: Vec<OpenConnection>,
}

#[derive(Debug)]
struct OpenConnection {
    id: u64,
    activity: Arc<Activity>,
    close: Arc<Notify>,
}

impl Open {
    /// Makes room for one more connection under `max`: closes the oldest
    /// idle one if the listener is full. `false` when it is full and every
    /// connection has a request in flight.
    fn make_room(&mut self, max: usize) -> bool {
        if self.connections.len() < max {
            return true;
        }
        let Some(oldest_idle) = self
            .connections
            .iter()
            .position(|c| c.activity.active() == 0)
        else {
            return false;
        };
        let shed = self.connections.remove(oldest_idle);
        // `notify_one` keeps the permit if the connection is not waiting yet.
        shed.close.notify_one();
        true
    }

    fn add(&mut self, activity: Arc<Activity>, close: Arc<Notify>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.connections.push(OpenConnection {
            id,
            activity,
            close,
        });
        id
    }
}

/// Removes a connection from its listener's [`Open`] list when it ends.
struct Registered {
    open: Arc<Mutex<Open>>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.connections.retain(|c| c.id != self.id);
    }
}

/// Accepts connections on `socket` until shutdown, under the connection
/// cap, and serves each on its own task.
pub(crate) async fn accept_loop(
    state: Arc<State>,
    socket: TcpListener,
    serves: Serves,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    let open = Arc::new(Mutex::new(Open::default()));
    let max = state.c.max_connections_per_listener;
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
                let activity = Arc::new(Activity::new());
                let close = Arc::new(Notify::new());
                let registered = {
                    let mut list = open.lock().unwrap_or_else(|e| e.into_inner());
                    if !list.make_room(max) {
                        tracing::warn!(max, "fake lattice: listener full of busy connections; refusing one");
                        continue;
                    }
                    Registered { open: open.clone(), id: list.add(activity.clone(), close.clone()) }
                };
                let _ = stream.set_nodelay(true);
                let conn = Conn { peer, activity, close, _registered: registered };
                let state = state.clone();
                let serves = serves.clone();
                let rx = shutdown.clone();
                connections.spawn(serve_connection(state, stream, serves, conn, rx));
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

/// One accepted connection, before TLS.
struct Conn {
    peer: SocketAddr,
    activity: Arc<Activity>,
    /// Notified when the listener sheds this connection.
    close: Arc<Notify>,
    _registered: Registered,
}

async fn serve_connection(
    state: Arc<State>,
    stream: TcpStream,
    serves: Serves,
    conn: Conn,
    shutdown: watch::Receiver<bool>,
) {
    let handshake = state.c.timeouts.handshake;
    let (tls, protocol, port, _connection) = match serves {
        Serves::Listener { at, tls } => (
            tls,
            at.protocol,
            Some(at.port),
            Some(ConnectionCount::new(state.clone(), at.service)),
        ),
        Serves::Gateway { tls } => {
            // Gateway connections are not counted per service: a service
            // is known per request, not per connection.
            match crate::gateway::first_byte_is_tls(&stream, handshake).await {
                Some(true) => match tls {
                    Some(tls) => (Some(tls), ListenerProtocol::Https, None, None),
                    None => return,
                },
                Some(false) => (None, ListenerProtocol::Http, None, None),
                None => return,
            }
        }
    };
    let Conn {
        peer,
        activity,
        close,
        _registered,
    } = conn;
    let client = state
        .c
        .clients
        .iter()
        .find(|c| c.source_ip == Some(peer.ip()))
        .unwrap_or(&state.c.default_client)
        .clone();
    let mut info = ConnInfo {
        protocol,
        port,
        peer,
        sni: None,
        tls_version: None,
        cipher: None,
        client,
        activity,
    };
    match tls {
        Some(acceptor) => {
            let accepted = tokio::time::timeout(handshake, acceptor.accept(stream));
            let Ok(Ok(stream)) = accepted.await else {
                return;
            };
            let (_, session) = stream.get_ref();
            info.sni = session.server_name().map(str::to_owned);
            info.tls_version = tls_version_label(session.protocol_version());
            info.cipher = session
                .negotiated_cipher_suite()
                .map(|s| openssl_cipher_name(s.suite()));
            drive(state, TokioIo::new(stream), Arc::new(info), shutdown, close).await;
        }
        None => drive(state, TokioIo::new(stream), Arc::new(info), shutdown, close).await,
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
    shed: Arc<Notify>,
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
    // Timeouts are at most `MAX_TIMEOUT` (checked by `build`), so these
    // deadlines do not overflow.
    let opened = Instant::now();
    let lifetime = tokio::time::sleep_until((opened + timeouts.lifetime).into());
    tokio::pin!(lifetime);
    let mut idle_at = opened + timeouts.idle;
    // After a graceful close, in-flight requests get `close_grace`; then the
    // connection is dropped, whatever a slow client is still sending.
    let hard_close = tokio::time::sleep(timeouts.close_grace);
    tokio::pin!(hard_close);
    let mut closing = false;
    loop {
        let idle = tokio::time::sleep_until(idle_at.into());
        let begin_close = tokio::select! {
            _ = conn.as_mut() => break,
            _ = shed.notified() => break,
            _ = &mut hard_close, if closing => {
                tracing::debug!("fake lattice: closing a connection hard after its grace period");
                break;
            }
            // No new requests; in-flight ones finish (h2: GOAWAY;
            // h1: `connection: close` on the current response).
            _ = &mut lifetime, if !closing => true,
            _ = idle, if !closing => {
                let now = Instant::now();
                if activity.active() == 0 && activity.last() + timeouts.idle <= now {
                    true
                } else {
                    idle_at = activity.last().max(now) + timeouts.idle;
                    false
                }
            }
            _ = shutdown.changed(), if !closing => true,
        };
        if begin_close {
            conn.as_mut().graceful_shutdown();
            closing = true;
            hard_close
                .as_mut()
                .reset(tokio::time::Instant::now() + timeouts.close_grace);
        }
    }
}
