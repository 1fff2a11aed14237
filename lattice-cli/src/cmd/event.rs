//! `lattice event make|show`: the event a Lambda target receives.

use std::io::Read;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use lattice_client::identity::{CallerIdentity, strip_identity_headers};
use lattice_client::lambda::{
    EventVersion, LatticeEvent, TimeEpoch, V1Event, V2Event, V2RequestContext,
};
use lattice_client::name::LatticeName;

use crate::error::{CliError, CliResult, ResultExt};
use crate::request::{self, Head};
use crate::time_arg;

/// The account of every default ARN.
pub(crate) const DEFAULT_ACCOUNT: &str = "111122223333";
/// The region when the URL is not a generated name.
pub(crate) const DEFAULT_REGION: &str = "us-west-2";
/// The service id when the URL is not a generated name.
pub(crate) const DEFAULT_SERVICE_ID: &str = "svc-0123456789abcdef0";
/// The service network id.
pub(crate) const DEFAULT_NETWORK_ID: &str = "sn-0123456789abcdef0";
/// The target group id.
pub(crate) const DEFAULT_TARGET_GROUP_ID: &str = "tg-0123456789abcdef0";
/// The caller's VPC.
pub(crate) const DEFAULT_SOURCE_VPC: &str = "vpc-0a1b2c3d4e5f60718";
/// The caller's address, appended to `x-forwarded-for`.
pub(crate) const DEFAULT_CLIENT_IP: &str = "10.0.1.23";

/// Build or read the event Lattice delivers to a Lambda target.
#[derive(Debug, Args)]
pub(crate) struct EventArgs {
    #[command(subcommand)]
    command: EventCommand,
}

#[derive(Debug, Subcommand)]
enum EventCommand {
    Make(Box<MakeArgs>),
    Show(ShowArgs),
}

impl EventArgs {
    /// The name used in error lines.
    pub(crate) fn name(&self) -> &'static str {
        match self.command {
            EventCommand::Make(_) => "event make",
            EventCommand::Show(_) => "event show",
        }
    }
}

/// Runs `lattice event …`.
pub(crate) fn run(args: EventArgs) -> CliResult<ExitCode> {
    match args.command {
        EventCommand::Make(a) => make(&a),
        EventCommand::Show(a) => show(&a),
    }
}

/// The event structure version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Version {
    /// snake_case, one string per header.
    V1,
    /// camelCase, arrays of values, `requestContext` with the identity.
    V2,
}

/// Write the event Lattice would deliver to a Lambda target for a request.
///
/// It is built with the SDK's own event builders, the ones the fake uses,
/// for `cargo lambda invoke --data-file` or a handler's test. The ARNs use
/// documented defaults: account 111122223333; the region and service id of
/// a generated name in the URL (else us-west-2 and svc-0123456789abcdef0);
/// network sn-0123456789abcdef0; target group tg-0123456789abcdef0; source
/// VPC vpc-0a1b2c3d4e5f60718; client address 10.0.1.23. Without
/// `--principal` the caller is anonymous.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice event make --version v2 https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders?id=7
  lattice event make --version v1 -X POST -H 'content-type: application/json' -d '{\"id\":7}' \\
      --principal arn:aws:sts::111122223333:assumed-role/app/s1 https://orders.example.internal/orders > event.json
  cargo lambda invoke --data-file event.json")]
pub(crate) struct MakeArgs {
    /// The request URL. Example: `https://orders.example.internal/orders?id=7`.
    url: String,

    /// The event structure version. Example: `--version v2`.
    #[arg(long, value_enum)]
    version: Version,

    /// The request method (default GET, or POST with a body). Example: `-X PUT`.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    method: Option<String>,

    /// Add a header (repeatable). Example: `-H 'content-type: application/json'`.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = request::parse_header)]
    headers: Vec<(String, String)>,

    /// The body: text, `@FILE` or `@-` (stdin). Example: `-d @order.json`.
    #[arg(short = 'd', long = "data", value_name = "DATA")]
    data: Option<String>,

    /// The signed caller (default: anonymous).
    /// Example: `--principal arn:aws:sts::111122223333:assumed-role/app/s1`.
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,

