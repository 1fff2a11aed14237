//! One `tracing` span per signed request and per RPC, with OpenTelemetry
//! field names, through reqwest (client and middleware), hyper and tonic
//! against the fake Lattice; a refused call records Lattice's refusal code;
//! no secret reaches any span field.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lattice_client::Refusal;
use lattice_client::reqwest::{LatticeClient, SigV4Middleware};
use lattice_client::trace::RequestSpan;
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_examples::grpc_echo::echo_server::EchoServer;
use lattice_examples::grpc_echo::{EchoRequest, EchoService};
use lattice_fake::{
    FakeBody, FakeHandle, FakeLattice, Listener, Principal, ProtocolVersion, Service, Target,
    TargetGroup, full_body,
};
use lattice_tonic::LatticeEndpoint;
use lattice_tower::hyper::HyperClientBuilder;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "EXAMPLE-SESSION-TOKEN-do-not-log";
const PRINCIPAL: &str = "arn:aws:sts::111122223333:assumed-role/spans/session";
/// A principal of another account: no policy allows it.
const OUTSIDER: &str = "AKIDOUTSIDER";
const OUTSIDER_SECRET: &str = "outsiderSECRETkeyEXAMPLEEXAMPLEEXAMPLE01";

const POLICY: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

/// One span as the capturing layer saw it: name and fields.
#[derive(Debug, Clone)]
struct Captured {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// A `tracing_subscriber::Layer` that keeps every span of target `lattice`
/// with the values of its fields, as they are recorded.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

struct Index(usize);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.0.lock().expect("lock");
        spans.push(Captured {
            name: attrs.metadata().name(),
            fields,
        });
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Index(spans.len() - 1));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(Index(i)) = extensions.get::<Index>() else {
            return;
        };
        let mut spans = self.0.lock().expect("lock");
        values.record(&mut Fields(&mut spans[*i].fields));
    }
}

