//! VPC Lattice service access-log records (Lattice's documented field table), their JSON-lines
//! rendering and a bounded in-memory sink a test can read.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use lattice_fake::access_log::{AccessLogRecord, AccessLogSink, AuthDeniedReason, ResolvedUser};
//!
//! let request = http::Request::post("https://orders.example.internal/orders?x=1")
//!     .header("user-agent", "curl/8.5.0")
//!     .header("x-amzn-requestid", "req-1")
//!     .body(())?;
//! let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645);
//! let mut record = AccessLogRecord::from_request(&request, start);
//! record.resolved_user = Some(ResolvedUser::Anonymous);
//! record.access_denied(AuthDeniedReason::Service);
//!
//! let sink = AccessLogSink::new(100);
//! sink.push(record);
//! let line = sink.to_json_lines();
//! let json: serde_json::Value = serde_json::from_str(line.trim_end())?;
//! assert_eq!(json["hostHeader"], "orders.example.internal");
//! assert_eq!(json["requestPath"], "/orders");
//! assert_eq!(json["startTime"], "2024-01-02T03:04:05Z");
//! assert_eq!(json["responseCode"], 403);
//! assert_eq!(json["authDeniedReason"], "Service");
//! assert_eq!(json["failureReason"], "ClientAccessDenied");
//! assert_eq!(json["resolvedUser"], "Anonymous");
//! assert_eq!(json["targetIpPort"], "-");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Format
//!
//! Every field of the documented table is always present, with the
//! documented name. Absent or empty strings are written as `"-"`, as real
//! records do (real records use the string `-` for empty
//! values"); numbers are JSON integers. Documented choices:
//!
//! * `grpcResponseCode` is an integer for gRPC requests and `"-"` otherwise.
//! * `requestToTargetDuration` and `responseFromTargetDuration` are 0 when
//!   the target was never reached (OBSERVED for the first).
//! * `requestPath` is the URI path without the query string.
//! * `protocol` is `HTTP/1.1` or `HTTP/2` (`HTTP/1.0` and `HTTP/3` are written
//!   as such, though Lattice documents only the first two).
//! * `listenerType`, `listenerId` and `callerPrincipalOrgID` are not in the
//!   documented table but appear in real records (OBSERVED); they are kept.
//! * Reading records back ([`AccessLogRecord::from_json`]) treats `"-"`,
//!   `""`, `null` and the documentation example's string `"null"` as absent.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The value real records write for an absent or empty field.
pub const EMPTY: &str = "-";

/// Who the caller was, as `resolvedUser` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolvedUser {
    /// An authenticated caller's ARN.
    Arn(String),
    /// An unsigned request: `Anonymous`.
    Anonymous,
    /// A caller Lattice could not resolve: `Unknown`.
    Unknown,
}

impl fmt::Display for ResolvedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResolvedUser::Arn(arn) => arn,
            ResolvedUser::Anonymous => "Anonymous",
            ResolvedUser::Unknown => "Unknown",
        })
    }
}

impl FromStr for ResolvedUser {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "Anonymous" => ResolvedUser::Anonymous,
            "Unknown" => ResolvedUser::Unknown,
            arn => ResolvedUser::Arn(arn.to_owned()),
        })
    }
}

/// Which auth layer denied the request: `authDeniedReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthDeniedReason {
    /// The service's auth policy.
    Service,
    /// The service network's auth policy.
    Network,
    /// The caller's identity-based policies.
    Identity,
}

impl AuthDeniedReason {
    /// The value as written in a record.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthDeniedReason::Service => "Service",
            AuthDeniedReason::Network => "Network",
            AuthDeniedReason::Identity => "Identity",
        }
    }
}

/// A value the record cannot hold (when reading records back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {what}")]
pub struct UnknownValue {
    what: &'static str,
    value: String,
}

impl fmt::Display for AuthDeniedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthDeniedReason {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Service" => Ok(AuthDeniedReason::Service),
            "Network" => Ok(AuthDeniedReason::Network),
            "Identity" => Ok(AuthDeniedReason::Identity),
            _ => Err(UnknownValue {
                what: "authDeniedReason",
                value: s.to_owned(),
            }),
        }
    }
}

