//! Runs the AWS SigV4 / SigV4A signing test suite that ships inside the
//! `aws-sigv4` crate package (`aws-signing-test-suite/`), located through
//! `cargo metadata`; nothing is copied into this repository.
//!
//! For every header-signed case representable as an `http::Request`:
//! - our canonical request and string to sign equal the suite's files byte
//!   for byte (a single trailing newline in a file is ignored);
//! - v4: `aws-sigv4`'s HMAC over our string to sign equals `header-signature.txt`;
//! - v4a: the public key derived from `context.json` equals `public-key.json`
//!   and verifies `header-signature.txt` over our string to sign;
//! - the generic verifier accepts `header-signed-request.txt`.
//!
//! Skipped cases (and the presigned `query-*` variants, which the verifier
//! does not support) are printed with their reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "verify_common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use lattice_client::sign::canonical::{
    Algorithm, CanonicalRequest, CredentialScope, EncodingMode, StringToSign,
};
use lattice_client::sign::verify::{
    EncodingPolicy, GenericProfile, KeyCredentials, PayloadPolicy, Profile, RequestView,
    StaticCredentials, Verifier, parse_amz_date, sigv4a_public_key,
};
use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::Verifier as _;
use sha2::{Digest, Sha256};

/// The suite directory inside the `aws-sigv4` package, via `cargo metadata`.
fn suite_dir() -> PathBuf {
    // `--offline` keeps the test off the network; `--filter-platform` keeps
    // cargo from wanting manifests of other platforms' crates it never fetched.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    let version = String::from_utf8(version.stdout).unwrap();
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("host triple")
        .to_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            &host,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aws-sigv4")
        .expect("aws-sigv4 in the dependency graph")["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = Path::new(&manifest)
        .parent()
        .unwrap()
        .join("aws-signing-test-suite");
    assert!(dir.is_dir(), "{} not found", dir.display());
    dir
}

/// A request parsed from a suite `.txt` file.
struct RawRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Parses the suite's HTTP/1.1 text. Folded header lines (obs-fold, a line
/// starting with white space) are unfolded into one space, as RFC 9112 §5.2
/// lets a recipient do; `http::HeaderValue` cannot hold a line break.
fn parse_raw(text: &str) -> RawRequest {
    let text = text.replace("\r\n", "\n");
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h.to_owned(), b.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n').to_owned(), Vec::new()),
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap_or(rest).to_owned();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().expect("continuation after a header");
            last.1.push(' ');
            last.1.push_str(line.trim_matches([' ', '\t']));
        } else {
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
        }
    }
    RawRequest {
        method: method.to_owned(),
        target,
        headers,
        body,
    }
}

/// Builds an `http::Request`, or says why it cannot be represented.
fn to_http(raw: &RawRequest) -> Result<Request<Vec<u8>>, String> {
    let uri: Uri = raw.target.parse().map_err(|e| {
        format!(
            "request target {:?} is not a valid http::Uri ({e})",
            raw.target
        )
    })?;
    let mut headers = HeaderMap::new();
    for (name, value) in &raw.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("header name {name:?}: {e}"))?;
        let value =
            HeaderValue::from_str(value).map_err(|e| format!("header value {value:?}: {e}"))?;
        headers.append(name, value);
    }
    let mut req = Request::builder()
        .method(Method::from_bytes(raw.method.as_bytes()).map_err(|e| e.to_string())?)
        .uri(uri)
        .body(raw.body.clone())
        .map_err(|e| e.to_string())?;
    *req.headers_mut() = headers;
    Ok(req)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The file's text without one trailing newline (the texts themselves never end in one).
fn expected_text(path: &Path) -> String {
    let text = read(path).replace("\r\n", "\n");
    text.strip_suffix('\n').map(str::to_owned).unwrap_or(text)
}

/// `context.json`, or the same facts read from the signed request for the two
/// legacy cases that have none.
struct Context {
    access_key_id: String,
    secret: Option<String>,
    token: Option<String>,
    region: String,
    service: String,
    normalize: bool,
}

