//! The service map, drawn from a scripted run against the committed
//! `examples/fake/lattice.yaml`: requests allowed to two services, and
//! refused by the network policy, a service policy, an identity policy and
//! a bad signature. `FakeHandle::map_svg`, `GET /_fake/map.svg` and the
//! live page in a real browser (Debian's `chromium`, headless) all show
//! every service, caller and refusal with the right counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use aws_credential_types::Credentials;
use http::StatusCode;
use lattice_client::lambda::EventVersion;
use lattice_client::reqwest::LatticeClient;
use lattice_fake::routing::{HttpMatch, PathMatch, Rule, RuleAction};
use lattice_fake::{
    FakeHandle, FakeLattice, LambdaFunction, Listener, Principal, Service, ServiceNetwork,
    TargetGroup,
};
use lattice_tests::fake_clients::{anonymous_client, signed_client, wait_for_records};

/// In the organization (`orders-client` role).
const ORG_ROLE: &str = "AKIDEXAMPLE";
/// `user/reporting`: its identity policy allows `GET` on `orders` only.
const REPORTING: &str = "AKIAIOSFODNN7EXAMPLE";

/// Denies the `orders-client` role on `orders`.
const DENY_ORG_ROLE: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
  {"Effect":"Deny","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/orders-client/orders-client-session"},
   "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
   "Condition":{"StringLike":{"vpc-lattice-svcs:RequestPath":"/denied*"}}}]}"#;

fn config_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fake/lattice.yaml")
}

async fn start() -> FakeHandle {
    FakeLattice::from_config_file(config_file())
        .expect("the example config loads")
        .start()
        .await
        .expect("fake starts")
}

fn url(fake: &FakeHandle, service: &str, path: &str) -> String {
    format!("{}{path}", fake.url(service).expect("service url"))
}

/// A client signing with the organization role's key id and a wrong secret.
fn wrong_secret_client(fake: &FakeHandle) -> LatticeClient {
    let credentials = Credentials::new(ORG_ROLE, "not-the-secret", None, None, "test");
    let signer = lattice_client::Signer::builder()
        .credentials(credentials)
        .region(fake.region().to_owned())
        .build()
        .expect("signer");
    LatticeClient::builder(signer)
        .resolver(fake.resolver().expect("resolver"))
        .platform_roots(false)
        .no_proxy()
        .build()
        .expect("client")
}

/// The scripted traffic; returns the number of records it writes.
async fn script(fake: &FakeHandle) -> usize {
    let org = signed_client(fake, ORG_ROLE);
    let reporting = signed_client(fake, REPORTING);
    let anonymous = anonymous_client(fake);
    let mut calls: Vec<(StatusCode, StatusCode)> = Vec::new();
    // Allowed, to both services.
    for path in ["/", "/orders/1", "/internal/x"] {
        let status = org.get(url(fake, "orders", path)).send().await.unwrap();
        let want = if path == "/internal/x" { 404 } else { 200 };
        calls.push((status.status(), StatusCode::from_u16(want).unwrap()));
    }
    for path in ["/", "/invoices/7"] {
        let status = org.get(url(fake, "billing", path)).send().await.unwrap();
        calls.push((status.status(), StatusCode::OK));
    }
    let status = reporting.get(url(fake, "orders", "/orders/2")).send().await;
    calls.push((status.unwrap().status(), StatusCode::OK));
    // Refused by the network policy: unsigned.
    for _ in 0..2 {
        let status = anonymous.get(url(fake, "orders", "/")).send().await;
        calls.push((status.unwrap().status(), StatusCode::FORBIDDEN));
    }
    // Refused by an identity policy: reporting may only GET orders.
    let status = reporting
        .delete(url(fake, "orders", "/orders/2"))
        .send()
        .await;
    calls.push((status.unwrap().status(), StatusCode::FORBIDDEN));
    // Refused by a service policy put while the fake runs.
    fake.put_service_auth_policy("orders", DENY_ORG_ROLE)
        .expect("valid policy");
    for _ in 0..3 {
        let status = org.get(url(fake, "orders", "/denied")).send().await;
        calls.push((status.unwrap().status(), StatusCode::FORBIDDEN));
    }
    // Refused for its signature.
    let status = wrong_secret_client(fake)
        .get(url(fake, "orders", "/"))
        .send()
        .await;
    calls.push((status.unwrap().status(), StatusCode::FORBIDDEN));
    for (i, (got, want)) in calls.iter().enumerate() {
        assert_eq!(got, want, "call {i}");
    }
    let n = calls.len();
    assert_eq!(wait_for_records(fake, n).await.len(), n);
    n
}