    /// The caller's organization id. Example: `--principal-org-id o-a1b2c3d4e5`.
    #[arg(long, value_name = "ID")]
    principal_org_id: Option<String>,

    /// The caller's VPC. Example: `--source-vpc vpc-0a1b2c3d4e5f60718`.
    #[arg(long, value_name = "VPC", default_value = DEFAULT_SOURCE_VPC)]
    source_vpc: String,

    /// The account of the default ARNs. Example: `--account 444455556666`.
    #[arg(long, default_value = DEFAULT_ACCOUNT)]
    account: String,

    /// The region (default: the URL's, for a generated name; else us-west-2).
    /// Example: `--region eu-west-3`.
    #[arg(long)]
    region: Option<String>,

    /// The service ARN. Example: `--service-arn arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0`.
    #[arg(long, value_name = "ARN")]
    service_arn: Option<String>,

    /// The service network ARN. Example: `--service-network-arn arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0`.
    #[arg(long, value_name = "ARN")]
    service_network_arn: Option<String>,

    /// The target group ARN. Example: `--target-group-arn arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0123456789abcdef0`.
    #[arg(long, value_name = "ARN")]
    target_group_arn: Option<String>,

    /// The caller's address, appended to `x-forwarded-for`. Example: `--client-ip 10.0.0.5`.
    #[arg(long, default_value = DEFAULT_CLIENT_IP)]
    client_ip: IpAddr,

    /// When Lattice received the request (V2 `timeEpoch`; default now).
    /// Example: `--time 2024-01-01T12:00:00Z`.
    #[arg(long, value_parser = time_arg::parse)]
    time: Option<SystemTime>,
}

fn read_data(data: &str) -> CliResult<Vec<u8>> {
    match data.strip_prefix('@') {
        Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .usage_ctx(|| "cannot read stdin".to_owned())?;
            Ok(bytes)
        }
        Some(path) => std::fs::read(path).usage_ctx(|| format!("cannot read `{path}`")),
        None => Ok(data.as_bytes().to_vec()),
    }
}

