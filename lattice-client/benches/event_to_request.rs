//! A 1 KiB V2 event to `http::Request`, against `aws_lambda_events`'
//! `VpcLatticeRequestV2` deserialisation, measured in the same run; the
//! ratio is printed at the end.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lambda_events::event::vpc_lattice::VpcLatticeRequestV2;
use criterion::Criterion;
use lattice_client::lambda::{LatticeEvent, V2Event};

const SN: &str = "arn:aws:vpc-lattice:us-east-2:123456789012:servicenetwork/sn-0bf3f2882e9cc805a";
const SVC: &str = "arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c";
const TG: &str = "arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-06d0ecf831eec9f09";

/// A realistic V2 event padded to 1 KiB.
fn event_1kib() -> Vec<u8> {
    let mut pad = String::new();
    loop {
        let json = serde_json::json!({
            "version": "2.0",
            "path": "/orders/42?expand=items&expand=customer",
            "method": "POST",
            "headers": {
                "host": ["orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws"],
                "content-type": ["application/json"],
                "user-agent": ["curl/8.5.0"],
                "accept": ["*/*"],
                "x-forwarded-for": ["10.0.2.100"],
                "multi": ["x", "y"],
                "x-pad": [pad],
            },
            "queryStringParameters": {"expand": ["items", "customer"]},
            "body": "{\"qty\": 2, \"sku\": \"ABC-123\"}",
            "isBase64Encoded": false,
            "requestContext": {
                "serviceNetworkArn": SN, "serviceArn": SVC, "targetGroupArn": TG,
                "identity": {
                    "sourceVpcArn": "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339",
                    "type": "AWS_IAM",
                    "principal": "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7",
                    "principalOrgID": "o-50dc6c495c0c9188",
                    "sessionName": "i-0c7de02a688bde9f7"
                },
                "region": "us-east-2",
                "timeEpoch": "1724875399456789"
            }
        });
        let bytes = serde_json::to_vec(&json).unwrap();
        if bytes.len() >= 1024 {
            return bytes;
        }
        pad.push('p');
    }
}

fn ours(bytes: &[u8]) -> http::Request<lattice_client::lambda::Body> {
    LatticeEvent::from_slice(bytes)
        .unwrap()
        .into_http_request()
        .unwrap()
}

fn ours_parse_only(bytes: &[u8]) -> V2Event {
    V2Event::from_slice(bytes).unwrap()
}

fn theirs(bytes: &[u8]) -> VpcLatticeRequestV2 {
    serde_json::from_slice(bytes).unwrap()
}

/// Best-of-rounds time per call, measured here so the ratio comes from one run.
fn per_call<T>(f: impl Fn() -> T, iters: u32, rounds: u32) -> Duration {
    for _ in 0..iters / 10 {
        black_box(f());
    }
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            start.elapsed() / iters
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let bytes = event_1kib();
    // Both must accept the event, or the comparison means nothing.
    let _ = theirs(&bytes);
    let _ = ours(&bytes);

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group(format!("v2_event_{}B", bytes.len()));
    group.bench_function("lattice: from_slice + into_http_request", |b| {
        b.iter(|| ours(black_box(&bytes)))
    });
    group.bench_function("lattice: V2Event::from_slice", |b| {
        b.iter(|| ours_parse_only(black_box(&bytes)))
    });
    group.bench_function("aws_lambda_events: VpcLatticeRequestV2", |b| {
        b.iter(|| theirs(black_box(&bytes)))
    });
    group.finish();
    c.final_summary();

    // `cargo test --benches` runs without `--bench`: keep that quick.
    let benching = std::env::args().any(|a| a == "--bench");
    let (iters, rounds) = if benching { (20_000, 7) } else { (50, 1) };
    let a = per_call(|| ours(&bytes), iters, rounds);
    let p = per_call(|| ours_parse_only(&bytes), iters, rounds);
    let b = per_call(|| theirs(&bytes), iters, rounds);
    println!(
        "event {} bytes: lattice event→http::Request {:?}, lattice parse only {:?}, aws_lambda_events parse {:?}; \
         ratio lattice(full)/aws_lambda_events = {:.2}, lattice(parse)/aws_lambda_events = {:.2}",
        bytes.len(),
        a,
        p,
        b,
        a.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE),
        p.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE),
    );
}