fn context_for(case: &Path, signed: &Request<Vec<u8>>) -> Context {
    let path = case.join("context.json");
    if path.exists() {
        let json: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
        let creds = &json["credentials"];
        return Context {
            access_key_id: creds["access_key_id"].as_str().unwrap().to_owned(),
            secret: Some(creds["secret_access_key"].as_str().unwrap().to_owned()),
            token: creds["token"].as_str().map(str::to_owned),
            region: json["region"].as_str().unwrap().to_owned(),
            service: json["service"].as_str().unwrap().to_owned(),
            normalize: json["normalize"].as_bool().unwrap(),
        };
    }
    let auth = signed.headers()["authorization"].to_str().unwrap();
    let credential = auth
        .split("Credential=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let parts: Vec<&str> = credential.split('/').collect();
    Context {
        access_key_id: parts[0].to_owned(),
        // Only AWS's documented example key is used; other keys' secrets are
        // not part of the suite.
        secret: (parts[0] == common::AKID).then(|| common::SECRET.to_owned()),
        token: None,
        region: parts[2].to_owned(),
        service: parts[3].to_owned(),
        normalize: true,
    }
}

/// The canonical URI encoding each case expects.
///
/// The suite comes from the CRT, where `normalize: false` means the path is
/// used as sent (our `Single`); otherwise the standard `Double`. (The two
/// `get-space-*` cases, whose request line has a raw space, are skipped as not
/// representable.)
fn mode_for(ctx: &Context) -> EncodingMode {
    if !ctx.normalize {
        EncodingMode::Single
    } else {
        EncodingMode::Double
    }
}

#[derive(Default)]
struct Tally {
    passed: Vec<String>,
    skipped: BTreeMap<String, String>,
}

fn run_collection(dir: &Path, algorithm: Algorithm, tally: &mut Tally) {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let label = format!("{}/{name}", dir.file_name().unwrap().to_string_lossy());
        if case.join("query-signed-request.txt").exists() {
            println!(
                "SKIP {label} (query variant): presigned URLs are not supported by the verifier"
            );
        }
        match run_case(&case, &name, algorithm) {
            Ok(()) => tally.passed.push(label),
            Err(reason) => {
                println!("SKIP {label}: {reason}");
                tally.skipped.insert(label, reason);
            }
        }
    }
}