fn make(args: &MakeArgs) -> CliResult<ExitCode> {
    let body = args.data.as_deref().map(read_data).transpose()?;
    let head = Head::new(
        &args.url,
        args.method.as_deref(),
        &args.headers,
        body.is_some(),
        None,
        None,
    )?;
    let name = LatticeName::parse(&head.host()).ok();
    let region = args
        .region
        .clone()
        .or_else(|| name.as_ref().map(|n| n.region().to_owned()))
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    let service_id = name
        .as_ref()
        .map_or(DEFAULT_SERVICE_ID, |n| n.service_id().as_str())
        .to_owned();
    let account = &args.account;
    let arn = |kind: &str, id: &str| format!("arn:aws:vpc-lattice:{region}:{account}:{kind}/{id}");
    let mut identity = CallerIdentity::default();
    if let Some(principal) = &args.principal {
        identity.auth_type = Some("AWS_IAM".to_owned());
        identity.principal = Some(principal.clone());
        identity.principal_org_id.clone_from(&args.principal_org_id);
    }
    identity.source_vpc_arn = Some(format!(
        "arn:aws:ec2:{region}:{account}:vpc/{}",
        args.source_vpc
    ));
    identity.source_vpc_id = Some(args.source_vpc.clone());
    identity.service_arn = Some(
        args.service_arn
            .clone()
            .unwrap_or_else(|| arn("service", &service_id)),
    );
    identity.service_network_arn = Some(
        args.service_network_arn
            .clone()
            .unwrap_or_else(|| arn("servicenetwork", DEFAULT_NETWORK_ID)),
    );
    identity.target_group_arn = Some(
        args.target_group_arn
            .clone()
            .unwrap_or_else(|| arn("targetgroup", DEFAULT_TARGET_GROUP_ID)),
    );

    let mut request = http::Request::builder()
        .method(head.method.clone())
        .uri(head.uri.clone())
        .body(())
        .map_err(|e| CliError::usage(format!("invalid request: {e}")))?;
    *request.headers_mut() = head.headers.clone();
    let (mut parts, ()) = request.into_parts();
    // As the fake does: Lattice's identity headers replace any sent ones.
    strip_identity_headers(&mut parts.headers);
    identity
        .write_headers(&mut parts.headers)
        .map_err(|e| CliError::config(&e))?;
    let body = body.unwrap_or_default();
    let event = match args.version {
        Version::V1 => LatticeEvent::V1(V1Event::from_parts(&parts, &body, Some(args.client_ip))),
        Version::V2 => {
            // V2 carries the caller in `requestContext`, not in headers.
            strip_identity_headers(&mut parts.headers);
            let time = args.time.unwrap_or_else(SystemTime::now);
            let context = V2RequestContext::from_caller(
                &identity,
                Some(region.clone()),
                TimeEpoch::from_system_time(time),
            );
            LatticeEvent::V2(V2Event::from_parts(
                &parts,
                &body,
                context,
                Some(args.client_ip),
            ))
        }
    };
    let json = serde_json::to_string_pretty(&event)
        .map_err(|e| CliError::usage(format!("cannot render the event: {e}")))?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

/// Print what a handler receives from an event: method, path, query,
/// headers, body (text, or Base64 for binary bodies) and the caller.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice event show event.json
  lattice event make --version v2 URL | lattice event show -")]
pub(crate) struct ShowArgs {
    /// The event JSON (V1 or V2), or `-` for stdin. Example: `event.json`.
    file: PathBuf,
}

fn show(args: &ShowArgs) -> CliResult<ExitCode> {
    let bytes = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .usage_ctx(|| "cannot read stdin".to_owned())?;
        bytes
    } else {
        std::fs::read(&args.file).usage_ctx(|| format!("cannot read {}", args.file.display()))?
    };
    let event = LatticeEvent::from_slice(&bytes)
        .map_err(|e| CliError::config(&e).context(args.file.display()))?;
    let version = match event.version() {
        EventVersion::V1 => "V1",
        _ => "V2",
    };
    let request = event
        .into_http_request()
        .map_err(|e| CliError::config(&e).context(args.file.display()))?;
    let mut out = String::new();
    out.push_str(&format!("version: {version}\n"));
    out.push_str(&format!("method: {}\n", request.method()));
    out.push_str(&format!("uri: {}\n", request.uri()));
    out.push_str(&format!("path: {}\n", request.uri().path()));
    out.push_str(&format!("query: {}\n", request.uri().query().unwrap_or("")));
    out.push_str("headers:\n");
    for (name, value) in request.headers() {
        out.push_str(&format!(
            "  {name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let body = request.body().as_bytes();
    match std::str::from_utf8(body) {
        Ok(text) => out.push_str(&format!("body ({} bytes, text):\n{text}\n", body.len())),
        Err(_) => out.push_str(&format!(
            "body ({} bytes, base64):\n{}\n",
            body.len(),
            base64::engine::general_purpose::STANDARD.encode(body)
        )),
    }
    out.push_str("identity:\n");
    match request.extensions().get::<CallerIdentity>() {
        None => out.push_str("  (none: the event carries no identity)\n"),
        Some(id) => out.push_str(&identity_text(id)),
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// The typed identity, one field a line (absent fields left out).
fn identity_text(id: &CallerIdentity) -> String {
    let mut lines = Vec::new();
    let mut field = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            lines.push(format!("  {name}: {v}\n"));
        }
    };
    field(
        "anonymous",
        Some(if id.is_anonymous() { "true" } else { "false" }),
    );
    field("type", id.auth_type.as_deref());
    field("principal", id.principal.as_deref());
    field("principalAccount", id.principal_account());
    field("principalOrgId", id.principal_org_id.as_deref());
    field("principalOrgPath", id.principal_org_path.as_deref());
    field("sessionName", id.session_name.as_deref());
    field("sourceVpcArn", id.source_vpc_arn.as_deref());
    let vpc = id.source_vpc().map(|v| v.to_string());
    field("sourceVpc", vpc.as_deref().or(id.source_vpc_id.as_deref()));
    field("serviceNetworkArn", id.service_network_arn.as_deref());
    field("serviceArn", id.service_arn.as_deref());
    field("targetGroupArn", id.target_group_arn.as_deref());
    for (k, v) in &id.principal_tags {
        lines.push(format!("  tag {k}: {v}\n"));
    }
    lines.concat()
}
