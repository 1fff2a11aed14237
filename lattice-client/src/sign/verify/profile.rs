//! Profiles: the rules a verifier applies.

use super::super::canonical::EncodingMode;

/// Which canonical URI encodings a verifier accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingPolicy {
    /// Only this mode.
    Only(EncodingMode),
    /// [`EncodingMode::Double`] first, then [`EncodingMode::Single`].
    Either,
}

impl EncodingPolicy {
    pub(super) fn modes(self) -> &'static [EncodingMode] {
        match self {
            Self::Only(EncodingMode::Double) => &[EncodingMode::Double],
            Self::Only(EncodingMode::Single) => &[EncodingMode::Single],
            Self::Either => &[EncodingMode::Double, EncodingMode::Single],
        }
    }
}

/// Where the payload hash (last line of the canonical request) comes from, in
/// the generic profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadPolicy {
    /// The literal `UNSIGNED-PAYLOAD`; an `x-amz-content-sha256` header, if
    /// sent, must say the same.
    Unsigned,
    /// The value of the `x-amz-content-sha256` header, which must be present
    /// and signed. The caller must check the body against it afterwards
    /// (unless it is `UNSIGNED-PAYLOAD`).
    FromHeader,
    /// The body hash the caller supplies with
    /// [`RequestView::with_body_sha256`](super::RequestView::with_body_sha256); an `x-amz-content-sha256` header, if
    /// sent, must say the same.
    BodySha256,
}

/// Parameters of the generic profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericProfile {
    pub(super) service: String,
    pub(super) region: String,
    pub(super) encoding: EncodingPolicy,
    pub(super) payload: PayloadPolicy,
}

impl GenericProfile {
    /// Signing name and region; [`EncodingMode::Double`] and
    /// [`PayloadPolicy::BodySha256`] until changed.
    pub fn new(service: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            region: region.into(),
            encoding: EncodingPolicy::Only(EncodingMode::Double),
            payload: PayloadPolicy::BodySha256,
        }
    }

    /// Sets the accepted canonical URI encodings.
    pub fn encoding(mut self, encoding: EncodingPolicy) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets where the payload hash comes from.
    pub fn payload(mut self, payload: PayloadPolicy) -> Self {
        self.payload = payload;
        self
    }
}

/// The rules a [`Verifier`](super::Verifier) applies.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// The Lattice data plane of one service, in `region`.
    Lattice {
        /// The service's region, e.g. `us-west-2`.
        region: String,
    },
    /// Caller-chosen rules (AWS test suite, other services).
    Generic(GenericProfile),
}

impl Profile {
    /// The Lattice profile for a service in `region`.
    pub fn lattice(region: impl Into<String>) -> Self {
        Self::Lattice {
            region: region.into(),
        }
    }
}

/// Why a [`VerifierBuilder`](super::VerifierBuilder) refused its configuration (caller fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The region is empty or not made of `a-z`, `0-9` and `-`.
    #[error("invalid region {0:?}: use a region name such as `us-west-2`")]
    InvalidRegion(String),
    /// The signing name is empty or contains `/` or whitespace.
    #[error("invalid signing name {0:?}: use a name such as `vpc-lattice-svcs`")]
    InvalidService(String),
}
