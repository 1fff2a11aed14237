//! One `tracing` span per signed request, with OpenTelemetry field names.
//!
//! The signing adapters — `lattice_tower::sign::SigV4Layer` (and so the
//! hyper client and the tonic channel built on it), and the reqwest
//! `LatticeClient` and `SigV4Middleware` — open one span for each request
//! they sign, through [`RequestSpan`]. Each field is recorded once, when it
//! is known; none is ever a secret. Retries inside the tonic channel (of RPCs
//! the server never processed) stay in the RPC's one span; retry layers
//! outside the signer get one span per attempt.
//!
//! # The span
//!
//! * target [`TARGET`] (`lattice`), level `INFO`: on with a usual `info`
//!   filter, off with `lattice=warn` (for example `RUST_LOG=info,lattice=warn`);
//! * name: the HTTP method (`GET`, `POST`, …, or `HTTP` for another method),
//!   as OpenTelemetry names HTTP client spans. `tracing` names are fixed
//!   strings, so for a gRPC call the field `otel.name` carries
//!   `{rpc.service}/{rpc.method}`, which `tracing-opentelemetry` uses as the
//!   exported span's name; `otel.kind` is `client`.
//!
//! | field | value | recorded |
//! |---|---|---|
//! | `http.request.method` | `GET`, `POST`, …; `_OTHER` for a method outside RFC 9110 and PATCH | at the start |
//! | `http.request.method_original` | the method as sent, only with `_OTHER` | at the start |
//! | `url.path` | the path, never the query string | at the start |
//! | `rpc.system` | `grpc`, when the request's `content-type` starts with `application/grpc` | at the start |
//! | `rpc.service`, `rpc.method` | from the gRPC path `/package.Service/Method` | at the start |
//! | `server.address` | the host that was signed (lower-case, no trailing dot, IPv6 without brackets) | after signing |
//! | `server.port` | the port, or 443/80 by scheme | after signing |
//! | `aws.region` | the signing region, or the SigV4A region set | after signing |
//! | `lattice.signing.algorithm` | `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256` | after signing |
//! | `lattice.signing.region_source` | `request`, `name`, `custom-domain` or `default` | after signing |
//! | `http.response.status_code` | the response status | when the response head arrives |
//! | `rpc.grpc.status_code` | `grpc-status`, when the response head carries it (a trailers-only answer) | when the response head arrives |
//! | `error.type` | the status code for a `4xx`/`5xx`; `signing` when signing failed, `invalid_request` when the tower layer could not complete the URI; `timeout`, `connect` or `_OTHER` when sending failed | at the end |
//! | `lattice.refusal.code` | the [`Refusal`] code (`AccessDeniedException`, `Non Existent Service`, …) when the answer is Lattice's own | see below |
//!
//! # When the refusal code is recorded
//!
//! A [`Refusal`] is told from a target's own `403` by the first line of the
//! body, which a signing layer does not read. So `lattice.refusal.code` is
//! recorded by whoever reads that line:
//!
//! * the reqwest adapters, for a `4xx`/`5xx` response whose `content-length`
//!   is at most [`MAX_BODY`](crate::refusal::MAX_BODY) (Lattice's one-line
//!   answers are: docs/assumptions.md A68), and only while the span is
//!   enabled: they read that short body before returning the response,
//!   which keeps it whole;
//! * the tonic channel's status layer, which reads the body of every non-gRPC
//!   answer anyway;
//! * your code, with the hyper client: for a `4xx`/`5xx` the signing layer
//!   puts the [`RequestSpan`] into the response's extensions (and the span
//!   stays open until the response is dropped); call
//!   [`RequestSpan::record_refusal`] when you parse the body.
//!
//! Without a body there is no code: a refusal is never guessed from the
//! status alone.
//!
//! # How long a span lasts
//!
//! From before signing until the response head has arrived (reqwest: until
//! `execute`/`send` returns), entered while the request is signed and sent.
//! A `4xx`/`5xx` response of the tower layer keeps its span in its extensions,
//! so that span closes when the response is dropped.
//!
//! # What is never recorded
//!
//! No header value except the `content-type` test above, no query string, no
//! credentials, signature, session token or `authorization` header.
//!
//! # Cost
//!
//! With no subscriber interested in target `lattice` at level `INFO`, a span
//! costs one cached callsite check; no field is formatted and nothing is
//! allocated.