/// Each node's two lines of text, from the SVG.
fn nodes(svg: &str) -> Vec<(String, String)> {
    svg.split("<g class=\"node")
        .skip(1)
        .map(|g| {
            let texts: Vec<String> = g
                .split("<text")
                .skip(1)
                .map(|t| {
                    let start = t.find('>').unwrap() + 1;
                    let end = t.find("</text>").unwrap();
                    t[start..end].to_owned()
                })
                .collect();
            (texts[0].clone(), texts[1].clone())
        })
        .collect()
}

fn assert_node(svg: &str, label: &str, second: &str) {
    let all = nodes(svg);
    assert!(
        all.iter().any(|(a, b)| a == label && b == second),
        "no node `{label}` / `{second}` in {all:#?}"
    );
}

/// What every drawing of the scripted run shows.
fn assert_scripted_map(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("13 requests, 7 refused"), "{svg}");
    // Callers.
    assert_node(svg, "role/orders-client", "8 requests");
    assert_node(svg, "user/reporting", "2 requests");
    assert_node(svg, "anonymous", "2 requests");
    assert_node(svg, "unknown", "1 request");
    // The network and both services.
    assert_node(svg, "shop", "13 requests");
    assert_node(svg, "orders", "11 requests");
    assert_node(svg, "billing", "2 requests");
    // Rules, by name or `default`, and target groups.
    assert_node(svg, "default", "orders-http · 3 req");
    assert_node(svg, "hide-internal", "orders-http · 1 req");
    assert_node(svg, "invoices-to-lambda", "billing-https · 1 req");
    assert_node(svg, "default", "billing-https · 1 req");
    assert_node(svg, "orders-v1", "3 requests");
    assert_node(svg, "billing-fn", "1 request");
    // A red end per refusing layer, with its count.
    assert_node(svg, "✕ network policy", "2 refused");
    assert_node(svg, "✕ service policy", "3 refused");
    assert_node(svg, "✕ identity policy", "1 refused");
    assert_node(svg, "✕ signature", "1 refused");
    // Edge labels: count and split.
    assert!(
        svg.contains("role/orders-client → shop: 8 requests (2xx 4, 4xx 4, 5xx 0)"),
        "{svg}"
    );
    assert!(svg.contains("orders → ✕ service policy: 3 requests (2xx 0, 4xx 3, 5xx 0)"));
    assert!(svg.contains(">3 · 4xx 3</text>"));
    // Tooltips: the last requests with the refusal's first line.
    assert!(svg.contains("GET "), "{svg}");
    assert!(svg.contains("/denied → 403 AccessDeniedException"), "{svg}");
    assert!(svg.contains("→ 403 InvalidSignatureException"), "{svg}");
}

