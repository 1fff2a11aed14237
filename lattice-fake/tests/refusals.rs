//! Every refusal the fake Lattice can produce, provoked through real clients
//! on loopback, parsed by `Refusal::from_response` (through the reqwest
//! adapter's `RefusalExt`); a target's own `403` is no refusal.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;

use lattice_client::Credentials;
use lattice_client::Refusal;
use lattice_client::refusal::Layer;
use lattice_client::reqwest::{LatticeClient, RefusalExt, sign_request};
use lattice_fake::{
    FakeBody, FakeHandle, FakeLattice, Listener, Principal, Service, ServiceNetwork, Target,
    TargetGroup,
};
use lattice_tests::fake_clients::{anonymous_client, signed_client};

const APP: &str = "AKIDEXAMPLE";
const APP_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const APP_ARN: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const GET_ONLY: &str = "AKIAIOSFODNN7EXAMPLE";
const GET_ONLY_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const GET_ONLY_ARN: &str = "arn:aws:iam::111122223333:user/reporting";
const OUTSIDER: &str = "AKIAI44QH8DHBEXAMPLE";
const OUTSIDER_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
const OUTSIDER_ARN: &str = "arn:aws:iam::111122223333:user/outsider";
const STRANGER: &str = "AKIAJSTRANGEREXAMPLE";
const STRANGER_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSTRANGERKEY";
const STRANGER_ARN: &str = "arn:aws:iam::111122223333:user/stranger";
const TEMP: &str = "ASIAEXAMPLETEMPORARY";
const TEMP_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLETEMP";
const TEMP_ARN: &str = "arn:aws:sts::111122223333:assumed-role/app/temp";
const ORG: &str = "o-a1b2c3d4e5";

/// Signed callers only, and an explicit deny for the outsider.
const NETWORK_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
   "Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}},
  {"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
   "Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/outsider"}}}]}"#;

/// Only the organization.
const ORG_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
  "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#;

/// Everyone, except on `/secret`.
const NO_SECRETS: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
  {"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*/secret*"}]}"#;

/// The caller's identity policy: `GET` only.
const GET_ONLY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
  "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}}]}"#;

/// A target that refuses everything with its own `403 Forbidden`.
async fn own_403(_request: Request<FakeBody>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(b"Forbidden")))
        .expect("response"))
}

async fn fake(clock_ahead: Option<Duration>) -> FakeHandle {
    let mut builder = FakeLattice::builder()
        .service_network(
            ServiceNetwork::new("net")
                .all_services()
                .aws_iam(NETWORK_POLICY),
        )
        .service(Service::new("open").listener(Listener::http(80).forward_to("open-echo")))
        .service(
            Service::new("billing")
                .aws_iam(ORG_ONLY)
                .listener(Listener::http(80).forward_to("billing-echo")),
        )
        .service(
            Service::new("admin")
                .aws_iam(NO_SECRETS)
                .listener(Listener::http(80).forward_to("admin-echo")),
        )
        .service(Service::new("picky").listener(Listener::http(80).forward_to("picky")))
        .target_group(TargetGroup::request_echo("open-echo"))
        .target_group(TargetGroup::request_echo("billing-echo"))
        .target_group(TargetGroup::request_echo("admin-echo"))
        .target_group(TargetGroup::new(
            "picky",
            Target::service(tower::service_fn(own_403)),
        ))
        .principal(Principal::new(APP, APP_SECRET, APP_ARN).org_id(ORG))
        .principal(
            Principal::new(GET_ONLY, GET_ONLY_SECRET, GET_ONLY_ARN)
                .org_id(ORG)
                .identity_policy(GET_ONLY_POLICY),
        )
        .principal(Principal::new(OUTSIDER, OUTSIDER_SECRET, OUTSIDER_ARN).org_id(ORG))
        .principal(Principal::new(STRANGER, STRANGER_SECRET, STRANGER_ARN))
        .principal(
            Principal::new(TEMP, TEMP_SECRET, TEMP_ARN)
                .org_id(ORG)
                .session_token("FQoGZXIvYXdzEXAMPLESESSIONTOKEN"),
        );
    if let Some(offset) = clock_ahead {
        builder = builder.clock_ahead(offset);
    }
    builder
        .build()
        .expect("valid model")
        .start()
        .await
        .expect("fake starts")
}