use http::{HeaderMap, Method, StatusCode};
use tracing::field::Empty;
use tracing::{Level, Span};

use crate::refusal::Refusal;
use crate::sign::SigningReport;

/// The `tracing` target of request spans.
pub const TARGET: &str = "lattice";

/// Field names of the request span (see the [module docs](self)).
pub mod field {
    /// OpenTelemetry `http.request.method`.
    pub const HTTP_REQUEST_METHOD: &str = "http.request.method";
    /// OpenTelemetry `http.request.method_original`.
    pub const HTTP_REQUEST_METHOD_ORIGINAL: &str = "http.request.method_original";
    /// OpenTelemetry `http.response.status_code`.
    pub const HTTP_RESPONSE_STATUS_CODE: &str = "http.response.status_code";
    /// OpenTelemetry `server.address`.
    pub const SERVER_ADDRESS: &str = "server.address";
    /// OpenTelemetry `server.port`.
    pub const SERVER_PORT: &str = "server.port";
    /// OpenTelemetry `url.path`.
    pub const URL_PATH: &str = "url.path";
    /// OpenTelemetry `rpc.system`.
    pub const RPC_SYSTEM: &str = "rpc.system";
    /// OpenTelemetry `rpc.service`.
    pub const RPC_SERVICE: &str = "rpc.service";
    /// OpenTelemetry `rpc.method`.
    pub const RPC_METHOD: &str = "rpc.method";
    /// OpenTelemetry `rpc.grpc.status_code`.
    pub const RPC_GRPC_STATUS_CODE: &str = "rpc.grpc.status_code";
    /// OpenTelemetry `error.type`.
    pub const ERROR_TYPE: &str = "error.type";
    /// The signing region (or SigV4A region set), as the AWS SDKs name it.
    pub const AWS_REGION: &str = "aws.region";
    /// The signing algorithm.
    pub const SIGNING_ALGORITHM: &str = "lattice.signing.algorithm";
    /// Where the signing region came from.
    pub const SIGNING_REGION_SOURCE: &str = "lattice.signing.region_source";
    /// The code of Lattice's own refusal.
    pub const REFUSAL_CODE: &str = "lattice.refusal.code";
    /// The exported span name (`tracing-opentelemetry`).
    pub const OTEL_NAME: &str = "otel.name";
    /// The span kind (`tracing-opentelemetry`).
    pub const OTEL_KIND: &str = "otel.kind";
}

/// Opens the span at a callsite named after the method (span names are
/// `'static` in `tracing`).
macro_rules! request_span {
    ($name:literal) => {
        tracing::span!(
            target: "lattice",
            Level::INFO,
            $name,
            otel.name = Empty,
            otel.kind = "client",
            http.request.method = Empty,
            http.request.method_original = Empty,
            url.path = Empty,
            server.address = Empty,
            server.port = Empty,
            rpc.system = Empty,
            rpc.service = Empty,
            rpc.method = Empty,
            aws.region = Empty,
            lattice.signing.algorithm = Empty,
            lattice.signing.region_source = Empty,
            http.response.status_code = Empty,
            rpc.grpc.status_code = Empty,
            "error.type" = Empty,
            lattice.refusal.code = Empty,
        )
    };
}

/// The span of one signed request (see the [module docs](self)).
///
/// Every `record_*` method returns at once when no subscriber is interested.
#[derive(Clone, Debug)]
pub struct RequestSpan {
    span: Span,
}

impl RequestSpan {
    /// Opens the span of a request: method, path, and for a gRPC request
    /// (`content-type: application/grpc…`) the RPC fields. `headers` is read
    /// for the content type only.
    pub fn start(method: &Method, path: &str, headers: &HeaderMap) -> Self {
        let span = match *method {
            Method::GET => request_span!("GET"),
            Method::POST => request_span!("POST"),
            Method::PUT => request_span!("PUT"),
            Method::DELETE => request_span!("DELETE"),
            Method::HEAD => request_span!("HEAD"),
            Method::PATCH => request_span!("PATCH"),
            Method::OPTIONS => request_span!("OPTIONS"),
            Method::CONNECT => request_span!("CONNECT"),
            Method::TRACE => request_span!("TRACE"),
            _ => request_span!("HTTP"),
        };
        if span.is_disabled() {
            return Self { span };
        }
        if is_known(method) {
            span.record(field::HTTP_REQUEST_METHOD, method.as_str());
        } else {
            span.record(field::HTTP_REQUEST_METHOD, "_OTHER");
            span.record(field::HTTP_REQUEST_METHOD_ORIGINAL, method.as_str());
        }
        span.record(field::URL_PATH, path);
        if is_grpc_request(headers) {
            span.record(field::RPC_SYSTEM, "grpc");
            if let Some((service, method)) = grpc_path(path) {
                span.record(field::RPC_SERVICE, service);
                span.record(field::RPC_METHOD, method);
                span.record(
                    field::OTEL_NAME,
                    tracing::field::display(format_args!("{service}/{method}")),
                );
            }
        }
        Self { span }
    }

