//! Counters named like Lattice's CloudWatch metrics, per service and per
//! target group.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use serde::Serialize;

/// How many request times a counter keeps for its distribution (the oldest
/// are not replaced; the count and sum stay exact).
const MAX_SAMPLES: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    total: AtomicU64,
    target_2xx: AtomicU64,
    target_3xx: AtomicU64,
    target_4xx: AtomicU64,
    target_5xx: AtomicU64,
    code_2xx: AtomicU64,
    code_3xx: AtomicU64,
    code_4xx: AtomicU64,
    code_5xx: AtomicU64,
    active_connections: AtomicI64,
    new_connections: AtomicU64,
    times: Mutex<Times>,
}

#[derive(Debug, Default)]
struct Times {
    count: u64,
    sum: u64,
    samples: Vec<u64>,
}

impl Counters {
    pub(crate) fn request(&self, status: u16, from_target: bool, millis: u64) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let (all, target) = match status / 100 {
            2 => (&self.code_2xx, &self.target_2xx),
            3 => (&self.code_3xx, &self.target_3xx),
            4 => (&self.code_4xx, &self.target_4xx),
            _ => (&self.code_5xx, &self.target_5xx),
        };
        if (200..600).contains(&status) {
            all.fetch_add(1, Ordering::Relaxed);
            if from_target {
                target.fetch_add(1, Ordering::Relaxed);
            }
        }
        let mut times = self.times.lock().unwrap_or_else(|e| e.into_inner());
        times.count += 1;
        times.sum = times.sum.saturating_add(millis);
        if times.samples.len() < MAX_SAMPLES {
            times.samples.push(millis);
        }
    }

    /// Zeroes every counter but the open connections.
    fn reset(&self) {
        for counter in [
            &self.total,
            &self.target_2xx,
            &self.target_3xx,
            &self.target_4xx,
            &self.target_5xx,
            &self.code_2xx,
            &self.code_3xx,
            &self.code_4xx,
            &self.code_5xx,
            &self.new_connections,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
        *self.times.lock().unwrap_or_else(|e| e.into_inner()) = Times::default();
    }

    pub(crate) fn connection_opened(&self) {
        self.new_connections.fetch_add(1, Ordering::Relaxed);
        self.active_connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_closed(&self) {
        self.active_connections.fetch_sub(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> MetricValues {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let times = self.times.lock().unwrap_or_else(|e| e.into_inner());
        let mut sorted = times.samples.clone();
        sorted.sort_unstable();
        let pct = |p: usize| -> u64 {
            if sorted.is_empty() {
                return 0;
            }
            let i = (sorted.len() - 1) * p / 100;
            sorted.get(i).copied().unwrap_or(0)
        };
        MetricValues {
            total_request_count: load(&self.total),
            http_code_target_2xx: load(&self.target_2xx),
            http_code_target_3xx: load(&self.target_3xx),
            http_code_target_4xx: load(&self.target_4xx),
            http_code_target_5xx: load(&self.target_5xx),
            http_code_2xx: load(&self.code_2xx),
            http_code_3xx: load(&self.code_3xx),
            http_code_4xx: load(&self.code_4xx),
            http_code_5xx: load(&self.code_5xx),
            request_time: RequestTime {
                sample_count: times.count,
                sum: times.sum,
                minimum: sorted.first().copied().unwrap_or(0),
                maximum: sorted.last().copied().unwrap_or(0),
                p50: pct(50),
                p90: pct(90),
                p99: pct(99),
            },
            active_connection_count: self.active_connections.load(Ordering::Relaxed).max(0) as u64,
            new_connection_count: load(&self.new_connections),
        }
    }
}

/// The metrics of one service or target group.
///
/// Serialized with CloudWatch's metric names. `HTTPCode_Target_*` count
/// responses that came from a target; `HTTPCode_*` count every response,
/// the fake's own (403, 404, 5xx) included. Connection counts are kept per
/// service (the listener's service); they are 0 for target groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MetricValues {
    /// `TotalRequestCount`.
    #[serde(rename = "TotalRequestCount")]
    pub total_request_count: u64,
    /// `HTTPCode_Target_2XX_Count`.
    #[serde(rename = "HTTPCode_Target_2XX_Count")]
    pub http_code_target_2xx: u64,
    /// `HTTPCode_Target_3XX_Count`.
    #[serde(rename = "HTTPCode_Target_3XX_Count")]
    pub http_code_target_3xx: u64,
    /// `HTTPCode_Target_4XX_Count`.
    #[serde(rename = "HTTPCode_Target_4XX_Count")]
    pub http_code_target_4xx: u64,
    /// `HTTPCode_Target_5XX_Count`.
    #[serde(rename = "HTTPCode_Target_5XX_Count")]
    pub http_code_target_5xx: u64,
    /// `HTTPCode_2XX_Count`.
    #[serde(rename = "HTTPCode_2XX_Count")]
    pub http_code_2xx: u64,
    /// `HTTPCode_3XX_Count`.
    #[serde(rename = "HTTPCode_3XX_Count")]
    pub http_code_3xx: u64,
    /// `HTTPCode_4XX_Count`.
    #[serde(rename = "HTTPCode_4XX_Count")]
    pub http_code_4xx: u64,
    /// `HTTPCode_5XX_Count`.
    #[serde(rename = "HTTPCode_5XX_Count")]
    pub http_code_5xx: u64,
    /// `RequestTime` (milliseconds).
    #[serde(rename = "RequestTime")]
    pub request_time: RequestTime,
    /// `ActiveConnectionCount`.
    #[serde(rename = "ActiveConnectionCount")]
    pub active_connection_count: u64,
    /// `NewConnectionCount`.
    #[serde(rename = "NewConnectionCount")]
    pub new_connection_count: u64,
}

/// The `RequestTime` distribution, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RequestTime {
    /// Requests measured.
    pub sample_count: u64,
    /// Sum of their times.
    pub sum: u64,
    /// Shortest.
    pub minimum: u64,
    /// Longest.
    pub maximum: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
}

/// The fake's metrics at one moment, by service name and target-group name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Per service.
    pub services: BTreeMap<String, MetricValues>,
    /// Per target group.
    pub target_groups: BTreeMap<String, MetricValues>,
}

