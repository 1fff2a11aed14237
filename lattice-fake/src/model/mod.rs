//! The fake's model: service networks, services, listeners, target groups,
//! principals and clients, written the way a user writes Terraform, and
//! validated on [`FakeLatticeBuilder::build`].

use bytes::Bytes;
use http_body::Body as HttpBody;
use http_body_util::BodyExt;

/// The error type of bodies and targets inside the fake.
pub use lattice_client::BoxError;

/// The body of requests handed to targets and of responses taken from them.
pub type FakeBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// Boxes any body into a [`FakeBody`].
pub fn boxed_body<B>(body: B) -> FakeBody
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(Into::into).boxed_unsync()
}

/// A body holding `bytes`.
pub fn full_body(bytes: impl Into<Bytes>) -> FakeBody {
    boxed_body(http_body_util::Full::new(bytes.into()))
}

/// An empty body.
pub fn empty_body() -> FakeBody {
    boxed_body(http_body_util::Empty::<Bytes>::new())
}

mod builder;
mod network;
mod principal;
mod target;

pub use builder::*;
pub use network::*;
pub use principal::*;
pub use target::*;