    /// A span that records nothing.
    pub fn none() -> Self {
        Self { span: Span::none() }
    }

    /// The `tracing` span, to enter or to instrument a future with.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Whether no subscriber is interested (every `record_*` is then a no-op).
    pub fn is_disabled(&self) -> bool {
        self.span.is_disabled()
    }

    /// Records `server.address` and `server.port` of the signed request;
    /// `port` `None` means the scheme's default (443 for `https`, 80 for
    /// `http`).
    pub fn record_server(&self, host: &str, port: Option<u16>, https: bool) {
        if self.span.is_disabled() {
            return;
        }
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        self.span.record(field::SERVER_ADDRESS, host);
        let port = port.unwrap_or(if https { 443 } else { 80 });
        self.span.record(field::SERVER_PORT, u64::from(port));
    }

    /// Records the region, region source and algorithm of a signature.
    pub fn record_signing(&self, report: &SigningReport) {
        if self.span.is_disabled() {
            return;
        }
        self.span.record(field::AWS_REGION, report.region.as_str());
        self.span
            .record(field::SIGNING_ALGORITHM, report.algorithm.as_str());
        self.span.record(
            field::SIGNING_REGION_SOURCE,
            tracing::field::display(report.region_source),
        );
    }

    /// Records the response head: status code, `grpc-status` when the head
    /// carries it, and `error.type` for a `4xx`/`5xx`.
    pub fn record_response(&self, status: StatusCode, headers: &HeaderMap) {
        if self.span.is_disabled() {
            return;
        }
        self.span
            .record(field::HTTP_RESPONSE_STATUS_CODE, u64::from(status.as_u16()));
        if let Some(code) = headers
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            self.span.record(field::RPC_GRPC_STATUS_CODE, code);
        }
        if status.is_client_error() || status.is_server_error() {
            self.span.record(field::ERROR_TYPE, status.as_str());
        }
    }

    /// Records `lattice.refusal.code`.
    pub fn record_refusal(&self, refusal: &Refusal) {
        if self.span.is_disabled() {
            return;
        }
        self.span.record(field::REFUSAL_CODE, refusal.code());
    }

    /// Records `error.type` for a request that got no response: a short,
    /// fixed word such as `signing`, `timeout`, `connect` or `_OTHER`.
    pub fn record_error(&self, kind: &'static str) {
        if self.span.is_disabled() {
            return;
        }
        self.span.record(field::ERROR_TYPE, kind);
    }

    /// The span a signing layer put into a response's extensions (for a
    /// `4xx`/`5xx` while the span is enabled), to record a refusal into.
    pub fn from_extensions(extensions: &http::Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }

    /// Whether a response with `status` may be one of Lattice's refusals, so
    /// that its span should outlive the response head.
    pub fn may_be_refusal(&self, status: StatusCode) -> bool {
        !self.span.is_disabled() && (status.is_client_error() || status.is_server_error())
    }
}

/// The methods OpenTelemetry knows (RFC 9110 and PATCH).
fn is_known(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET
            | Method::POST
            | Method::PUT
            | Method::DELETE
            | Method::HEAD
            | Method::PATCH
            | Method::OPTIONS
            | Method::CONNECT
            | Method::TRACE
    )
}

/// Whether the request's content type is gRPC (`application/grpc`,
/// `application/grpc+proto`, …).
pub fn is_grpc_request(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
}

/// Splits a gRPC path `/package.Service/Method` into service and method;
/// `None` for any other shape.
pub fn grpc_path(path: &str) -> Option<(&str, &str)> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    (!service.is_empty() && !method.is_empty() && !method.contains('/'))
        .then_some((service, method))
}

#[cfg(test)]
mod tests;
