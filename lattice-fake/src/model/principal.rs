//! Callers: principals with static keys, and client VPCs.

use std::fmt;
use std::net::IpAddr;

/// A caller the fake knows: static keys and the IAM facts Lattice would
/// learn about it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Principal {
    /// The access key id (`AKIDEXAMPLE`, `ASIA…`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// A session token the caller must send (temporary credentials).
    pub session_token: Option<String>,
    /// The principal ARN Lattice reports (`arn:aws:sts::…:assumed-role/…`).
    pub arn: String,
    /// `aws:PrincipalOrgID`.
    pub org_id: Option<String>,
    /// `aws:PrincipalOrgPaths` (one path).
    pub org_path: Option<String>,
    /// `SessionName`; for an assumed-role ARN, its session part when unset.
    pub session_name: Option<String>,
    /// Principal tags (`aws:PrincipalTag/<key>`, `x-amzn-lattice-identity-tags`).
    pub tags: Vec<(String, String)>,
    /// The principal's identity-based policies (IAM JSON). `None`: one
    /// policy allowing `vpc-lattice-svcs:Invoke` on `*`.
    pub identity_policies: Option<Vec<String>>,
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("arn", &self.arn)
            .field("org_id", &self.org_id)
            .field("org_path", &self.org_path)
            .field("session_name", &self.session_name)
            .field("tags", &self.tags)
            .field("identity_policies", &self.identity_policies)
            .finish()
    }
}

/// The identity policy a principal gets when none is given.
pub const DEFAULT_IDENTITY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

impl Principal {
    /// A principal with these static keys and ARN.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        arn: impl Into<String>,
    ) -> Self {
        Principal {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            arn: arn.into(),
            org_id: None,
            org_path: None,
            session_name: None,
            tags: Vec::new(),
            identity_policies: None,
        }
    }

    /// Requires this session token (temporary credentials).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Sets the organization id.
    pub fn org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// Sets the organization path (`o-…/r-…/ou-…/`).
    pub fn org_path(mut self, path: impl Into<String>) -> Self {
        self.org_path = Some(path.into());
        self
    }

    /// Sets the session name.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// Adds a principal tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Adds an identity-based policy (IAM JSON); the default allow-all
    /// policy no longer applies.
    pub fn identity_policy(mut self, policy_json: impl Into<String>) -> Self {
        self.identity_policies
            .get_or_insert_with(Vec::new)
            .push(policy_json.into());
        self
    }

    /// Gives the principal no identity-based policy at all (a role that
    /// lacks `vpc-lattice-svcs:Invoke`).
    pub fn no_identity_policy(mut self) -> Self {
        self.identity_policies = Some(Vec::new());
        self
    }

    /// Static credentials for a client of the fake.
    pub fn credentials(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
            None,
            "lattice-fake",
        )
    }

    /// Checks that the identity headers the fake writes for this
    /// principal's requests can be written: a tag key the tags header
    /// reserves (`principal`, `principalorgid`, …) or a value with control
    /// characters is refused when the model is built, rather than failing
    /// every request.
    pub(crate) fn check_identity_headers(
        &self,
        session_name: Option<&str>,
    ) -> Result<(), crate::error::FakeError> {
        let mut identity = lattice_client::identity::CallerIdentity::default();
        identity.auth_type = Some("AWS_IAM".to_owned());
        identity.principal = Some(self.arn.clone());
        identity.principal_org_id = self.org_id.clone();
        identity.principal_org_path = self.org_path.clone();
        identity.session_name = session_name.map(str::to_owned);
        identity.principal_tags = self.tags.clone();
        identity
            .write_headers(&mut http::HeaderMap::new())
            .map_err(|e| {
                crate::error::FakeError::Invalid(format!("principal `{}`: {e}", self.access_key_id))
            })
    }
}

/// A client VPC: where callers come from.
///
/// Requests are attributed to the first client whose `source_ip` equals the
/// connection's peer address, else to the default client
/// ([`FakeLatticeBuilder::default_client`](crate::FakeLatticeBuilder::default_client)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Client {
    /// The VPC id (`vpc-…`).
    pub vpc_id: String,
    /// The account owning the VPC; the fake's account when unset.
    pub owner_account: Option<String>,
    /// The service network the VPC is associated with; the first network
    /// when unset.
    pub network: Option<String>,
    /// The loopback address this client's connections come from.
    pub source_ip: Option<IpAddr>,
}

impl Client {
    /// A client VPC with this id.
    pub fn new(vpc_id: impl Into<String>) -> Self {
        Client {
            vpc_id: vpc_id.into(),
            owner_account: None,
            network: None,
            source_ip: None,
        }
    }

    /// Sets the owner account.
    pub fn owner_account(mut self, account: impl Into<String>) -> Self {
        self.owner_account = Some(account.into());
        self
    }

    /// Sets the associated service network.
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.network = Some(network.into());
        self
    }

    /// Attributes connections from `ip` to this client.
    pub fn source_ip(mut self, ip: IpAddr) -> Self {
        self.source_ip = Some(ip);
        self
    }
}

/// The VPC id of the default client.
pub const DEFAULT_CLIENT_VPC: &str = "vpc-0a1b2c3d4e5f60718";
