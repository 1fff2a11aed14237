//! Running the fake: loopback sockets, TLS, connection lifetime, and the
//! handle a test uses to reach it.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::access_log::{AccessLogRecord, AccessLogSink};
use super::admin::{FakeEnv, PolicyOwner};
use super::certs::{Pki, SniResolver, server_config};
use super::compile::Compiled;
use super::connection::{Listening, Serves, accept_loop};
use super::error::FakeError;
use super::model::{FakeLatticeBuilder, ListenerProtocol};
use super::pipeline::{LogHook, State};
use super::routing::Rng;
use lattice_client::sign::verify::{KeyCredentials, Profile, StaticCredentials, Verifier};

/// A validated fake Lattice, not yet serving. Build one with
/// [`FakeLattice::builder`] (or from a config file), then
/// [`start`](Self::start) it.
pub struct FakeLattice {
    compiled: Compiled,
    hook: Option<LogHook>,
}

impl fmt::Debug for FakeLattice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeLattice")
            .field("region", &self.compiled.region)
            .field("services", &self.compiled.services.len())
            .finish_non_exhaustive()
    }
}

impl FakeLattice {
    /// A builder: region `us-west-2`, account `111122223333`, nothing else.
    pub fn builder() -> FakeLatticeBuilder {
        FakeLatticeBuilder::new()
    }

    pub(crate) fn from_compiled(compiled: Compiled) -> Self {
        FakeLattice {
            compiled,
            hook: None,
        }
    }

