//! Lattice's own refusals, typed: tell a `403` from VPC Lattice apart from
//! your target's `403`.
//!
//! When Lattice refuses a request itself — a bad signature, an auth policy
//! that denies, a name it does not serve — it answers with a one-line text
//! body: `<Code>Exception: <message>` (for example
//! `AccessDeniedException: User: … is not authorized to perform: …`) or, for
//! a name it does not serve, `404` `Non Existent Service`.
//! [`Refusal::from_response`] recognises exactly those answers and returns
//! `None` for anything else, such as a target's own `403 Forbidden`.
//!
//! ```
//! use http::{HeaderMap, StatusCode};
//! use lattice_client::refusal::{Layer, Refusal};
//!
//! let body = b"AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/app/s1 \
//!     is not authorized to perform: vpc-lattice-svcs:Invoke on resource: \
//!     arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/admin \
//!     with an explicit deny in a service-based policy\n";
//! let mut headers = HeaderMap::new();
//! headers.insert("x-amzn-requestid", "5e0c1f0e-0000-4000-8000-000000000000".parse().unwrap());
//! let refusal = Refusal::from_response(StatusCode::FORBIDDEN, &headers, body).expect("Lattice's");
//! assert_eq!(refusal.code(), "AccessDeniedException");
//! assert_eq!(refusal.request_id(), Some("5e0c1f0e-0000-4000-8000-000000000000"));
//! let denial = refusal.access_denial().expect("an access denial");
//! assert_eq!(denial.layer(), Layer::Service);
//! assert!(denial.is_explicit());
//! assert_eq!(denial.principal(), "arn:aws:sts::111122223333:assumed-role/app/s1");
//!
//! // A target's own 403 is not Lattice's.
//! assert!(Refusal::from_response(StatusCode::FORBIDDEN, &HeaderMap::new(), b"Forbidden").is_none());
//! ```
//!
//! Only the start of the body is needed ([`MAX_BODY`] bytes are read at
//! most); a body that is not UTF-8 is not a refusal. A target that answers
//! with Lattice's exact line format cannot be told apart from Lattice: do not
//! make security decisions on a `Refusal`, only diagnoses. The causes and
//! fixes of each refusal are in [`crate::hint`]; [`Refusal::hint`]
//! picks the row.

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::hint::{self, Hint};

/// The number of leading body bytes [`Refusal::from_response`] looks at.
pub const MAX_BODY: usize = 4096;

/// The body line of a `404` for a name Lattice does not serve.
pub const NON_EXISTENT_SERVICE: &str = "Non Existent Service";

/// The response header that carries Lattice's request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// A refusal written by VPC Lattice itself (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    status: StatusCode,
    code: String,
    message: String,
    request_id: Option<String>,
    denial: Option<AccessDenial>,
}

/// The auth-policy layer that refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// The service network's auth policy (`network-based policy`).
    Network,
    /// The service's auth policy (`service-based policy`).
    Service,
    /// The caller's IAM identity policies (`identity-based policy`).
    Identity,
}

impl Layer {
    /// The word Lattice's line uses: `network`, `service` or `identity`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Network => "network",
            Layer::Service => "service",
            Layer::Identity => "identity",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        match word {
            "network" => Some(Layer::Network),
            "service" => Some(Layer::Service),
            "identity" => Some(Layer::Identity),
            _ => None,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of an `AccessDeniedException` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDenial {
    principal: String,
    action: String,
    resource: String,
    layer: Layer,
    explicit: bool,
}

impl AccessDenial {
    /// The caller as Lattice names it: a principal ARN, or `anonymous`.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The action, `vpc-lattice-svcs:Invoke`.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource: the service ARN followed by the request path.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The layer whose policy refused.
    pub fn layer(&self) -> Layer {
        self.layer
    }

    /// `true` for an explicit `Deny`, `false` when no statement allowed.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// Parses the message after `AccessDeniedException: `.
    fn parse(message: &str) -> Option<Self> {
        let rest = message.strip_prefix("User: ")?;
        let (principal, rest) = rest.split_once(" is not authorized to perform: ")?;
        let (action, rest) = rest.split_once(" on resource: ")?;
        if let Some((resource, tail)) = rest.rsplit_once(" with an explicit deny in a ") {
            let layer = Layer::parse(tail.strip_suffix("-based policy")?)?;
            return Some(Self::new(principal, action, resource, layer, true));
        }
        let (resource, tail) = rest.rsplit_once(" because no ")?;
        let (word, tail) = tail.split_once("-based policy allows the ")?;
        if tail.strip_suffix(" action")? != action {
            return None;
        }
        Some(Self::new(
            principal,
            action,
            resource,
            Layer::parse(word)?,
            false,
        ))
    }

    fn new(principal: &str, action: &str, resource: &str, layer: Layer, explicit: bool) -> Self {
        AccessDenial {
            principal: principal.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            layer,
            explicit,
        }
    }
}

impl Refusal {
    /// Recognises Lattice's own answer from a response's status, headers and
    /// the start of its body (at most [`MAX_BODY`] bytes are looked at).
    ///
    /// `Some` only for a 4xx or 5xx whose first body line is
    /// `<Name>Exception: <message>`, or a `404` whose body is
    /// `Non Existent Service`; `None` for everything else.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Option<Self> {
        if !(status.is_client_error() || status.is_server_error()) {
            return None;
        }
        let line = first_line(body)?;
        let (code, message) = if status == StatusCode::NOT_FOUND && line == NON_EXISTENT_SERVICE {
            (NON_EXISTENT_SERVICE, "")
        } else {
            let (code, message) = line.split_once(": ")?;
            if !is_exception_name(code) {
                return None;
            }
            (code, message)
        };
        let denial = (code == "AccessDeniedException")
            .then(|| AccessDenial::parse(message))
            .flatten();
        let request_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Some(Refusal {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
            request_id,
            denial,
        })
    }

    /// The response status (usually `403`).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The exception name, for example `AccessDeniedException`; for a name
    /// Lattice does not serve, `Non Existent Service`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The text after `<code>: ` (empty for `Non Existent Service`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Lattice's request id, from the `x-amzn-requestid` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The layer, principal and resource of an `AccessDeniedException`.
    pub fn access_denial(&self) -> Option<&AccessDenial> {
        self.denial.as_ref()
    }

    /// The likely cause and fix, from the [`hint`] table.
    pub fn hint(&self) -> Option<&'static Hint> {
        hint::for_response(self.status.as_u16(), &self.line())
    }

    /// The body line as Lattice wrote it.
    pub fn line(&self) -> String {
        if self.message.is_empty() {
            self.code.clone()
        } else {
            format!("{}: {}", self.code, self.message)
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.line())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// The first line of at most [`MAX_BODY`] bytes, trimmed; `None` when it is
/// empty or not UTF-8.
fn first_line(body: &[u8]) -> Option<&str> {
    let body = &body[..body.len().min(MAX_BODY)];
    let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let line = match std::str::from_utf8(&body[..end]) {
        Ok(line) => line,
        // Cut inside a character at the MAX_BODY boundary: keep what is whole.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&body[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    }
    .trim();
    (!line.is_empty()).then_some(line)
}

/// `[A-Z][A-Za-z0-9]*Exception`.
fn is_exception_name(code: &str) -> bool {
    code.len() > "Exception".len()
        && code.ends_with("Exception")
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests;
