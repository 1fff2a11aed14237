//! Credentials lookup and clock: what the verifier is given.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// What the verifier knows about one access key id.
///
/// `Debug` hides the secret key and the session token.
#[derive(Clone)]
pub struct KeyCredentials<P> {
    secret_access_key: String,
    session_token: Option<String>,
    principal: P,
}

impl<P> KeyCredentials<P> {
    /// Long-term credentials (no session token) for `principal`.
    pub fn new(secret_access_key: impl Into<String>, principal: P) -> Self {
        Self {
            secret_access_key: secret_access_key.into(),
            session_token: None,
            principal,
        }
    }

    /// Marks these as temporary credentials: requests must carry exactly this
    /// `x-amz-security-token`.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// The principal a verified request is attributed to.
    pub fn principal(&self) -> &P {
        &self.principal
    }
}

impl<P: fmt::Debug> fmt::Debug for KeyCredentials<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCredentials")
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("principal", &self.principal)
            .finish()
    }
}

/// Maps an access key id to its secret, session token and principal.
///
/// The lookup is synchronous: the verifier runs inside request handling and
/// keeps no state per request. Back it with an in-memory table (as
/// [`StaticCredentials`] does) or a cache refreshed elsewhere.
pub trait CredentialsLookup: Send + Sync {
    /// The principal value handed back in [`Verified::principal`](super::Verified::principal): an ARN
    /// string or any opaque value.
    type Principal: Clone + Send + Sync + 'static;

    /// The credentials of `access_key_id`, or `None` when it is unknown.
    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<Self::Principal>>;
}

impl<L: CredentialsLookup + ?Sized> CredentialsLookup for Arc<L> {
    type Principal = L::Principal;

    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<Self::Principal>> {
        (**self).lookup(access_key_id)
    }
}

/// A fixed table of credentials, keyed by access key id.
#[derive(Clone, Debug, Default)]
pub struct StaticCredentials<P = String> {
    keys: HashMap<String, KeyCredentials<P>>,
}

impl<P> StaticCredentials<P> {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            keys: HashMap::new(),
        }
    }

    /// Adds or replaces the credentials of `access_key_id`.
    pub fn insert(&mut self, access_key_id: impl Into<String>, credentials: KeyCredentials<P>) {
        self.keys.insert(access_key_id.into(), credentials);
    }

    /// By-value form of [`insert`](Self::insert).
    pub fn with(
        mut self,
        access_key_id: impl Into<String>,
        credentials: KeyCredentials<P>,
    ) -> Self {
        self.insert(access_key_id, credentials);
        self
    }
}

impl<P: Clone + Send + Sync + 'static> CredentialsLookup for StaticCredentials<P> {
    type Principal = P;

    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<P>> {
        self.keys.get(access_key_id).cloned()
    }
}

/// The verifier's notion of "now".
///
/// Implemented for [`SystemClock`], [`FixedClock`] and any
/// `Fn() -> SystemTime + Send + Sync` (e.g. `move || time_source.now()` over an
/// `aws_smithy_async::time::SharedTimeSource`).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// [`SystemTime::now`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at the given time (tests).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}