impl Capture {
    /// Installs the layer for this thread (the tests run on a
    /// current-thread runtime).
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let layer = self
            .clone()
            .with_filter(filter_fn(|meta: &Metadata<'_>| meta.target() == "lattice"));
        tracing::subscriber::set_default(Registry::default().with(layer))
    }

    fn spans(&self) -> Vec<Captured> {
        self.0.lock().expect("lock").clone()
    }
}

/// No span field holds a secret: the secret keys, the session token, an
/// `authorization` value or a signature (64 hex digits).
fn assert_no_secrets(spans: &[Captured]) {
    for span in spans {
        for (name, value) in &span.fields {
            for secret in [SECRET, OUTSIDER_SECRET, TOKEN, "Signature=", "Credential="] {
                assert!(!value.contains(secret), "{name}={value} in {span:?}");
            }
            let longest_hex = value
                .split(|c: char| !c.is_ascii_hexdigit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest_hex < 64, "{name}={value} looks like a signature");
        }
    }
}

async fn fake() -> FakeHandle {
    let orders = tower::service_fn(|_req: http::Request<FakeBody>| async move {
        Ok::<_, Infallible>(http::Response::new(full_body("orders\n")))
    });
    let echo = EchoServer::new(EchoService::new());
    FakeLattice::builder()
        .service(
            Service::new("orders")
                .aws_iam(POLICY)
                .listener(Listener::https(443).forward_to("orders")),
        )
        .service(
            Service::new("echo")
                .aws_iam(POLICY)
                .listener(Listener::https(443).forward_to("grpc")),
        )
        .target_group(TargetGroup::new("orders", Target::service(orders)))
        .target_group(
            TargetGroup::new("grpc", Target::service(echo)).protocol_version(ProtocolVersion::Grpc),
        )
        .principal(Principal::new(AKID, SECRET, PRINCIPAL).session_token(TOKEN))
        .principal(Principal::new(
            OUTSIDER,
            OUTSIDER_SECRET,
            "arn:aws:sts::444455556666:assumed-role/outsider/session",
        ))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start")
}

/// The host and port of `url` (`https://host:port`).
fn host_port(url: &str) -> (String, String) {
    let uri: http::Uri = url.parse().expect("url");
    let port = uri.port_u16().unwrap_or(443);
    (uri.host().expect("host").to_owned(), port.to_string())
}

fn reqwest_client(fake: &FakeHandle, akid: &str) -> LatticeClient {
    LatticeClient::builder(fake.signer(akid).expect("signer"))
        .resolver(fake.resolver().expect("resolver"))
        .platform_roots(false)
        .add_root_certificate(fake.ca_der().expect("ca").clone())
        .build()
        .expect("client")
}

fn assert_http_span(span: &Captured, method: &str, path: &str, url: &str, status: &str) {
    let (host, port) = host_port(url);
    assert_eq!(span.name, method, "{span:?}");
    assert_eq!(span.field("http.request.method"), Some(method), "{span:?}");
    assert_eq!(span.field("url.path"), Some(path), "{span:?}");
    assert_eq!(
        span.field("server.address"),
        Some(host.as_str()),
        "{span:?}"
    );
    assert_eq!(span.field("server.port"), Some(port.as_str()), "{span:?}");
    assert_eq!(span.field("aws.region"), Some("us-west-2"), "{span:?}");
    assert_eq!(
        span.field("lattice.signing.algorithm"),
        Some("AWS4-HMAC-SHA256"),
        "{span:?}"
    );
    assert_eq!(span.field("lattice.signing.region_source"), Some("name"));
    assert_eq!(
        span.field("http.response.status_code"),
        Some(status),
        "{span:?}"
    );
    assert_eq!(span.field("otel.kind"), Some("client"), "{span:?}");
    assert_eq!(span.field("rpc.system"), None, "{span:?}");
}

#[tokio::test]
async fn reqwest_client_and_middleware_spans() {
    let capture = Capture::default();
    let _guard = capture.install();
    let fake = fake().await;
    let url = fake.url("orders").expect("url").to_owned();

    let client = reqwest_client(&fake, AKID);
    let response = client
        .get(format!("{url}/orders/42?secret-query=value"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);

    let outsider = reqwest_client(&fake, OUTSIDER);
    let response = outsider
        .post(format!("{url}/orders"))
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 403);
    // The body was read for the span and is still all there.
    let length = response.content_length();
    let body = response.text().await.expect("body");
    assert!(body.starts_with("AccessDeniedException: "), "{body}");
    assert_eq!(length, Some(body.len() as u64));

    // The middleware, with the same signer, records the same span.
    let middleware = reqwest_middleware::ClientBuilder::new(outsider.reqwest_client().clone())
        .with(SigV4Middleware::new(fake.signer(OUTSIDER).expect("signer")))
        .build();
    let response = middleware
        .delete(format!("{url}/orders/7"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 403);

    let spans = capture.spans();
    assert_eq!(spans.len(), 3, "{spans:#?}");
    assert_http_span(&spans[0], "GET", "/orders/42", &url, "200");
    assert_eq!(spans[0].field("lattice.refusal.code"), None);
    assert_eq!(spans[0].field("error.type"), None);
    assert_http_span(&spans[1], "POST", "/orders", &url, "403");
    assert_eq!(
        spans[1].field("lattice.refusal.code"),
        Some("AccessDeniedException")
    );
    assert_eq!(spans[1].field("error.type"), Some("403"));
    assert_http_span(&spans[2], "DELETE", "/orders/7", &url, "403");
    assert_eq!(
        spans[2].field("lattice.refusal.code"),
        Some("AccessDeniedException")
    );
    assert_no_secrets(&spans);
    assert!(
        spans
            .iter()
            .all(|s| s.fields.values().all(|v| !v.contains("secret-query"))),
        "no query string: {spans:#?}"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn hyper_spans_and_the_refusal_helper() {
    let capture = Capture::default();
    let _guard = capture.install();
    let fake = fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let client = |akid: &str| {
        HyperClientBuilder::new(fake.signer(akid).expect("signer"))
            .resolver(fake.resolver().expect("resolver"))
            .platform_roots(false)
            .add_root_certificate(fake.ca_der().expect("ca").clone())
            .build::<Full<Bytes>>()
            .expect("client")
    };
    let request = http::Request::get(format!("{url}/orders/1"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let response = client(AKID).request(request).await.expect("sent");
    assert_eq!(response.status(), 200);
    assert!(
        RequestSpan::from_extensions(response.extensions()).is_none(),
        "a 2xx does not keep its span"
    );
    drop(response);

    let request = http::Request::put(format!("{url}/orders/2"))
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("request");
    let response = client(OUTSIDER).request(request).await.expect("sent");
    assert_eq!(response.status(), 403);
    // The documented helper: the span is in the extensions of a 4xx/5xx.
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    let refusal = Refusal::from_response(parts.status, &parts.headers, &body).expect("Lattice's");
    RequestSpan::from_extensions(&parts.extensions)
        .expect("the span")
        .record_refusal(&refusal);
    drop(parts);

    let spans = capture.spans();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    assert_http_span(&spans[0], "GET", "/orders/1", &url, "200");
    assert_http_span(&spans[1], "PUT", "/orders/2", &url, "403");
    assert_eq!(
        spans[1].field("lattice.refusal.code"),
        Some("AccessDeniedException")
    );
    assert_no_secrets(&spans);
    fake.shutdown().await;
}

#[tokio::test]
async fn tonic_rpc_spans() {
    let capture = Capture::default();
    let _guard = capture.install();
    let fake = fake().await;
    let url = fake.url("echo").expect("url").to_owned();
    let channel = |akid: &str| {
        LatticeEndpoint::new(&url)
            .expect("endpoint")
            .signer(fake.signer(akid).expect("signer"))
            .resolver(fake.resolver().expect("resolver"))
            .platform_roots(false)
            .add_root_pem(fake.ca_pem().expect("ca"))
            .expect("pem")
            .connect_lazy()
            .expect("channel")
    };
    let reply = EchoClient::new(channel(AKID))
        .unary(EchoRequest {
            message: "hello".into(),
            ..Default::default()
        })
        .await
        .expect("allowed")
        .into_inner();
    assert_eq!(reply.message, "hello");
    let status = EchoClient::new(channel(OUTSIDER))
        .unary(EchoRequest {
            message: "denied".into(),
            ..Default::default()
        })
        .await
        .expect_err("denied");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);

    let spans = capture.spans();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    let (host, port) = host_port(&url);
    for (span, status) in spans.iter().zip(["200", "403"]) {
        assert_eq!(span.name, "POST", "{span:?}");
        assert_eq!(span.field("otel.name"), Some("lattice.echo.Echo/Unary"));
        assert_eq!(span.field("rpc.system"), Some("grpc"), "{span:?}");
        assert_eq!(span.field("rpc.service"), Some("lattice.echo.Echo"));
        assert_eq!(span.field("rpc.method"), Some("Unary"));
        assert_eq!(span.field("url.path"), Some("/lattice.echo.Echo/Unary"));
        assert_eq!(span.field("server.address"), Some(host.as_str()));
        assert_eq!(span.field("server.port"), Some(port.as_str()));
        assert_eq!(span.field("aws.region"), Some("us-west-2"));
        assert_eq!(
            span.field("lattice.signing.algorithm"),
            Some("AWS4-HMAC-SHA256")
        );
        assert_eq!(span.field("http.response.status_code"), Some(status));
    }
    assert_eq!(spans[0].field("lattice.refusal.code"), None);
    assert_eq!(
        spans[1].field("lattice.refusal.code"),
        Some("AccessDeniedException"),
        "{:?}",
        spans[1]
    );
    assert_no_secrets(&spans);
    fake.shutdown().await;
}
