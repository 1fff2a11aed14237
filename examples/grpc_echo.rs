//! The gRPC echo service: a demo and test service with one RPC of each gRPC
//! kind.
//!
//! Example code, not part of the SDK: it exists so that the examples, the
//! tests and the benchmarks have a gRPC service to call behind the fake. The messages, the client
//! ([`echo_client::EchoClient`]) and the server ([`echo_server::EchoServer`])
//! are generated at build time from `proto/echo.proto` (package
//! `lattice.echo`, service `Echo`) with protox, a protobuf compiler in pure
//! Rust; [`EchoService`] is a ready implementation.
//!
//! | RPC | kind | path |
//! |---|---|---|
//! | `Unary` | unary | `/lattice.echo.Echo/Unary` |
//! | `ServerStream` | server streaming | `/lattice.echo.Echo/ServerStream` |
//! | `ClientStream` | client streaming | `/lattice.echo.Echo/ClientStream` |
//! | `Bidi` | bidirectional streaming | `/lattice.echo.Echo/Bidi` |
//!
//! ```
//! use lattice_examples::grpc_echo::{EchoService, echo_server::EchoServer};
//!
//! let service = EchoServer::new(EchoService::new());
//! // tonic::transport::Server::builder().add_service(service).serve(addr)
//! # let _ = service;
//! ```

use std::pin::Pin;

use tonic::codegen::tokio_stream::{self, Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

use lattice_tonic::identity::caller_identity;

#[allow(missing_docs, clippy::all, clippy::pedantic, unreachable_pub)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/lattice.echo.rs"));
}

pub use generated::*;

/// The full name of the service, as in RPC paths and auth-policy resources.
pub const SERVICE_NAME: &str = "lattice.echo.Echo";

/// Longest `message` a client-streaming answer collects, in bytes.
const MAX_JOINED: usize = 4 * 1024;

/// A response stream of [`EchoService`].
pub type EchoStream = Pin<Box<dyn Stream<Item = Result<EchoResponse, Status>> + Send>>;

/// A ready implementation of the echo service (see the [module docs](self)).
///
/// Every response's `caller` is the caller's principal ARN when the server
/// runs [`CallerIdentityLayer`](lattice_tonic::identity::CallerIdentityLayer) and
/// Lattice identified the caller.
#[derive(Debug, Clone, Default)]
pub struct EchoService {
    _private: (),
}

impl EchoService {
    /// A new echo service.
    pub fn new() -> Self {
        Self::default()
    }
}

fn caller<T>(request: &Request<T>) -> String {
    caller_identity(request)
        .and_then(|c| c.principal.clone())
        .unwrap_or_default()
}

#[tonic::async_trait]
impl echo_server::Echo for EchoService {
    async fn unary(&self, request: Request<EchoRequest>) -> Result<Response<EchoResponse>, Status> {
        let caller = caller(&request);
        let request = request.into_inner();
        Ok(Response::new(EchoResponse {
            message: request.message,
            index: 0,
            messages_received: 1,
            bytes_received: request.payload.len() as u64,
            caller,
        }))
    }

    type ServerStreamStream = EchoStream;

    async fn server_stream(
        &self,
        request: Request<EchoRequest>,
    ) -> Result<Response<Self::ServerStreamStream>, Status> {
        let caller = caller(&request);
        let request = request.into_inner();
        let bytes = request.payload.len() as u64;
        let responses = (0..request.repeat.max(1)).map(move |index| {
            Ok(EchoResponse {
                message: request.message.clone(),
                index,
                messages_received: 1,
                bytes_received: bytes,
                caller: caller.clone(),
            })
        });
        Ok(Response::new(Box::pin(tokio_stream::iter(responses))))
    }

    async fn client_stream(
        &self,
        request: Request<Streaming<EchoRequest>>,
    ) -> Result<Response<EchoResponse>, Status> {
        let caller = caller(&request);
        let mut stream = request.into_inner();
        let mut response = EchoResponse {
            caller,
            ..Default::default()
        };
        while let Some(message) = stream.message().await? {
            response.messages_received += 1;
            response.bytes_received += message.payload.len() as u64;
            if !message.message.is_empty() && response.message.len() < MAX_JOINED {
                if !response.message.is_empty() {
                    response.message.push(' ');
                }
                response.message.push_str(&message.message);
            }
        }
        Ok(Response::new(response))
    }

    type BidiStream = EchoStream;

    async fn bidi(
        &self,
        request: Request<Streaming<EchoRequest>>,
    ) -> Result<Response<Self::BidiStream>, Status> {
        let caller = caller(&request);
        let mut index = 0u32;
        let mut bytes = 0u64;
        let responses = request.into_inner().map(move |message| {
            let message = message?;
            bytes += message.payload.len() as u64;
            let response = EchoResponse {
                message: message.message,
                index,
                messages_received: u64::from(index) + 1,
                bytes_received: bytes,
                caller: caller.clone(),
            };
            index = index.saturating_add(1);
            Ok(response)
        });
        Ok(Response::new(Box::pin(responses)))
    }
}