/// Runs one case; `Err(reason)` means skipped, a failed check panics.
fn run_case(case: &Path, name: &str, algorithm: Algorithm) -> Result<(), String> {
    // Representability first: the plain request must be an http::Request.
    let plain = parse_raw(&read(&case.join("request.txt")));
    to_http(&plain)?;
    let signed_raw = parse_raw(&read(&case.join("header-signed-request.txt")));
    let mut signed = to_http(&signed_raw)?;
    let ctx = context_for(case, &signed);
    let mode = mode_for(&ctx);

    let expected_creq = expected_text(&case.join("header-canonical-request.txt"));
    let expected_lines: Vec<&str> = expected_creq.lines().collect();
    let signed_header_line = expected_lines[expected_lines.len() - 2];
    let signed_names: Vec<&str> = signed_header_line.split(';').collect();

    // Legacy case `double-encode-path` pins its signing time in aws-sigv4's own
    // harness, not in the request: take x-amz-date from the expected text.
    let expected_date = expected_lines
        .iter()
        .find_map(|l| l.strip_prefix("x-amz-date:"))
        .unwrap()
        .to_owned();
    let sent_date = signed.headers()["x-amz-date"].to_str().unwrap().to_owned();
    let legacy_time_pinned = sent_date != expected_date;
    let mut for_canonical = signed.clone();
    for_canonical
        .headers_mut()
        .insert("x-amz-date", HeaderValue::from_str(&expected_date).unwrap());

    let body_hash = hex::encode(Sha256::digest(&signed_raw.body));
    let authority = signed.headers()["host"].to_str().unwrap().to_owned();
    let creq = CanonicalRequest::new(
        for_canonical.method(),
        for_canonical.uri(),
        for_canonical.headers(),
        &signed_names,
        &body_hash,
        &authority,
        mode,
    )
    .unwrap();
    assert_eq!(
        creq.to_string(),
        expected_creq,
        "{name}: canonical request ({mode})"
    );

    let date = &expected_date[..8];
    let scope = match algorithm {
        Algorithm::V4 => CredentialScope::v4(date, &ctx.region, &ctx.service),
        _ => CredentialScope::v4a(date, &ctx.service),
    };
    let sts = StringToSign::new(algorithm, &expected_date, scope.clone(), &creq);
    let sts_path = case.join("header-string-to-sign.txt");
    if sts_path.exists() {
        assert_eq!(
            sts.to_string(),
            expected_text(&sts_path),
            "{name}: string to sign"
        );
    }

    let Some(secret) = ctx.secret.clone() else {
        return Err(format!(
            "canonical request checked; signature not checked: the secret of access key {:?} is not in the suite",
            ctx.access_key_id
        ));
    };
    if legacy_time_pinned {
        return Err("canonical request checked; signed request was made at a different time than its canonical request".to_owned());
    }

    match algorithm {
        Algorithm::V4 => {
            let key = aws_sigv4::sign::v4::generate_signing_key(
                &secret,
                parse_amz_date(&expected_date).unwrap(),
                &ctx.region,
                &ctx.service,
            );
            let sig = aws_sigv4::sign::v4::calculate_signature(key, sts.to_string().as_bytes());
            let sig_path = case.join("header-signature.txt");
            if sig_path.exists() {
                assert_eq!(sig, expected_text(&sig_path), "{name}: signature");
            }
        }
        _ => {
            let key = sigv4a_public_key(&ctx.access_key_id, &secret).unwrap();
            let point = key.to_sec1_point(false);
            let bytes = point.as_bytes();
            let json: serde_json::Value =
                serde_json::from_str(&read(&case.join("public-key.json"))).unwrap();
            assert_eq!(
                hex::encode(&bytes[1..33]),
                json["X"].as_str().unwrap(),
                "{name}: public key X"
            );
            assert_eq!(
                hex::encode(&bytes[33..65]),
                json["Y"].as_str().unwrap(),
                "{name}: public key Y"
            );
            let der = hex::decode(expected_text(&case.join("header-signature.txt"))).unwrap();
            let signature = DerSignature::try_from(der.as_slice()).unwrap();
            key.verify(sts.to_string().as_bytes(), &signature)
                .unwrap_or_else(|e| panic!("{name}: suite signature does not verify: {e}"));
        }
    }

    // The generic verifier accepts the signed request.
    let mut creds = KeyCredentials::new(secret, common::PRINCIPAL.to_owned());
    if let Some(token) = &ctx.token {
        creds = creds.with_session_token(token.clone());
    }
    let lookup = StaticCredentials::new().with(ctx.access_key_id.clone(), creds);
    let profile = GenericProfile::new(&ctx.service, &ctx.region)
        .encoding(EncodingPolicy::Only(mode))
        .payload(PayloadPolicy::BodySha256);
    let now: SystemTime = parse_amz_date(&sent_date).unwrap();
    let verifier = Verifier::builder(lookup, Profile::Generic(profile))
        .clock(move || now)
        .build()
        .unwrap();
    // Requests in the suite carry no body length checks; keep the body as sent.
    *signed.body_mut() = signed_raw.body.clone();
    let view = RequestView::from(&signed).with_body_sha256(&body_hash);
    let verified = verifier
        .verify(view)
        .unwrap_or_else(|e| panic!("{name}: verifier rejected the suite's signed request: {e}"));
    assert_eq!(verified.algorithm, algorithm);
    assert_eq!(verified.encoding, mode);
    assert_eq!(verified.principal, common::PRINCIPAL);
    Ok(())
}

#[test]
fn aws_signing_test_suite() {
    let dir = suite_dir();
    let mut tally = Tally::default();
    run_collection(&dir.join("v4"), Algorithm::V4, &mut tally);
    run_collection(&dir.join("v4a"), Algorithm::V4a, &mut tally);
    println!(
        "passed {} cases, skipped {}",
        tally.passed.len(),
        tally.skipped.len()
    );
    for (case, reason) in &tally.skipped {
        println!("  skipped {case}: {reason}");
    }
    // Guard against a silently empty or mostly skipped run.
    assert!(
        tally.passed.len() >= 60,
        "only {} cases passed",
        tally.passed.len()
    );
}