macro_rules! failure_reasons {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// Why a request failed: `failureReason` (the documented values).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FailureReason {
            $($(#[$doc])* $name,)*
        }

        impl FailureReason {
            /// Every documented value.
            pub const ALL: &'static [FailureReason] = &[$(FailureReason::$name),*];

            /// The value as written in a record.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(FailureReason::$name => stringify!($name),)*
                }
            }
        }

        impl FromStr for FailureReason {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($name) => Ok(FailureReason::$name),)*
                    _ => Err(UnknownValue { what: "failureReason", value: s.to_owned() }),
                }
            }
        }
    };
}

failure_reasons! {
    /// Lattice could not connect to the target.
    TargetConnectionError,
    /// The target broke the protocol.
    TargetProtocolError,
    /// The target did not send data in time.
    TargetDataTimeout,
    /// The target closed the connection.
    TargetConnectionClosed,
    /// The client closed the connection.
    ClientConnectionClosed,
    /// The client was rate limited.
    ClientRateLimited,
    /// Authentication or authorization denied the request.
    ClientAccessDenied,
    /// The client broke the protocol (malformed request, headers too large).
    ClientProtocolError,
    /// The connection outlived its maximum lifetime.
    ConnectionDurationExceeded,
    /// Lattice itself failed.
    InternalError,
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One service access-log record (HTTP, HTTPS or gRPC), with the field names
/// of the VPC Lattice documentation.
///
/// `None` and empty strings are written as `"-"`. Build one with
/// [`AccessLogRecord::from_request`] (or [`AccessLogRecord::new`]) and set
/// the rest of the fields as the request proceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessLogRecord {
    /// The fake's sequence number: 1 for the first record a sink kept, in
    /// arrival order (not a Lattice field; absent until a sink numbers it,
    /// and then written first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Principal tags of the caller, as a JSON string.
    #[serde(with = "dash")]
    pub caller_principal_tags: Option<String>,
    /// The request's authority (`Host` or `:authority`).
    #[serde(with = "dash")]
    pub host_header: Option<String>,
    /// OpenSSL cipher name of the client's TLS connection.
    #[serde(with = "dash")]
    pub ssl_cipher: Option<String>,
    /// The service network's ARN.
    #[serde(with = "dash")]
    pub service_network_arn: Option<String>,
    /// The caller: an ARN, `Anonymous` or `Unknown`.
    #[serde(with = "dash")]
    pub resolved_user: Option<ResolvedUser>,
    /// Which auth layer denied the request.
    #[serde(with = "dash")]
    pub auth_denied_reason: Option<AuthDeniedReason>,
    /// The request method.
    #[serde(with = "dash")]
    pub request_method: Option<String>,
    /// The target group used.
    #[serde(with = "dash")]
    pub target_group_arn: Option<String>,
    /// `TLSv1.2` or `TLSv1.3` on HTTPS listeners.
    #[serde(with = "dash")]
    pub tls_version: Option<String>,
    /// The `user-agent` header.
    #[serde(with = "dash")]
    pub user_agent: Option<String>,
    /// The SNI the client sent (HTTPS only).
    #[serde(with = "dash")]
    pub server_name_indication: Option<String>,
    /// The target's VPC (`vpc-…`).
    #[serde(with = "dash")]
    pub destination_vpc_id: Option<String>,
    /// The client's `ip:port`.
    #[serde(with = "dash")]
    pub source_ip_port: Option<String>,
    /// The target's `ip:port`; `-` when no target was reached.
    #[serde(with = "dash")]
    pub target_ip_port: Option<String>,
    /// The service's ARN.
    #[serde(with = "dash")]
    pub service_arn: Option<String>,
    /// The client's VPC (`vpc-…`).
    #[serde(with = "dash")]
    pub source_vpc_id: Option<String>,
    /// The request path (without query string).
    #[serde(with = "dash")]
    pub request_path: Option<String>,
    /// When the request started, written `YYYY-MM-DDTHH:MM:SSZ`.
    #[serde(with = "start_time")]
    pub start_time: SystemTime,
    /// `HTTP/1.1` or `HTTP/2`.
    #[serde(with = "dash")]
    pub protocol: Option<String>,
    /// The final HTTP status.
    pub response_code: u16,
    /// Header and body bytes received from the client.
    pub bytes_received: u64,
    /// Header and body bytes sent to the client.
    pub bytes_sent: u64,
    /// Milliseconds from the start to the last byte out.
    pub duration: u64,
    /// Milliseconds from the start to the last byte sent to the target (0 if none).
    pub request_to_target_duration: u64,
    /// Milliseconds from the first byte read from the target to the last byte
    /// to the client (0 if none).
    pub response_from_target_duration: u64,
    /// The gRPC status, for gRPC requests.
    #[serde(with = "dash_number")]
    pub grpc_response_code: Option<i32>,
    /// The `x-amzn-requestid` value.
    #[serde(with = "dash")]
    pub request_id: Option<String>,
    /// The authenticated principal.
    #[serde(with = "dash")]
    pub caller_principal: Option<String>,
    /// IAM Roles Anywhere certificate: subject CN.
    #[serde(rename = "callerX509SubjectCN", with = "dash")]
    pub caller_x509_subject_cn: Option<String>,
    /// IAM Roles Anywhere certificate: issuer OU.
    #[serde(rename = "callerX509IssuerOU", with = "dash")]
    pub caller_x509_issuer_ou: Option<String>,
    /// IAM Roles Anywhere certificate: SAN name CN.
    #[serde(rename = "callerX509SANNameCN", with = "dash")]
    pub caller_x509_san_name_cn: Option<String>,
    /// IAM Roles Anywhere certificate: SAN DNS.
    #[serde(rename = "callerX509SANDNS", with = "dash")]
    pub caller_x509_san_dns: Option<String>,
    /// IAM Roles Anywhere certificate: SAN URI.
    #[serde(rename = "callerX509SANURI", with = "dash")]
    pub caller_x509_san_uri: Option<String>,
    /// The client's VPC ARN.
    #[serde(with = "dash")]
    pub source_vpc_arn: Option<String>,
    /// Why the request failed.
    #[serde(with = "dash")]
    pub failure_reason: Option<FailureReason>,
    /// The listener's protocol (OBSERVED, not in the documented table).
    #[serde(with = "dash")]
    pub listener_type: Option<String>,
    /// The listener's id (OBSERVED, not in the documented table).
    #[serde(with = "dash")]
    pub listener_id: Option<String>,
    /// The caller's organization id (OBSERVED, not in the documented table).
    #[serde(rename = "callerPrincipalOrgID", with = "dash")]
    pub caller_principal_org_id: Option<String>,
    /// The fake's note for its service map, never written to the JSON line:
    /// the listener rule that routed the request (its name, `priority N`
    /// for an unnamed rule, `default` for the listener's default action).
    #[serde(skip)]
    pub matched_rule: Option<String>,
    /// The fake's note for its service map, never written to the JSON line:
    /// the first line of the fake's own answer to a refused or failed
    /// request (Lattice's `AccessDeniedException …` line, for example).
    #[serde(skip)]
    pub refusal_line: Option<String>,
}

