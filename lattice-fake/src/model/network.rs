//! Service networks, services and listeners.

use std::fmt;

use crate::routing::{Rule, RuleAction};

/// A service network's or service's auth type, as the API spells it
/// (`NONE` / `AWS_IAM`), with the auth policy as IAM JSON (parsed on
/// [`FakeLatticeBuilder::build`](crate::FakeLatticeBuilder::build)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// `NONE`: the layer does not take part in authorization.
    #[default]
    None,
    /// `AWS_IAM` with an auth policy (IAM JSON); `None` denies everything,
    /// as Lattice does for `AWS_IAM` without a policy.
    AwsIam(Option<String>),
}

impl Auth {
    /// `AWS_IAM` with `policy_json`.
    pub fn aws_iam(policy_json: impl Into<String>) -> Self {
        Auth::AwsIam(Some(policy_json.into()))
    }

    /// The API's name: `NONE` or `AWS_IAM`.
    pub fn auth_type(&self) -> &'static str {
        match self {
            Auth::None => "NONE",
            Auth::AwsIam(_) => "AWS_IAM",
        }
    }
}

/// A service network: its auth type and policy, and the services associated
/// with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceNetwork {
    /// Its name (3–63 characters: lower-case letters, digits, hyphens).
    pub name: String,
    /// An explicit id (`sn-` + 17 hex digits); generated from the name if unset.
    pub id: Option<String>,
    /// Auth type and policy.
    pub auth: Auth,
    /// Names of the associated services.
    pub services: Vec<String>,
    /// Associate every service of the fake.
    pub all_services: bool,
}

impl ServiceNetwork {
    /// A network named `name`, auth type `NONE`, no services.
    pub fn new(name: impl Into<String>) -> Self {
        ServiceNetwork {
            name: name.into(),
            id: None,
            auth: Auth::None,
            services: Vec::new(),
            all_services: false,
        }
    }

    /// Sets an explicit id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the auth type and policy.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// `AWS_IAM` with this auth policy (IAM JSON).
    pub fn aws_iam(self, policy_json: impl Into<String>) -> Self {
        self.auth(Auth::aws_iam(policy_json))
    }

    /// Associates the service named `name`.
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.services.push(name.into());
        self
    }

    /// Associates every service of the fake.
    pub fn all_services(mut self) -> Self {
        self.all_services = true;
        self
    }
}

/// A service: name, optional explicit id and custom domain, auth, listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Service {
    /// Its name (3–40 characters: lower-case letters, digits, hyphens; no
    /// leading, trailing or double hyphen; not starting with `svc-`).
    pub name: String,
    /// An explicit id (`svc-` + 17 hex digits); generated from the name if unset.
    pub id: Option<String>,
    /// A custom domain name served next to the generated name.
    pub custom_domain_name: Option<String>,
    /// Auth type and policy.
    pub auth: Auth,
    /// Its listeners (at most [`Limits::listeners_per_service`](crate::Limits::listeners_per_service)).
    pub listeners: Vec<Listener>,
}

impl Service {
    /// A service named `name`, auth type `NONE`, no listeners.
    pub fn new(name: impl Into<String>) -> Self {
        Service {
            name: name.into(),
            id: None,
            custom_domain_name: None,
            auth: Auth::None,
            listeners: Vec::new(),
        }
    }

    /// Sets an explicit id (`svc-0123456789abcdef0`).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the custom domain name.
    pub fn custom_domain(mut self, domain: impl Into<String>) -> Self {
        self.custom_domain_name = Some(domain.into());
        self
    }

    /// Sets the auth type and policy.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// `AWS_IAM` with this auth policy (IAM JSON).
    pub fn aws_iam(self, policy_json: impl Into<String>) -> Self {
        self.auth(Auth::aws_iam(policy_json))
    }

    /// Adds a listener.
    pub fn listener(mut self, listener: Listener) -> Self {
        self.listeners.push(listener);
        self
    }
}

/// A listener protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ListenerProtocol {
    /// `HTTP`: plain text, HTTP/1.1 (and h2 with prior knowledge, assumed for Lattice).
    #[serde(rename = "HTTP")]
    Http,
    /// `HTTPS`: TLS terminated by the fake, ALPN `h2` and `http/1.1`.
    #[serde(rename = "HTTPS")]
    Https,
}

impl ListenerProtocol {
    /// `HTTP` or `HTTPS`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListenerProtocol::Http => "HTTP",
            ListenerProtocol::Https => "HTTPS",
        }
    }

    /// The URL scheme: `http` or `https`.
    pub fn scheme(self) -> &'static str {
        match self {
            ListenerProtocol::Http => "http",
            ListenerProtocol::Https => "https",
        }
    }

    /// The API's default port: 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            ListenerProtocol::Http => 80,
            ListenerProtocol::Https => 443,
        }
    }
}

impl fmt::Display for ListenerProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A listener: protocol, the modelled port, rules and the default action.
///
/// The modelled port is what Lattice would listen on (80, 443, …); the fake
/// serves it on an ephemeral loopback port and passes the modelled one to
/// targets (`x-forwarded-port`) and policies (`vpc-lattice-svcs:Port`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listener {
    /// Its name; `<protocol>-<port>` in lower case when unset.
    pub name: Option<String>,
    /// `HTTP` or `HTTPS`.
    pub protocol: ListenerProtocol,
    /// The modelled port (1–65535).
    pub port: u16,
    /// Its rules (the default excluded).
    pub rules: Vec<Rule>,
    /// The default action; a fixed 404 when unset.
    pub default_action: Option<RuleAction>,
}

impl Listener {
    /// An `HTTP` listener on the modelled `port`.
    pub fn http(port: u16) -> Self {
        Self::new(ListenerProtocol::Http, port)
    }

    /// An `HTTPS` listener on the modelled `port`.
    pub fn https(port: u16) -> Self {
        Self::new(ListenerProtocol::Https, port)
    }

    /// A listener of `protocol` on the modelled `port`.
    pub fn new(protocol: ListenerProtocol, port: u16) -> Self {
        Listener {
            name: None,
            protocol,
            port,
            rules: Vec::new(),
            default_action: None,
        }
    }

    /// Sets its name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the default action.
    pub fn default_action(mut self, action: RuleAction) -> Self {
        self.default_action = Some(action);
        self
    }

    /// Sets the default action to forward to one target group (by name, id
    /// or ARN).
    pub fn forward_to(self, target_group: impl Into<String>) -> Self {
        self.default_action(RuleAction::forward_to(target_group))
    }

    /// The name, or `<protocol>-<port>` in lower case.
    pub fn effective_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            format!(
                "{}-{}",
                self.protocol.as_str().to_ascii_lowercase(),
                self.port
            )
        })
    }
}
