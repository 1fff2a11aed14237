//! Conversions between Lattice Lambda JSON and `http` types, both ways.
//!
//! | from | to | function |
//! |---|---|---|
//! | V1/V2 event | `http::Request<Body>` | [`V1Event::into_http_request`](super::V1Event::into_http_request), [`V2Event::into_http_request`](super::V2Event::into_http_request) |
//! | `http::Request` | V1/V2 event | [`V1Event::from_http_request`](super::V1Event::from_http_request), [`V2Event::from_http_request`](super::V2Event::from_http_request) (fake data plane) |
//! | `http::Response<B>` | response JSON | [`LatticeResponse::from_http_response`](super::LatticeResponse::from_http_response) |
//! | response JSON | `http::Response<Body>` | [`LatticeResponse::from_slice`](super::LatticeResponse::from_slice) + [`LatticeResponse::into_http_response`](super::LatticeResponse::into_http_response) (fake data plane) |
//!
//! The rules (list headers, `Set-Cookie`, Base64, size) are described in the
//! [module docs](super#rules-chosen-here) and on each item.
//!
//! The conversions live in the modules beside this one (requests, responses,
//! bodies); the items are re-exported here so that their `convert::` paths
//! keep working.

pub use super::body::is_text_content_type;
pub use super::request::V1_LIST_HEADERS;
pub use super::response::{
    DEFAULT_MAX_JSON_BYTES, LatticeResponse, ResponseError, ResponseOptions, SetCookiePolicy,
    collect_limited,
};
