//! Decisions per second for a realistic three-layer Lattice case, against a
//! one-layer `Principal: "*"` baseline measured in the same run.
//!
//! `cargo bench -p lattice-client --bench policy --features policy`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use lattice_client::policy::{
    AccessRequest, AuthConfig, AuthPolicy, AuthType, Caller, IdentityPolicy, RequestContext, keys,
};

const SVC: &str = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";

fn parse_auth(json: &str) -> AuthPolicy {
    match AuthPolicy::from_json(json) {
        Ok(p) => p,
        Err(e) => panic!("bench policy: {e}"),
    }
}

fn three_layers() -> (AuthConfig, AccessRequest) {
    let network = parse_auth(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"OrgOnly","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
         "Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-123456example","o-654321example"]},
                      "StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}},
        {"Sid":"NoOldClients","Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:*","Resource":"*",
         "Condition":{"StringLike":{"vpc-lattice-svcs:RequestHeader/user-agent":["legacy-client/*","curl/7.1*"]}}}]}"#,
    );
    let service = parse_auth(&format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Sid":"ReadOrders","Effect":"Allow",
          "Principal":{{"AWS":["arn:aws:iam::111122223333:role/orders-client","arn:aws:iam::444455556666:root"]}},
          "Action":"vpc-lattice-svcs:Invoke","Resource":"{SVC}/orders/*",
          "Condition":{{"StringEquals":{{"vpc-lattice-svcs:RequestMethod":["GET","HEAD"],
                                         "vpc-lattice-svcs:SourceVpc":"vpc-1a2b3c4d"}},
                        "IpAddress":{{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}}}}},
        {{"Sid":"WriteOrders","Effect":"Allow",
          "Principal":{{"AWS":"arn:aws:iam::111122223333:role/orders-writer"}},
          "Action":"vpc-lattice-svcs:Invoke","Resource":"{SVC}/orders/*",
          "Condition":{{"StringEquals":{{"vpc-lattice-svcs:RequestMethod":["POST","PUT"]}}}}}},
        {{"Sid":"NoAdmin","Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke",
          "Resource":"{SVC}/admin/*"}},
        {{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"*","Resource":"*",
          "Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
    ));
    let identity = match IdentityPolicy::from_json(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"S3","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::orders-bucket/*"},
        {"Sid":"Lattice","Effect":"Allow","Action":"vpc-lattice-svcs:Invoke",
         "Resource":"arn:aws:vpc-lattice:us-west-2:111122223333:service/*/*",
         "Condition":{"ForAllValues:StringEquals":{"vpc-lattice-svcs:RequestQueryString/view":["summary","full"]}}}]}"#,
    ) {
        Ok(p) => p,
        Err(e) => panic!("bench identity policy: {e}"),
    };
    let config = AuthConfig::new()
        .network(AuthType::aws_iam(network))
        .service(AuthType::aws_iam(service))
        .identity_policy(identity);
    let context = RequestContext::new()
        .with(keys::REQUEST_METHOD, "GET")
        .with(keys::REQUEST_PATH, "/orders/42")
        .with(keys::PORT, "443")
        .with(&keys::request_header("user-agent"), "orders-client/2.1")
        .with(&keys::request_header("content-type"), "application/json")
        .with_values(&keys::request_query_string("view"), ["summary"])
        .with(keys::SOURCE_VPC, "vpc-1a2b3c4d")
        .with(keys::SOURCE_VPC_OWNER_ACCOUNT, "111122223333")
        .with(keys::SERVICE_ARN, SVC)
        .with(
            keys::SERVICE_NETWORK_ARN,
            "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0",
        )
        .with(keys::PRINCIPAL_ORG_ID, "o-123456example")
        .with(keys::SOURCE_IP, "10.0.12.34")
        .with(keys::SECURE_TRANSPORT, "true");
    let request = AccessRequest::invoke(
        Caller::arn("arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc"),
        SVC,
        "/orders/42",
    )
    .with_context(context);
    assert!(
        config.evaluate(&request).is_allowed(),
        "the bench case must be allowed"
    );
    (config, request)
}

fn baseline() -> (AuthConfig, AccessRequest) {
    let open = parse_auth(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#,
    );
    let config = AuthConfig::new().service(AuthType::aws_iam(open));
    let request = AccessRequest::invoke(Caller::Anonymous, SVC, "/orders/42");
    assert!(config.evaluate(&request).is_allowed());
    (config, request)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(1));
    let (config, request) = three_layers();
    group.bench_function("three-layer allow", |b| {
        b.iter(|| black_box(&config).evaluate(black_box(&request)))
    });
    let mut denied = request.clone();
    denied.context_mut().insert(keys::REQUEST_METHOD, "DELETE");
    group.bench_function("three-layer implicit deny (403 line)", |b| {
        b.iter(|| black_box(&config).evaluate(black_box(&denied)))
    });
    let (base_config, base_request) = baseline();
    group.bench_function("baseline one-layer open", |b| {
        b.iter(|| black_box(&base_config).evaluate(black_box(&base_request)))
    });
    group.finish();
}

/// CPU time of this thread in seconds (Linux `/proc`, 10 ms ticks), so the
/// figure holds up on a loaded machine; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// Decisions per wall-clock second and, when available, per CPU second.
fn decisions_per_second(config: &AuthConfig, request: &AccessRequest) -> (f64, Option<f64>) {
    let mut n: u64 = 0;
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        for _ in 0..1000 {
            black_box(black_box(config).evaluate(black_box(request)));
        }
        n += 1000;
    }
    let wall = n as f64 / start.elapsed().as_secs_f64();
    let cpu = match (cpu_start, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => Some(n as f64 / (b - a)),
        _ => None,
    };
    (wall, cpu)
}

fn report(what: &str, three: f64, base: f64) {
    println!(
        "{what}: three-layer allow {:.2} M decisions/s ({:.0} ns each); \
         baseline one-layer open {:.2} M/s; cost ratio {:.1} x",
        three / 1e6,
        1e9 / three,
        base / 1e6,
        base / three
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    // Only when benchmarking (`cargo bench`), not under `cargo test --benches`.
    if std::env::args().any(|a| a == "--bench") {
        let (config, request) = three_layers();
        let (base_config, base_request) = baseline();
        let (three, three_cpu) = decisions_per_second(&config, &request);
        let (base, base_cpu) = decisions_per_second(&base_config, &base_request);
        report("per wall second", three, base);
        if let (Some(three), Some(base)) = (three_cpu, base_cpu) {
            report("per CPU second", three, base);
        }
    }
}