impl AccessLogRecord {
    /// A record for a request that started at `start_time`, every other
    /// field empty (`-`) or 0.
    pub fn new(start_time: SystemTime) -> Self {
        AccessLogRecord {
            seq: None,
            caller_principal_tags: None,
            host_header: None,
            ssl_cipher: None,
            service_network_arn: None,
            resolved_user: None,
            auth_denied_reason: None,
            request_method: None,
            target_group_arn: None,
            tls_version: None,
            user_agent: None,
            server_name_indication: None,
            destination_vpc_id: None,
            source_ip_port: None,
            target_ip_port: None,
            service_arn: None,
            source_vpc_id: None,
            request_path: None,
            start_time,
            protocol: None,
            response_code: 0,
            bytes_received: 0,
            bytes_sent: 0,
            duration: 0,
            request_to_target_duration: 0,
            response_from_target_duration: 0,
            grpc_response_code: None,
            request_id: None,
            caller_principal: None,
            caller_x509_subject_cn: None,
            caller_x509_issuer_ou: None,
            caller_x509_san_name_cn: None,
            caller_x509_san_dns: None,
            caller_x509_san_uri: None,
            source_vpc_arn: None,
            failure_reason: None,
            listener_type: None,
            listener_id: None,
            caller_principal_org_id: None,
            matched_rule: None,
            refusal_line: None,
        }
    }