/// All counters, indexed like the compiled model.
#[derive(Debug)]
pub(crate) struct Metrics {
    pub(crate) services: Vec<(String, Counters)>,
    pub(crate) target_groups: Vec<(String, Counters)>,
}

impl Metrics {
    pub(crate) fn new(services: Vec<String>, target_groups: Vec<String>) -> Self {
        Metrics {
            services: services
                .into_iter()
                .map(|n| (n, Counters::default()))
                .collect(),
            target_groups: target_groups
                .into_iter()
                .map(|n| (n, Counters::default()))
                .collect(),
        }
    }

    pub(crate) fn service(&self, index: usize) -> Option<&Counters> {
        self.services.get(index).map(|(_, c)| c)
    }

    pub(crate) fn target_group(&self, index: usize) -> Option<&Counters> {
        self.target_groups.get(index).map(|(_, c)| c)
    }

    /// Zeroes the counters (open connections stay counted).
    pub(crate) fn reset(&self) {
        for (_, c) in self.services.iter().chain(&self.target_groups) {
            c.reset();
        }
    }

    pub(crate) fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            services: self
                .services
                .iter()
                .map(|(n, c)| (n.clone(), c.snapshot()))
                .collect(),
            target_groups: self
                .target_groups
                .iter()
                .map(|(n, c)| (n.clone(), c.snapshot()))
                .collect(),
        }
    }
}