    /// Calls `hook` with every access-log record as it is written (the
    /// runner prints them); the handle's [`AccessLogSink`] keeps them too.
    pub fn on_access_log(
        mut self,
        hook: impl Fn(&AccessLogRecord) + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// As [`FakeLatticeBuilder::gateway`], for a fake already built (from a
    /// config file, say).
    pub fn gateway(mut self, addr: SocketAddr) -> Self {
        self.compiled.serving.gateway = Some(addr);
        self
    }

    /// As [`FakeLatticeBuilder::bind`].
    pub fn bind(mut self, ip: IpAddr) -> Self {
        self.compiled.serving.bind = ip;
        self
    }

    /// As [`FakeLatticeBuilder::explain_signature_failures`].
    pub fn explain_signature_failures(mut self, explain: bool) -> Self {
        self.compiled.serving.explain = explain;
        self
    }

    /// Binds one port per listener (and the gateway's, if any), generates the certificates for
    /// HTTPS listeners and starts serving on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`FakeError::Bind`] when a port cannot be bound, [`FakeError::Tls`]
    /// when certificate generation fails.
    pub async fn start(self) -> Result<FakeHandle, FakeError> {
        let c = self.compiled;
        let offset = c.clock_offset;
        let now: Arc<dyn Fn() -> SystemTime + Send + Sync> = Arc::new(move || {
            let sys = SystemTime::now();
            if offset.0 {
                sys.checked_sub(offset.1).unwrap_or(sys)
            } else {
                sys.checked_add(offset.1).unwrap_or(sys)
            }
        });
        let mut keys = StaticCredentials::new();
        for (i, p) in c.principals.iter().enumerate() {
            let mut creds = KeyCredentials::new(p.spec.secret_access_key.clone(), i);
            if let Some(token) = &p.spec.session_token {
                creds = creds.with_session_token(token.clone());
            }
            keys.insert(p.spec.access_key_id.clone(), creds);
        }
        let clock = now.clone();
        let verifier = Verifier::builder(keys, Profile::lattice(c.region.clone()))
            .clock(move || clock())
            .window(c.signature_window)
            .build()
            .map_err(|e| FakeError::Invalid(e.to_string()))?;

        let needs_tls = c.services.iter().any(|s| {
            s.listeners
                .iter()
                .any(|l| l.protocol == ListenerProtocol::Https)
        });
        let pki = if needs_tls {
            let names: Vec<Vec<String>> = c
                .services
                .iter()
                .map(|s| {
                    std::iter::once(s.dns_name.clone())
                        .chain(s.custom_domain.clone())
                        .chain(std::iter::once(s.local_name()))
                        .collect()
                })
                .collect();
            Some(Pki::generate(&names)?)
        } else {
            None
        };
        let by_name: Arc<HashMap<String, Arc<rustls::sign::CertifiedKey>>> = Arc::new(match &pki {
            Some(pki) => c
                .hosts
                .iter()
                .filter_map(|(host, &s)| pki.keys.get(s).map(|k| (host.clone(), k.clone())))
                .collect(),
            None => HashMap::new(),
        });

        let mut h1 = HttpConnector::new();
        h1.set_nodelay(true);
        let upstream_h1 = HyperClient::builder(TokioExecutor::new()).build(h1.clone());
        let upstream_h2 = HyperClient::builder(TokioExecutor::new())
            .http2_only(true)
            .build(h1);

        // Bind everything before serving anything.
        let bind_ip = c.serving.bind;
        crate::gateway::warn_if_exposed("fake", bind_ip);
        let gateway = match c.serving.gateway {
            Some(addr) => {
                crate::gateway::warn_if_exposed("gateway", addr.ip());
                Some(crate::gateway::bind(addr).await?)
            }
            None => None,
        };
        let mut bound = Vec::new();
        for (s, service) in c.services.iter().enumerate() {
            for listener in service.listeners.iter() {
                let socket = TcpListener::bind(SocketAddr::new(bind_ip, 0))
                    .await
                    .map_err(|source| FakeError::Bind {
                        service: service.name.clone(),
                        listener: listener.name.clone(),
                        source,
                    })?;
                let address = socket.local_addr().map_err(|source| FakeError::Bind {
                    service: service.name.clone(),
                    listener: listener.name.clone(),
                    source,
                })?;
                let tls = match (&pki, listener.protocol) {
                    (Some(pki), ListenerProtocol::Https) => {
                        let default = pki
                            .keys
                            .get(s)
                            .cloned()
                            .ok_or_else(|| FakeError::Tls("missing service key".to_owned()))?;
                        let config = server_config(SniResolver {
                            by_name: by_name.clone(),
                            default,
                        })?;
                        Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
                    }
                    _ => None,
                };
                let info = ListenerInfo {
                    service: service.name.clone(),
                    listener: listener.name.clone(),
                    dns_name: service.dns_name.clone(),
                    custom_domain: service.custom_domain.clone(),
                    protocol: listener.protocol,
                    port: listener.port,
                    address,
                    base_url: format!(
                        "{}://{}:{}",
                        listener.protocol.scheme(),
                        service.dns_name,
                        address.port()
                    ),
                    local_url: format!(
                        "{}://{}:{}",
                        listener.protocol.scheme(),
                        service.local_name(),
                        // The gateway's port for the listener the gateway
                        // routes to; another listener of the same protocol
                        // is reached on its own port.
                        match &gateway {
                            Some((_, a))
                                if crate::gateway::pick_listener(service, listener.protocol)
                                    .is_some_and(|l| l.port == listener.port) =>
                            {
                                a.port()
                            }
                            _ => address.port(),
                        }
                    ),
                };
                bound.push((s, socket, tls, info));
            }
        }

        let services = c
            .services
            .iter()
            .map(|s| ServiceInfo {
                name: s.name.clone(),
                id: s.id.clone(),
                arn: s.arn.clone(),
                dns_name: s.dns_name.clone(),
                custom_domain: s.custom_domain.clone(),
            })
            .collect();
        let log = AccessLogSink::new(c.access_log_capacity);
        let seed = c.seed;
        let metrics = super::metrics::Metrics::new(
            c.services.iter().map(|s| s.name.clone()).collect(),
            c.target_groups.iter().map(|t| t.name.clone()).collect(),
        );
        let info = crate::admin::RunInfo {
            started: std::time::Instant::now(),
            gateway: gateway.as_ref().map(|(_, a)| *a),
            listeners: bound.iter().map(|(_, _, _, info)| info.clone()).collect(),
            ca_pem: pki.as_ref().map(|p| p.ca_pem.clone()),
            ca_bundle: RwLock::new(None),
        };
        let state = Arc::new(State {
            metrics,
            auth: RwLock::new(Arc::new(c.auth.clone())),
            info,
            c,
            verifier,
            rng: Mutex::new(Rng::with_seed(seed)),
            log: log.clone(),
            hook: self.hook,
            upstream_h1,
            upstream_h2,
            now,
        });

        let gateway_tls = crate::gateway::acceptor(&state.c, pki.as_ref(), &by_name)?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let gateway_addr = gateway.as_ref().map(|(_, a)| *a);
        if let Some((socket, _)) = gateway {
            tasks.push(tokio::spawn(accept_loop(
                state.clone(),
                socket,
                Serves::Gateway { tls: gateway_tls },
                shutdown_rx.clone(),
            )));
        }
        let mut listeners = Vec::new();
        for (service_index, socket, tls, info) in bound {
            let state = state.clone();
            let rx = shutdown_rx.clone();
            let protocol = info.protocol;
            let port = info.port;
            let info_service = service_index;
            let at = Listening {
                service: info_service,
                protocol,
                port,
            };
            tasks.push(tokio::spawn(accept_loop(
                state,
                socket,
                Serves::Listener { at, tls },
                rx,
            )));
            listeners.push(info);
        }

        Ok(FakeHandle {
            gateway: gateway_addr,
            listeners,
            services,
            ca_der: pki.as_ref().map(|p| p.ca_der.clone()),
            ca_pem: pki.map(|p| p.ca_pem),
            log,
            state,
            shutdown: shutdown_tx,
            tasks,
        })
    }
}

/// One listener as served: the flat object of the runner's ready line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListenerInfo {
    /// The service's name.
    pub service: String,
    /// The listener's name.
    #[serde(skip)]
    pub listener: String,
    /// The service's generated DNS name.
    pub dns_name: String,
    /// The service's custom domain, if any.
    pub custom_domain: Option<String>,
    /// `HTTP` or `HTTPS`.
    pub protocol: ListenerProtocol,
    /// The modelled port (80, 443, …).
    pub port: u16,
    /// Where it really listens: the bind address (127.0.0.1 by default)
    /// and an ephemeral port.
    pub address: SocketAddr,
    /// `http(s)://<generated name>:<ephemeral port>`.
    pub base_url: String,
    /// `http(s)://<service name>.localhost:<port>`: a name every client
    /// resolves to loopback without help (curl, browsers, and
    /// `lattice_client::resolve::Resolver`). The port is the gateway's when
    /// there is one, else the listener's own.
    pub local_url: String,
}

