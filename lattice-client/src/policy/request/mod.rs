//! What is being authorized: caller, action, resource and condition context.

use std::collections::HashMap;

/// `vpc-lattice-svcs:Invoke`, the action of HTTP, HTTPS and gRPC requests.
pub const INVOKE: &str = "vpc-lattice-svcs:Invoke";
/// `vpc-lattice-svcs:Connect`, the action of TLS-passthrough (TCP) services.
pub const CONNECT: &str = "vpc-lattice-svcs:Connect";

/// Who sent the request: the principal that policies' `Principal` elements
/// and the `aws:Principal…` keys are matched against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// An unsigned request. It matches only `"*"` principals, has no identity
    /// policies and has `aws:PrincipalType` = `Anonymous`.
    Anonymous,
    /// A signed request from this IAM/STS principal ARN, usually
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` or
    /// `arn:aws:iam::ACCOUNT:user/NAME`. An ARN of another shape still
    /// evaluates, but matches only `"*"` principals and gets no derived keys.
    Arn(String),
}

impl Caller {
    /// A signed caller.
    pub fn arn(arn: impl Into<String>) -> Self {
        Caller::Arn(arn.into())
    }

    /// `true` for [`Caller::Anonymous`].
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Caller::Anonymous)
    }

    /// The caller ARN, `None` when anonymous.
    pub fn as_arn(&self) -> Option<&str> {
        match self {
            Caller::Anonymous => None,
            Caller::Arn(arn) => Some(arn),
        }
    }

    /// The `User:` text of a Lattice 403: the ARN, or `anonymous`.
    pub fn user_text(&self) -> &str {
        self.as_arn().unwrap_or("anonymous")
    }
}

/// Condition keys Lattice fills in (Lattice's documented keys) and the global keys it
/// documents. Any other key may be put in a [`RequestContext`] too.
pub mod keys {
    /// Listener port, `Numeric`.
    pub const PORT: &str = "vpc-lattice-svcs:Port";
    /// HTTP method (`POST` for gRPC).
    pub const REQUEST_METHOD: &str = "vpc-lattice-svcs:RequestMethod";
    /// Request path, without the query string (assumed; see `docs/assumptions.md`, A36).
    pub const REQUEST_PATH: &str = "vpc-lattice-svcs:RequestPath";
    /// Prefix of `vpc-lattice-svcs:RequestHeader/<header-name>`; see [`request_header`].
    pub const REQUEST_HEADER_PREFIX: &str = "vpc-lattice-svcs:RequestHeader/";
    /// Prefix of `vpc-lattice-svcs:RequestQueryString/<key-name>` (multi-valued);
    /// see [`request_query_string`].
    pub const REQUEST_QUERY_STRING_PREFIX: &str = "vpc-lattice-svcs:RequestQueryString/";
    /// ARN of the service network the request came through.
    pub const SERVICE_NETWORK_ARN: &str = "vpc-lattice-svcs:ServiceNetworkArn";
    /// ARN of the service being called.
    pub const SERVICE_ARN: &str = "vpc-lattice-svcs:ServiceArn";
    /// The caller's VPC id.
    pub const SOURCE_VPC: &str = "vpc-lattice-svcs:SourceVpc";
    /// The account that owns the caller's VPC.
    pub const SOURCE_VPC_OWNER_ACCOUNT: &str = "vpc-lattice-svcs:SourceVpcOwnerAccount";
    /// The caller's AWS Organizations id.
    pub const PRINCIPAL_ORG_ID: &str = "aws:PrincipalOrgID";
    /// The caller's Organizations paths (multi-valued).
    pub const PRINCIPAL_ORG_PATHS: &str = "aws:PrincipalOrgPaths";
    /// Caller type; derived from the caller when absent.
    pub const PRINCIPAL_TYPE: &str = "aws:PrincipalType";
    /// Caller ARN (role ARN for role sessions); derived when absent.
    pub const PRINCIPAL_ARN: &str = "aws:PrincipalArn";
    /// Caller account; derived when absent.
    pub const PRINCIPAL_ACCOUNT: &str = "aws:PrincipalAccount";
    /// Prefix of `aws:PrincipalTag/<key>`.
    pub const PRINCIPAL_TAG_PREFIX: &str = "aws:PrincipalTag/";
    /// Prefix of `aws:ResourceTag/<key>`.
    pub const RESOURCE_TAG_PREFIX: &str = "aws:ResourceTag/";
    /// The caller's source IP address.
    pub const SOURCE_IP: &str = "aws:SourceIp";
    /// Whether the request used TLS, `true`/`false`.
    pub const SECURE_TRANSPORT: &str = "aws:SecureTransport";
    /// Request time, ISO 8601 (never taken from a clock: pass it in).
    pub const CURRENT_TIME: &str = "aws:CurrentTime";
    /// Request time in epoch seconds (never taken from a clock: pass it in).
    pub const EPOCH_TIME: &str = "aws:EpochTime";
    /// The caller's unique id.
    pub const USER_ID: &str = "aws:userid";
    /// The IAM user name of the caller.
    pub const USERNAME: &str = "aws:username";

    /// `vpc-lattice-svcs:RequestHeader/<name>`.
    pub fn request_header(name: &str) -> String {
        format!("{REQUEST_HEADER_PREFIX}{name}")
    }

    /// `vpc-lattice-svcs:RequestQueryString/<name>`.
    pub fn request_query_string(name: &str) -> String {
        format!("{REQUEST_QUERY_STRING_PREFIX}{name}")
    }
}

/// The request context (IAM's term): condition key → one or more string values.
///
/// Keys are stored lower-cased, so `insert("AWS:SourceIp", …)` and a policy
/// testing `aws:sourceip` meet. Values stay as given; each operator reads
/// them as strings, numbers, dates, booleans or IP addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    values: HashMap<String, Vec<String>>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to one value, replacing what was there.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.values.insert(key.to_lowercase(), vec![value.into()]);
        self
    }

    /// Sets `key` to several values (a multi-valued key such as a repeated
    /// query-string parameter), replacing what was there. An empty list
    /// counts as an absent key.
    pub fn insert_values<I, V>(&mut self, key: &str, values: I) -> &mut Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        self.values.insert(
            key.to_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Adds one more value to `key`.
    pub fn append(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.values
            .entry(key.to_lowercase())
            .or_default()
            .push(value.into());
        self
    }

    /// By-value [`RequestContext::insert`].
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// By-value [`RequestContext::insert_values`].
    pub fn with_values<I, V>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        self.insert_values(key, values);
        self
    }

    /// The values of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        match self.values.get(key) {
            Some(v) => Some(v),
            None => self.values.get(&key.to_lowercase()).map(Vec::as_slice),
        }
    }

    /// Lookup by an already lower-cased key, without allocating.
    pub(crate) fn get_lower(&self, lower: &str) -> Option<&[String]> {
        self.values.get(lower).map(Vec::as_slice)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `true` when no key is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One authorization question: may `caller` perform `action` on
/// `resource`, given `context`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    caller: Caller,
    action: String,
    resource: String,
    context: RequestContext,
}

impl AccessRequest {
    /// A request for any action and resource, with an empty context.
    pub fn new(caller: Caller, action: impl Into<String>, resource: impl Into<String>) -> Self {
        AccessRequest {
            caller,
            action: action.into(),
            resource: resource.into(),
            context: RequestContext::new(),
        }
    }

    /// A `vpc-lattice-svcs:Invoke` of `path` on a service: the resource is
    /// the service ARN immediately followed by the path
    /// (`…:service/svc-0123456789abcdef0` + `/orders/42`).
    ///
    /// Callers must pass the path as Lattice sees it, normalised once (see
    /// docs/assumptions.md, A37); the fake does this with
    /// `lattice_client::path::normalize`. The path is used as given: it is
    /// not decoded or normalised here, so `/orders/42`, `//orders/42` and
    /// `/%6Frders/42` are three different resources to the policy.
    pub fn invoke(caller: Caller, service_arn: &str, path: &str) -> Self {
        AccessRequest::new(caller, INVOKE, format!("{service_arn}{path}"))
    }

    /// A `vpc-lattice-svcs:Connect` to a TLS-passthrough service (the
    /// resource is the service ARN itself).
    pub fn connect(caller: Caller, service_arn: &str) -> Self {
        AccessRequest::new(caller, CONNECT, service_arn)
    }

    /// Replaces the context.
    pub fn with_context(mut self, context: RequestContext) -> Self {
        self.context = context;
        self
    }

    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The action, e.g. `vpc-lattice-svcs:Invoke`.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource, e.g. `arn:aws:vpc-lattice:…:service/svc-…/orders/42`.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The condition context.
    pub fn context(&self) -> &RequestContext {
        &self.context
    }

    /// The condition context, to add keys.
    pub fn context_mut(&mut self) -> &mut RequestContext {
        &mut self.context
    }
}

#[cfg(test)]
mod tests;