/// Labels of one series: `service` or `target_group`, and for
/// `RequestTime` the `statistic`.
type Labels = Vec<(&'static str, String)>;

/// One counter: its CloudWatch name, its help text, and its value.
type CounterSpec = (&'static str, &'static str, fn(&MetricValues) -> u64);

/// The counters of [`MetricValues`], by CloudWatch name.
const COUNTERS: [CounterSpec; 10] = [
    ("TotalRequestCount", "Requests", |v| v.total_request_count),
    (
        "HTTPCode_Target_2XX_Count",
        "2xx responses from a target",
        |v| v.http_code_target_2xx,
    ),
    (
        "HTTPCode_Target_3XX_Count",
        "3xx responses from a target",
        |v| v.http_code_target_3xx,
    ),
    (
        "HTTPCode_Target_4XX_Count",
        "4xx responses from a target",
        |v| v.http_code_target_4xx,
    ),
    (
        "HTTPCode_Target_5XX_Count",
        "5xx responses from a target",
        |v| v.http_code_target_5xx,
    ),
    (
        "HTTPCode_2XX_Count",
        "2xx responses, the fake's own included",
        |v| v.http_code_2xx,
    ),
    (
        "HTTPCode_3XX_Count",
        "3xx responses, the fake's own included",
        |v| v.http_code_3xx,
    ),
    (
        "HTTPCode_4XX_Count",
        "4xx responses, the fake's own included",
        |v| v.http_code_4xx,
    ),
    (
        "HTTPCode_5XX_Count",
        "5xx responses, the fake's own included",
        |v| v.http_code_5xx,
    ),
    (
        "NewConnectionCount",
        "Connections opened to a listener of the service (services only)",
        |v| v.new_connection_count,
    ),
];

impl MetricsSnapshot {
    /// The metrics in the Prometheus text exposition format (0.0.4), as
    /// `GET /_fake/metrics` serves them.
    ///
    /// Every CloudWatch metric is a metric of the same name: the counts are
    /// counters (so the format adds `_total`: `TotalRequestCount_total`),
    /// `ActiveConnectionCount` a gauge, and `RequestTime` a gauge per
    /// `statistic` (`SampleCount`, `Sum`, `Minimum`, `Maximum`, `p50`, `p90`,
    /// `p99`; milliseconds). Each series is labelled `service="NAME"` or
    /// `target_group="NAME"`; connection counts are kept per service only.
    /// `POST /_fake/reset` zeroes the counters, which Prometheus reads as
    /// a counter reset.
    ///
    /// # Errors
    ///
    /// Not expected: writing to a `String` does not fail.
    pub fn to_prometheus_text(&self) -> Result<String, std::fmt::Error> {
        use prometheus_client::metrics::counter::Counter;
        use prometheus_client::metrics::family::Family;
        use prometheus_client::metrics::gauge::Gauge;

        let series = || {
            self.services
                .iter()
                .map(|(name, v)| (("service", name), v))
                .chain(
                    self.target_groups
                        .iter()
                        .map(|(name, v)| (("target_group", name), v)),
                )
        };
        let mut registry = prometheus_client::registry::Registry::default();
        for (name, help, value) in COUNTERS {
            let family = Family::<Labels, Counter>::default();
            for ((key, owner), v) in series() {
                if name == "NewConnectionCount" && key == "target_group" {
                    continue;
                }
                family
                    .get_or_create(&vec![(key, owner.clone())])
                    .inc_by(value(v));
            }
            registry.register(name, help, family);
        }
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let active = Family::<Labels, Gauge>::default();
        for (name, v) in &self.services {
            active
                .get_or_create(&vec![("service", name.clone())])
                .set(gauge(v.active_connection_count));
        }
        registry.register(
            "ActiveConnectionCount",
            "Connections open now to a listener of the service",
            active,
        );
        let times = Family::<Labels, Gauge>::default();
        for ((key, owner), v) in series() {
            let t = &v.request_time;
            for (statistic, n) in [
                ("SampleCount", t.sample_count),
                ("Sum", t.sum),
                ("Minimum", t.minimum),
                ("Maximum", t.maximum),
                ("p50", t.p50),
                ("p90", t.p90),
                ("p99", t.p99),
            ] {
                times
                    .get_or_create(&vec![
                        (key, owner.clone()),
                        ("statistic", statistic.to_owned()),
                    ])
                    .set(gauge(n));
            }
        }
        registry.register(
            "RequestTime",
            "Request time in milliseconds, by statistic",
            times,
        );
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)?;
        Ok(text)
    }
}

/// `GET /_fake/metrics`: [`MetricsSnapshot::to_prometheus_text`].
pub(crate) fn serve_prometheus(metrics: &Metrics) -> http::Response<crate::model::FakeBody> {
    let (status, content_type, body) = match metrics.snapshot().to_prometheus_text() {
        Ok(text) => (
            http::StatusCode::OK,
            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            text,
        ),
        Err(e) => (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            format!("cannot render the metrics: {e}\n"),
        ),
    };
    let mut response = http::Response::new(crate::model::full_body(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    response
}
