//! Helpers shared by the integration tests: example credentials, an
//! `aws-sigv4` signer for test requests, and a small seeded PRNG.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
};
use aws_smithy_runtime_api::client::identity::Identity;

/// AWS's documented example access key id.
pub const AKID: &str = "AKIDEXAMPLE";
/// AWS's documented example secret key.
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// An example session token (the AWS test suite's).
pub const TOKEN: &str = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
/// A principal ARN for the example key.
pub const PRINCIPAL: &str = "arn:aws:sts::123456789012:assumed-role/example/session";
/// The test suite's signing time, 2015-08-30T12:36:00Z.
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_440_938_160)
}

/// How a test request is signed.
#[derive(Clone, Debug)]
pub struct SignSpec<'a> {
    pub time: SystemTime,
    pub region: &'a str,
    pub service: &'a str,
    pub token: Option<&'a str>,
    /// `Some(region set)` for SigV4A.
    pub region_set: Option<&'a str>,
    pub body: SignableBody<'a>,
    pub checksum: PayloadChecksumKind,
    pub encoding: PercentEncodingMode,
    pub secret: &'a str,
}

impl Default for SignSpec<'_> {
    fn default() -> Self {
        Self {
            time: t0(),
            region: "us-west-2",
            service: "vpc-lattice-svcs",
            token: None,
            region_set: None,
            body: SignableBody::UnsignedPayload,
            checksum: PayloadChecksumKind::XAmzSha256,
            encoding: PercentEncodingMode::Double,
            secret: SECRET,
        }
    }
}

/// Signs `req` in place with `aws-sigv4` and returns the signature it computed.
pub fn sign_request<B>(req: &mut http::Request<B>, spec: &SignSpec<'_>) -> String {
    let identity: Identity = Credentials::new(
        AKID,
        spec.secret,
        spec.token.map(str::to_owned),
        None,
        "test",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = spec.checksum;
    settings.percent_encoding_mode = spec.encoding;
    let params: aws_sigv4::http_request::SigningParams<'_> = match spec.region_set {
        None => aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(spec.region)
            .name(spec.service)
            .time(spec.time)
            .settings(settings)
            .build()
            .unwrap()
            .into(),
        Some(set) => aws_sigv4::sign::v4a::SigningParams::builder()
            .identity(&identity)
            .region_set(set)
            .name(spec.service)
            .time(spec.time)
            .settings(settings)
            .build()
            .unwrap()
            .into(),
    };
    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str(), std::str::from_utf8(v.as_bytes()).unwrap()))
        .collect();
    let uri = req.uri().to_string();
    let signable = SignableRequest::new(
        req.method().as_str(),
        &uri,
        headers.into_iter(),
        spec.body.clone(),
    )
    .unwrap();
    let (instructions, signature) = aws_sigv4::http_request::sign(signable, &params)
        .unwrap()
        .into_parts();
    instructions.apply_to_request_http1x(req);
    signature
}

/// The `SignedHeaders=` list of a request's `authorization` header.
pub fn signed_headers_of<B>(req: &http::Request<B>) -> Vec<String> {
    let auth = req.headers()["authorization"].to_str().unwrap();
    let list = auth
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    list.split(';').map(str::to_owned).collect()
}

/// xorshift64*: a tiny deterministic generator so runs are reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}