#[tokio::test]
async fn map_svg_and_the_admin_path_draw_the_scripted_run() {
    let fake = start().await;
    let empty = fake.map_svg();
    assert!(empty.contains("no requests yet"), "{empty}");
    script(&fake).await;

    let svg = fake.map_svg();
    assert_scripted_map(&svg);

    let address = fake
        .listener("orders", 80)
        .expect("orders listener")
        .address;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client
        .get(format!("http://{address}/_fake/map.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let served = response.text().await.unwrap();
    assert_scripted_map(&served);
    assert_eq!(served, svg, "the same picture in code and over HTTP");

    // The page: self-contained, polling the access log, not logged itself.
    let response = client
        .get(format!("http://{address}/_fake/map"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("/_fake/access-log?since="));
    assert!(page.contains("data-since=\"13\""), "{page}");
    for external in [
        "http://",
        "https://",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
    ] {
        assert!(
            !page.contains(external),
            "the page loads nothing external: {external}"
        );
    }
    let response = client
        .post(format!("http://{address}/_fake/map.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(fake.access_log().len(), 13, "admin requests are not logged");

    // A handle that outlives the fake draws the final picture.
    let map = fake.service_map();
    fake.shutdown().await;
    assert_scripted_map(&map.svg());

    // Reset clears the picture.
    let fake = start().await;
    script(&fake).await;
    fake.reset();
    assert!(fake.map_svg().contains("no requests yet"));
}

/// Says on the terminal (not captured by the test harness) that a browser
/// test was skipped, and why.
fn skipped(test: &str) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "{test}: SKIPPED: no `chromium` on PATH or in /usr/bin \
         (`apt-get install chromium`; .ci/run installs it when it can)"
    );
}

/// Where `chromium` is, if installed.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs headless chromium on `url` with `extra` flags, killed after 60 s.
async fn run_chromium(chromium: &Path, profile: &Path, url: &str, extra: &[&str]) -> String {
    let mut command = tokio::process::Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().expect("chromium starts");
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("chromium finishes within 60 s (killed otherwise)")
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_page_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        skipped("the_live_page_in_headless_chromium");
        return;
    };
    let fake = start().await;
    let records = script(&fake).await;
    let address = fake
        .listener("orders", 80)
        .expect("orders listener")
        .address;
    let page = format!("http://{address}/_fake/map");
    let profile = tempfile_dir("profile");

    let dom = run_chromium(&chromium, &profile, &page, &["--dump-dom"]).await;
    // The script drew the SVG fetched from /_fake/map.svg (without the
    // script there is only the <noscript> image) after polling the log.
    assert!(dom.contains("<svg"), "no SVG in the page's DOM:\n{dom}");
    assert!(
        dom.contains(&format!("live · last record #{records}")),
        "the page never polled /_fake/access-log:\n{dom}"
    );
    for text in [
        ">orders</text>",
        ">billing</text>",
        ">shop</text>",
        ">role/orders-client</text>",
        ">user/reporting</text>",
        ">anonymous</text>",
        ">unknown</text>",
        ">✕ network policy</text>",
        ">2 refused</text>",
        ">✕ service policy</text>",
        ">3 refused</text>",
        ">✕ identity policy</text>",
        ">✕ signature</text>",
        ">orders-v1</text>",
        ">billing-fn</text>",
    ] {
        assert!(dom.contains(text), "`{text}` missing from the DOM:\n{dom}");
    }
    // Hover text moved into data-tip, with the last requests.
    assert!(dom.contains("data-tip=\""), "{dom}");
    assert!(dom.contains("/denied → 403 AccessDeniedException"), "{dom}");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("map");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("map.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &chromium,
        &profile,
        &page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,800",
            "--hide-scrollbars",
        ],
    )
    .await;
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    eprintln!("screenshot: {}", png.display());
    let _ = std::fs::remove_dir_all(&profile);
}

/// A fresh directory under the test's output folder.
fn tempfile_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "map-{name}-{}-{}",
        std::process::id(),
        fastrand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The quickstart's model (`examples/quickstart.rs`): `orders` with an auth
/// policy allowing the account and denying `DELETE`, `/invoices` routed by
/// a rule to a Lambda target group.
const QUICKSTART_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
  {"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
   "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"DELETE"}}}]}"#;

/// The quickstart's traffic (GET /orders/42, GET /invoices/7, the refused
/// DELETE /orders/42), drawn. With chromium, the live page's screenshot
/// lands in `CARGO_TARGET_TMPDIR/map/quickstart.png`: that is
/// `docs/service-map.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_traffic_on_the_map() {
    let fake = FakeLattice::builder()
        .service_network(ServiceNetwork::new("quickstart").all_services())
        .service(
            Service::new("orders").aws_iam(QUICKSTART_POLICY).listener(
                Listener::https(443)
                    .rule(Rule::new(
                        10,
                        HttpMatch::new().path(PathMatch::prefix("/invoices")),
                        RuleAction::forward_to("invoices"),
                    ))
                    .forward_to("orders"),
            ),
        )
        .target_group(TargetGroup::request_echo("orders"))
        .target_group(TargetGroup::lambda(
            "invoices",
            EventVersion::V2,
            LambdaFunction::event_echo(),
        ))
        .principal(Principal::new(
            ORG_ROLE,
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "arn:aws:sts::111122223333:assumed-role/quickstart/session",
        ))
        .build()
        .unwrap()
        .start()
        .await
        .unwrap();
    let client = signed_client(&fake, ORG_ROLE);
    for (method, path, want) in [
        ("GET", "/orders/42", 200),
        ("GET", "/invoices/7", 200),
        ("DELETE", "/orders/42", 403),
    ] {
        let response = client
            .request(method.parse().unwrap(), url(&fake, "orders", path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), want, "{method} {path}");
    }
    wait_for_records(&fake, 3).await;
    let svg = fake.map_svg();
    assert_node(&svg, "role/quickstart", "3 requests");
    assert_node(&svg, "quickstart", "3 requests");
    assert_node(&svg, "orders", "3 requests");
    assert_node(&svg, "priority 10", "https-443 · 1 req");
    assert_node(&svg, "default", "https-443 · 1 req");
    assert_node(&svg, "invoices", "1 request");
    assert_node(&svg, "✕ service policy", "1 refused");
    assert!(
        svg.contains("DELETE /orders/42 → 403 AccessDeniedException"),
        "{svg}"
    );

    let Some(chromium) = chromium() else {
        skipped("the_quickstart_traffic_on_the_map (its screenshot)");
        return;
    };
    // The admin paths answer whatever the name; the certificate names the
    // service, not 127.0.0.1, hence --ignore-certificate-errors.
    let address = fake.listener("orders", 443).unwrap().address;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("map");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("quickstart.png");
    let profile = tempfile_dir("quickstart");
    run_chromium(
        &chromium,
        &profile,
        &format!("https://{address}/_fake/map"),
        &[
            "--ignore-certificate-errors",
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,800",
            "--hide-scrollbars",
        ],
    )
    .await;
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let _ = std::fs::remove_dir_all(&profile);
}