/// A client for `fake` signing with `credentials` (which the fake may not
/// know, or know with another secret).
fn client_with(fake: &FakeHandle, credentials: Credentials) -> LatticeClient {
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

fn url(fake: &FakeHandle, service: &str, path: &str) -> String {
    format!("{}{path}", fake.url(service).expect("service url"))
}

/// The response's status and its refusal; the body is still readable after.
async fn refusal_of(response: reqwest::Response) -> (StatusCode, Option<Refusal>, String) {
    let (response, refusal) = response.refusal().await.expect("body readable");
    let status = response.status();
    let body = response.text().await.expect("body");
    (status, refusal, body)
}

/// Asserts a refusal with `code`, a request id, and a body line equal to
/// what was parsed.
fn assert_refusal(
    what: &str,
    (status, refusal, body): (StatusCode, Option<Refusal>, String),
    expected_status: u16,
    code: &str,
) -> Refusal {
    assert_eq!(status.as_u16(), expected_status, "{what}: {body}");
    let refusal = refusal.unwrap_or_else(|| panic!("{what}: not parsed as a refusal: {body}"));
    assert_eq!(refusal.code(), code, "{what}: {body}");
    assert_eq!(refusal.status(), status, "{what}");
    assert!(refusal.request_id().is_some(), "{what}: no request id");
    assert_eq!(body.trim_end(), refusal.line(), "{what}");
    refusal
}

/// Asserts an access denial by `layer`, explicit or not, for `principal`.
fn assert_denial(what: &str, refusal: &Refusal, layer: Layer, explicit: bool, principal: &str) {
    let denial = refusal
        .access_denial()
        .unwrap_or_else(|| panic!("{what}: no access denial in {refusal}"));
    assert_eq!(denial.layer(), layer, "{what}: {refusal}");
    assert_eq!(denial.is_explicit(), explicit, "{what}: {refusal}");
    assert_eq!(denial.principal(), principal, "{what}: {refusal}");
    assert_eq!(denial.action(), "vpc-lattice-svcs:Invoke", "{what}");
    assert!(
        denial.resource().starts_with("arn:aws:vpc-lattice:"),
        "{what}: {}",
        denial.resource()
    );
}

#[tokio::test]
async fn every_signature_refusal_is_parsed() {
    let fake = fake(None).await;
    let open = url(&fake, "open", "/orders");

    // The right key id, the wrong secret.
    let wrong_secret = Credentials::new(APP, OUTSIDER_SECRET, None, None, "test");
    let response = client_with(&fake, wrong_secret)
        .get(&open)
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "bad signature",
        refusal_of(response).await,
        403,
        "InvalidSignatureException",
    );
    assert!(
        refusal
            .message()
            .starts_with("The request signature we calculated"),
        "{refusal}"
    );
    assert!(refusal.access_denial().is_none());
    assert!(refusal.hint().is_some(), "{refusal}");

    // An access key id the fake does not know.
    let unknown = Credentials::new("AKIAUNKNOWNEXAMPLE00", APP_SECRET, None, None, "test");
    let response = client_with(&fake, unknown)
        .get(&open)
        .send()
        .await
        .expect("call");
    assert_refusal(
        "unknown key",
        refusal_of(response).await,
        403,
        "UnrecognizedClientException",
    );

    // Temporary credentials signed without their session token.
    let no_token = Credentials::new(TEMP, TEMP_SECRET, None, None, "test");
    let response = client_with(&fake, no_token)
        .get(&open)
        .send()
        .await
        .expect("call");
    assert_refusal(
        "missing session token",
        refusal_of(response).await,
        403,
        "UnrecognizedClientException",
    );

    // A header named in SignedHeaders that is not sent.
    let signer = fake.signer(APP).expect("signer");
    let mut request = reqwest::Request::new(reqwest::Method::GET, open.parse().expect("url"));
    request
        .headers_mut()
        .insert("x-tenant", http::HeaderValue::from_static("blue"));
    sign_request(&signer, &mut request).await.expect("signed");
    request.headers_mut().remove("x-tenant");
    let response = anonymous_client(&fake)
        .execute(request)
        .await
        .expect("call");
    let refusal = assert_refusal(
        "missing signed header",
        refusal_of(response).await,
        403,
        "IncompleteSignatureException",
    );
    assert!(refusal.message().contains("'x-tenant'"), "{refusal}");
}