    /// A record with what the request itself says: `hostHeader` (the `host`
    /// header, else the URI authority), `requestMethod`, `requestPath` (no
    /// query), `userAgent`, `protocol` and `requestId` (`x-amzn-requestid`).
    /// Header values that are not UTF-8 are recorded lossily.
    pub fn from_request<B>(request: &http::Request<B>, start_time: SystemTime) -> Self {
        let header = |name: http::header::HeaderName| {
            request
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let mut record = AccessLogRecord::new(start_time);
        record.host_header = header(http::header::HOST)
            .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
        record.request_method = Some(request.method().as_str().to_owned());
        record.request_path = Some(request.uri().path().to_owned());
        record.user_agent = header(http::header::USER_AGENT);
        record.protocol = Some(protocol_label(request.version()).to_owned());
        record.request_id = header(http::header::HeaderName::from_static("x-amzn-requestid"));
        record
    }

    /// Marks the record as denied by `layer`, as Lattice writes a denial:
    /// `responseCode` 403, `authDeniedReason`, `failureReason`
    /// `ClientAccessDenied`, no target.
    pub fn access_denied(&mut self, layer: AuthDeniedReason) -> &mut Self {
        self.response_code = 403;
        self.auth_denied_reason = Some(layer);
        self.failure_reason = Some(FailureReason::ClientAccessDenied);
        self.target_ip_port = None;
        self.request_to_target_duration = 0;
        self.response_from_target_duration = 0;
        self
    }

    /// Sets `duration` from the time elapsed since `start_time` to `end`
    /// (0 when `end` is earlier).
    pub fn finish_at(&mut self, end: SystemTime) -> &mut Self {
        self.duration = millis(end.duration_since(self.start_time).unwrap_or_default());
        self
    }

    /// The record as one compact JSON object (no newline).
    pub fn to_json(&self) -> String {
        // Cannot fail: every field serializes to a string or a number.
        serde_json::to_string(self).expect("an access-log record always serializes")
    }

    /// Writes the record as one JSON line (the object and `\n`).
    ///
    /// # Errors
    ///
    /// The writer's errors.
    pub fn write_json_line<W: io::Write>(&self, mut writer: W) -> io::Result<()> {
        serde_json::to_writer(&mut writer, self).map_err(io::Error::other)?;
        writer.write_all(b"\n")
    }

    /// Reads a record back from one JSON line (as written by
    /// [`AccessLogRecord::write_json_line`] or by Lattice).
    ///
    /// # Errors
    ///
    /// When the line is not a record: missing fields, wrong types, values
    /// outside the documented sets.
    pub fn from_json(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line)
    }
}

fn protocol_label(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_2 => "HTTP/2",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A bounded, shared, in-memory list of records: the oldest are dropped
/// when it is full. Clones share the same list.
#[derive(Clone)]
pub struct AccessLogSink {
    inner: Arc<Mutex<SinkState>>,
}

#[derive(Debug)]
struct SinkState {
    records: VecDeque<AccessLogRecord>,
    capacity: usize,
    dropped: u64,
    /// The last `seq` given.
    seq: u64,
}

impl fmt::Debug for AccessLogSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("AccessLogSink")
            .field("len", &state.records.len())
            .field("capacity", &state.capacity)
            .field("dropped", &state.dropped)
            .finish()
    }
}

impl Default for AccessLogSink {
    fn default() -> Self {
        AccessLogSink::new(AccessLogSink::DEFAULT_CAPACITY)
    }
}

impl AccessLogSink {
    /// The capacity of [`AccessLogSink::default`].
    pub const DEFAULT_CAPACITY: usize = 10_000;