/// A service's names and ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceInfo {
    /// Its name.
    pub name: String,
    /// Its id (`svc-…`).
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// Its generated DNS name.
    pub dns_name: String,
    /// Its custom domain, if any.
    pub custom_domain: Option<String>,
}

/// A running fake Lattice. Dropping it stops the listeners; call
/// [`shutdown`](Self::shutdown) to also wait for in-flight requests.
pub struct FakeHandle {
    gateway: Option<SocketAddr>,
    listeners: Vec<ListenerInfo>,
    services: Vec<ServiceInfo>,
    ca_der: Option<CertificateDer<'static>>,
    ca_pem: Option<String>,
    log: AccessLogSink,
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for FakeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeHandle")
            .field("region", &self.state.c.region)
            .field("listeners", &self.listeners)
            .finish_non_exhaustive()
    }
}

impl FakeHandle {
    /// The region.
    pub fn region(&self) -> &str {
        &self.state.c.region
    }

    /// The account owning the services.
    pub fn account(&self) -> &str {
        &self.state.c.account
    }

    /// The gateway's address, when one was asked for
    /// ([`FakeLatticeBuilder::gateway`]): every service on one port.
    pub fn gateway(&self) -> Option<SocketAddr> {
        self.gateway
    }

    /// Every listener with its address and base URL.
    pub fn listeners(&self) -> &[ListenerInfo] {
        &self.listeners
    }

