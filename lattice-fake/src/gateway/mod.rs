//! The gateway: one socket serving every service, plaintext and TLS alike
//! ([`FakeLatticeBuilder::gateway`](crate::FakeLatticeBuilder::gateway)).
//!
//! A connection's first byte says whether it speaks TLS: `0x16` starts a
//! TLS handshake record, anything else is plaintext HTTP/1.1 or HTTP/2
//! with prior knowledge. The wait for that byte and the handshake share
//! [`Timeouts::handshake`](crate::Timeouts::handshake); a connection that
//! sends nothing, or fails its handshake, is closed alone. The accept loop,
//! connection cap, header limits and timeouts are the listeners' own
//! ([`crate::connection`]).
//!
//! Each request then picks its service by `Host` / `:authority`, as on a
//! listener, and the service's listener by the connection's protocol
//! ([`pick_listener`]). The TLS server name only picks the certificate.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, TcpStream};

use crate::certs::{Pki, SniResolver, server_config};
use crate::compile::{CListener, CService, Compiled};
use crate::error::FakeError;
use crate::model::ListenerProtocol;

/// The first byte of a TLS handshake record (`ContentType::handshake`).
const TLS_HANDSHAKE: u8 = 0x16;

/// The listener of `service` that a gateway request on a `protocol`
/// connection goes to: of the listeners of that protocol, the one with the
/// lowest modelled port (`docs/assumptions.md`, A66). `None`: the service
/// has no listener of that protocol (the gateway answers `421`).
pub(crate) fn pick_listener(service: &CService, protocol: ListenerProtocol) -> Option<&CListener> {
    service
        .listeners
        .iter()
        .filter(|l| l.protocol == protocol)
        .min_by_key(|l| l.port)
}

/// Whether the connection starts with a TLS handshake, read without
/// consuming it; `None` when it closes or sends nothing within `timeout`.
pub(crate) async fn first_byte_is_tls(stream: &TcpStream, timeout: Duration) -> Option<bool> {
    let mut byte = [0_u8; 1];
    match tokio::time::timeout(timeout, stream.peek(&mut byte)).await {
        Ok(Ok(n)) if n > 0 => Some(byte.first() == Some(&TLS_HANDSHAKE)),
        _ => None,
    }
}

/// Binds the gateway socket.
pub(crate) async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), FakeError> {
    let socket = TcpListener::bind(addr)
        .await
        .map_err(|source| FakeError::BindGateway { addr, source })?;
    let local = socket
        .local_addr()
        .map_err(|source| FakeError::BindGateway { addr, source })?;
    Ok((socket, local))
}

/// The gateway's TLS: every service's certificate by server name; without
/// one, the first service with an HTTPS listener's. `None` without
/// certificates (no HTTPS listener anywhere): TLS connections are closed.
pub(crate) fn acceptor(
    c: &Compiled,
    pki: Option<&Pki>,
    by_name: &Arc<HashMap<String, Arc<CertifiedKey>>>,
) -> Result<Option<tokio_rustls::TlsAcceptor>, FakeError> {
    let Some(pki) = pki else {
        return Ok(None);
    };
    let first_https = c
        .services
        .iter()
        .position(|s| {
            s.listeners
                .iter()
                .any(|l| l.protocol == ListenerProtocol::Https)
        })
        .unwrap_or(0);
    let Some(default) = pki.keys.get(first_https).cloned() else {
        return Ok(None);
    };
    let config = server_config(SniResolver {
        by_name: by_name.clone(),
        default,
    })?;
    Ok(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
}

/// Logs a warning when `ip` is not loopback: the fake is then reachable
/// from the network.
pub(crate) fn warn_if_exposed(what: &str, ip: std::net::IpAddr) {
    if !ip.is_loopback() {
        tracing::warn!(
            address = %ip,
            "fake lattice: the {what} listens on a non-loopback address; anyone who can reach it can call the services"
        );
    }
}