    /// A sink keeping at most `capacity` records (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        AccessLogSink {
            inner: Arc::new(Mutex::new(SinkState {
                records: VecDeque::with_capacity(capacity.min(1024)),
                capacity,
                dropped: 0,
                seq: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SinkState> {
        // A panic while holding the lock cannot leave the deque inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a record, numbering it (`seq`: one more than the previous
    /// record's, from 1), dropping the oldest one when full.
    pub fn push(&self, record: AccessLogRecord) {
        let _ = self.push_numbered(record);
    }

    /// [`push`](Self::push), returning the numbered record.
    pub(crate) fn push_numbered(&self, mut record: AccessLogRecord) -> AccessLogRecord {
        let mut state = self.lock();
        state.seq += 1;
        record.seq = Some(state.seq);
        if state.capacity == 0 {
            state.dropped += 1;
            return record;
        }
        if state.records.len() >= state.capacity {
            state.records.pop_front();
            state.dropped += 1;
        }
        state.records.push_back(record.clone());
        record
    }

    /// The records held whose `seq` is greater than `since`, oldest first
    /// (poll with the last `seq` seen).
    pub fn since(&self, since: u64) -> Vec<AccessLogRecord> {
        self.lock()
            .records
            .iter()
            .filter(|r| r.seq.is_some_and(|n| n > since))
            .cloned()
            .collect()
    }

    /// Removes every record held; numbering goes on from the last `seq`,
    /// so a poller's `since` stays valid.
    pub fn clear(&self) {
        self.lock().records.clear();
    }

    /// A copy of the records held, oldest first.
    pub fn records(&self) -> Vec<AccessLogRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// Removes and returns the records held, oldest first.
    pub fn take(&self) -> Vec<AccessLogRecord> {
        self.lock().records.drain(..).collect()
    }

    /// The most recent record.
    pub fn last(&self) -> Option<AccessLogRecord> {
        self.lock().records.back().cloned()
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.lock().records.is_empty()
    }

    /// How many records were dropped because the sink was full.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// The records held as JSON lines, oldest first.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for record in self.lock().records.iter() {
            out.push_str(&record.to_json());
            out.push('\n');
        }
        out
    }
}

/// `Option<T>` as its `Display` form, `"-"` for `None` and empty strings.
mod dash {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer, de};

    pub(super) fn serialize<T: Display, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => {
                let text = v.to_string();
                serializer.serialize_str(if text.is_empty() { super::EMPTY } else { &text })
            }
            None => serializer.serialize_str(super::EMPTY),
        }
    }

    pub(super) fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        let text = Option::<String>::deserialize(deserializer)?;
        match text.as_deref() {
            None | Some("") | Some(super::EMPTY) | Some("null") => Ok(None),
            Some(t) => t.parse().map(Some).map_err(de::Error::custom),
        }
    }
}

/// `Option<i32>` as a JSON integer, `"-"` for `None`.
mod dash_number {
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<i32>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(n) => serializer.serialize_i32(*n),
            None => serializer.serialize_str(super::EMPTY),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(i32),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<i32>, D::Error> {
        match Option::<NumberOrText>::deserialize(deserializer)? {
            Some(NumberOrText::Number(n)) => Ok(Some(n)),
            None => Ok(None),
            Some(NumberOrText::Text(t)) if t == super::EMPTY || t.is_empty() => Ok(None),
            Some(NumberOrText::Text(t)) => t.parse().map(Some).map_err(de::Error::custom),
        }
    }
}

/// `SystemTime` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds).
mod start_time {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use serde::{Deserialize, Deserializer, Serializer, de};

    pub(super) fn serialize<S: Serializer>(
        value: &SystemTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&super::format_time(*value))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_time(&text)
            .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
            .ok_or_else(|| de::Error::custom(format!("`{text}` is not YYYY-MM-DDTHH:MM:SSZ")))
    }
}

/// The records' time format, `YYYY-MM-DDTHH:MM:SSZ`.
const TIME_FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// `YYYY-MM-DDTHH:MM:SSZ` for `time` (times before 1970 are written as the
/// epoch, times after 9999 as the last second of 9999).
pub fn format_time(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let when = i64::try_from(secs)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .filter(|t| t.year() <= 9999)
        .unwrap_or(time::macros::datetime!(9999-12-31 23:59:59 UTC));
    when.format(TIME_FORMAT)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Seconds since the epoch of a `YYYY-MM-DDTHH:MM:SSZ` time at or after 1970.
fn parse_time(s: &str) -> Option<u64> {
    if s.len() != 20 || !s.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    let when = time::PrimitiveDateTime::parse(s, TIME_FORMAT).ok()?;
    u64::try_from(when.assume_utc().unix_timestamp()).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;