    /// Every service's names and ARN.
    pub fn services(&self) -> &[ServiceInfo] {
        &self.services
    }

    /// The service named `name`.
    pub fn service(&self, name: &str) -> Option<&ServiceInfo> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The base URL of `service`'s first listener
    /// (`http(s)://<generated name>:<ephemeral port>`).
    pub fn url(&self, service: &str) -> Option<&str> {
        self.listeners
            .iter()
            .find(|l| l.service == service)
            .map(|l| l.base_url.as_str())
    }

    /// The listener of `service` with the modelled `port`.
    pub fn listener(&self, service: &str, port: u16) -> Option<&ListenerInfo> {
        self.listeners
            .iter()
            .find(|l| l.service == service && l.port == port)
    }

    /// The ARN of the service network named `name`.
    pub fn network_arn(&self, name: &str) -> Option<&str> {
        self.state
            .c
            .networks
            .iter()
            .find(|n| n.name == name)
            .map(|n| n.arn.as_str())
    }

    /// The ARN of the target group named `name`.
    pub fn target_group_arn(&self, name: &str) -> Option<&str> {
        self.state
            .c
            .target_groups
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.arn.as_str())
    }

    /// The resolver overrides a client needs: every generated name and
    /// custom domain → 127.0.0.1.
    pub fn resolver_overrides(&self) -> Vec<(String, IpAddr)> {
        let mut names: Vec<(String, IpAddr)> = self
            .services
            .iter()
            .flat_map(|s| std::iter::once(s.dns_name.clone()).chain(s.custom_domain.clone()))
            .map(|n| (n, IpAddr::V4(Ipv4Addr::LOCALHOST)))
            .collect();
        names.sort();
        names
    }

    /// A resolver with [`resolver_overrides`](Self::resolver_overrides) and
    /// no system fallback (nothing else resolves).
    ///
    /// # Errors
    ///
    /// Not expected: the names were validated on build.
    pub fn resolver(&self) -> Result<lattice_client::resolve::Resolver, lattice_client::Error> {
        let mut resolver = lattice_client::resolve::Resolver::new().without_system_fallback();
        for (name, ip) in self.resolver_overrides() {
            resolver = resolver.with_override(&name, [ip])?;
        }
        Ok(resolver)
    }

    /// The CA that issued the HTTPS listeners' certificates, as PEM
    /// (`None` without HTTPS listeners).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The CA certificate, DER.
    pub fn ca_der(&self) -> Option<&CertificateDer<'static>> {
        self.ca_der.as_ref()
    }

    /// A root store holding only the fake's CA.
    pub fn root_store(&self) -> rustls::RootCertStore {
        lattice_client::tls::root_store(false, self.ca_der.as_slice())
    }

    /// The static credentials of the principal with `access_key_id`.
    pub fn credentials(&self, access_key_id: &str) -> Option<lattice_client::Credentials> {
        self.state
            .c
            .principals
            .iter()
            .find(|p| p.spec.access_key_id == access_key_id)
            .map(|p| p.spec.credentials())
    }

    /// A signer for the principal with `access_key_id`: its credentials, the
    /// fake's region, every custom domain and every `<service>.localhost`
    /// name registered.
    ///
    /// # Errors
    ///
    /// [`lattice_client::Error::Config`] for an unknown access key id.
    pub fn signer(
        &self,
        access_key_id: &str,
    ) -> Result<lattice_client::Signer, lattice_client::Error> {
        let credentials = self.credentials(access_key_id).ok_or_else(|| {
            lattice_client::Error::Config(format!(
                "the fake has no principal with access key id `{access_key_id}`"
            ))
        })?;
        let mut builder = lattice_client::Signer::builder()
            .credentials(credentials)
            .region(self.region().to_owned());
        for service in &self.services {
            if let Some(domain) = &service.custom_domain {
                builder = builder.custom_domain(domain.clone(), Some(self.region()));
            }
            // The explicit opt-in for `<service>.localhost`.
            builder = builder.custom_domain(format!("{}.localhost", service.name), None);
        }
        builder.build()
    }

    /// The access-log records written so far.
    pub fn access_log(&self) -> &AccessLogSink {
        &self.log
    }

    /// The metrics so far, by service and target group, with CloudWatch's
    /// metric names.
    pub fn metrics(&self) -> super::metrics::MetricsSnapshot {
        self.state.metrics.snapshot()
    }

    /// Puts the auth policy of the service `name` for the next request,
    /// validated as `PutAuthPolicy` would; the service's auth type becomes
    /// `AWS_IAM`. The same as `PUT /_fake/services/{name}/auth-policy`.
    ///
    /// # Errors
    ///
    /// [`FakeError::UnknownReference`] for an unknown service,
    /// [`FakeError::Policy`] / [`FakeError::PolicyTooLarge`] for a bad
    /// policy; the running model is then unchanged.
    pub fn put_service_auth_policy(&self, name: &str, policy_json: &str) -> Result<(), FakeError> {
        self.state
            .set_auth_policy(PolicyOwner::Service, name, Some(policy_json))
    }

    /// Deletes the auth policy of the service `name`, as `DeleteAuthPolicy`
    /// would: the auth type stays, so with `AWS_IAM` and no policy every
    /// request is refused, and a `NONE` service stays open.
    ///
    /// # Errors
    ///
    /// [`FakeError::UnknownReference`] for an unknown service.
    pub fn delete_service_auth_policy(&self, name: &str) -> Result<(), FakeError> {
        self.state.set_auth_policy(PolicyOwner::Service, name, None)
    }

    /// [`put_service_auth_policy`](Self::put_service_auth_policy) for the
    /// service network `name`.
    ///
    /// # Errors
    ///
    /// As [`put_service_auth_policy`](Self::put_service_auth_policy).
    pub fn put_service_network_auth_policy(
        &self,
        name: &str,
        policy_json: &str,
    ) -> Result<(), FakeError> {
        self.state
            .set_auth_policy(PolicyOwner::Network, name, Some(policy_json))
    }

    /// [`delete_service_auth_policy`](Self::delete_service_auth_policy) for
    /// the service network `name`.
    ///
    /// # Errors
    ///
    /// [`FakeError::UnknownReference`] for an unknown service network.
    pub fn delete_service_network_auth_policy(&self, name: &str) -> Result<(), FakeError> {
        self.state.set_auth_policy(PolicyOwner::Network, name, None)
    }

    /// Clears the access log and the metrics (`POST /_fake/reset`); record
    /// numbers (`seq`) go on from the last one.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// The environment a client needs to reach this fake
    /// (`GET /_fake/env`).
    pub fn env(&self) -> FakeEnv {
        self.state.env()
    }

    /// Records where the CA was written for clients: [`env`](Self::env)'s
    /// `AWS_CA_BUNDLE`.
    pub fn set_ca_bundle_path(&self, path: impl Into<String>) {
        *self
            .state
            .info
            .ca_bundle
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(path.into());
    }

    /// The service map of the access-log records held so far, as SVG
    /// (`GET /_fake/map.svg`; see [`crate::map`]).
    pub fn map_svg(&self) -> String {
        self.state.map_svg()
    }

    /// The service map, usable after [`shutdown`](Self::shutdown).
    pub fn service_map(&self) -> crate::map::ServiceMap {
        crate::map::ServiceMap::new(self.state.clone())
    }

    /// The fake's clock (the system clock moved by any configured offset).
    pub fn now(&self) -> SystemTime {
        (self.state.now)()
    }

    /// Stops accepting, lets in-flight requests finish (at most 5 s), then
    /// returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for FakeHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