#[tokio::test]
async fn an_expired_signature_is_parsed() {
    // The fake's clock runs an hour ahead: a fresh signature is too old.
    let fake = fake(Some(Duration::from_secs(3600))).await;
    let response = signed_client(&fake, APP)
        .get(url(&fake, "open", "/"))
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "expired",
        refusal_of(response).await,
        403,
        "InvalidSignatureException",
    );
    assert!(
        refusal.message().starts_with("Signature expired"),
        "{refusal}"
    );
    assert!(refusal.hint().is_some(), "{refusal}");
}

#[tokio::test]
async fn every_access_denial_is_parsed_with_its_layer() {
    let fake = fake(None).await;

    // Network layer, no allow: an anonymous caller.
    let response = anonymous_client(&fake)
        .get(url(&fake, "open", "/"))
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "anonymous",
        refusal_of(response).await,
        403,
        "AccessDeniedException",
    );
    assert_denial("anonymous", &refusal, Layer::Network, false, "anonymous");

    // Network layer, explicit deny.
    let response = signed_client(&fake, OUTSIDER)
        .get(url(&fake, "open", "/"))
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "outsider",
        refusal_of(response).await,
        403,
        "AccessDeniedException",
    );
    assert_denial("outsider", &refusal, Layer::Network, true, OUTSIDER_ARN);

    // Service layer, no allow: a caller outside the organization.
    let response = signed_client(&fake, STRANGER)
        .get(url(&fake, "billing", "/"))
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "stranger",
        refusal_of(response).await,
        403,
        "AccessDeniedException",
    );
    assert_denial("stranger", &refusal, Layer::Service, false, STRANGER_ARN);

    // Service layer, explicit deny.
    let response = signed_client(&fake, APP)
        .get(url(&fake, "admin", "/secret/plans"))
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "secret",
        refusal_of(response).await,
        403,
        "AccessDeniedException",
    );
    assert_denial("secret", &refusal, Layer::Service, true, APP_ARN);
    assert!(
        refusal
            .access_denial()
            .expect("denial")
            .resource()
            .ends_with("/secret/plans")
    );

    // Identity layer, no allow: a GET-only caller POSTs.
    let response = signed_client(&fake, GET_ONLY)
        .post(url(&fake, "open", "/orders"))
        .body("{}")
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "identity",
        refusal_of(response).await,
        403,
        "AccessDeniedException",
    );
    assert_denial("identity", &refusal, Layer::Identity, false, GET_ONLY_ARN);
    assert!(refusal.hint().is_some(), "{refusal}");

    // The same caller's GET passes: a 200 is never a refusal.
    let response = signed_client(&fake, GET_ONLY)
        .get(url(&fake, "open", "/orders"))
        .send()
        .await
        .expect("call");
    let (status, refusal, _) = refusal_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(refusal.is_none());
}

#[tokio::test]
async fn non_existent_service_is_parsed() {
    let fake = fake(None).await;
    let address = fake.listeners()[0].address;
    // A name the fake does not serve, at its listener's address.
    let client = reqwest::Client::builder()
        .no_proxy()
        .resolve(
            "nowhere-0fffffffffffffff0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            address,
        )
        .build()
        .expect("client");
    let response = client
        .get(format!(
            "http://nowhere-0fffffffffffffff0.7d67968.vpc-lattice-svcs.us-west-2.on.aws:{}/",
            address.port()
        ))
        .send()
        .await
        .expect("call");
    let refusal = assert_refusal(
        "unknown name",
        refusal_of(response).await,
        404,
        "Non Existent Service",
    );
    assert_eq!(refusal.message(), "");
    assert!(refusal.access_denial().is_none());
}

#[tokio::test]
async fn a_targets_own_403_is_no_refusal() {
    let fake = fake(None).await;
    let response = signed_client(&fake, APP)
        .get(url(&fake, "picky", "/"))
        .send()
        .await
        .expect("call");
    let (status, refusal, body) = refusal_of(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, "Forbidden");
    assert!(refusal.is_none(), "{refusal:?}");
}
