use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use lattice_client::trace::RequestSpan;
use pin_project_lite::pin_project;

use crate::{BoxError, Error};

type Preparing<F> = Pin<Box<dyn Future<Output = Result<F, lattice_client::Error>> + Send>>;

pin_project! {
    /// The response future of [`SigV4Service`](super::SigV4Service).
    ///
    /// # Panics
    ///
    /// When polled again after it returned its output, as futures may.
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        span: RequestSpan,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // Waiting for credentials; resolves to the wrapped service's future.
        Preparing { prepare: Preparing<F> },
        Called { #[pin] future: F },
        Failed { error: Option<Error> },
        // The output was returned.
        Done,
    }
}

const POLLED_AFTER_COMPLETION: &str =
    "`lattice_tower::sign::ResponseFuture` polled after it completed (a bug in the caller)";

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn called(future: F, span: RequestSpan) -> Self {
        Self {
            state: State::Called { future },
            span,
        }
    }

    pub(crate) fn failed(error: Error, span: RequestSpan) -> Self {
        Self {
            state: State::Failed { error: Some(error) },
            span,
        }
    }

    pub(crate) fn preparing(prepare: Preparing<F>, span: RequestSpan) -> Self {
        Self {
            state: State::Preparing { prepare },
            span,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<http::Response<B>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let span = &*this.span;
        let _entered = span.span().enter();
        loop {
            match this.state.as_mut().project() {
                StateProj::Called { future } => {
                    let output = ready!(future.poll(cx)).map_err(Into::into);
                    this.state.set(State::Done);
                    match &output {
                        Ok(response) => {
                            span.record_response(response.status(), response.headers());
                        }
                        Err(_) => span.record_error("_OTHER"),
                    }
                    return Poll::Ready(output.map(|mut response| {
                        // Kept alive with the response, so that whoever reads
                        // the body can record Lattice's refusal into it.
                        if span.may_be_refusal(response.status()) {
                            response.extensions_mut().insert(span.clone());
                        }
                        response
                    }));
                }
                StateProj::Failed { error } => {
                    let error = error.take().expect(POLLED_AFTER_COMPLETION);
                    this.state.set(State::Done);
                    span.record_error(match error {
                        Error::Sign(_) => "signing",
                        _ => "invalid_request",
                    });
                    return Poll::Ready(Err(Box::new(error)));
                }
                StateProj::Done => panic!("{POLLED_AFTER_COMPLETION}"),
                StateProj::Preparing { prepare } => match ready!(prepare.as_mut().poll(cx)) {
                    Ok(future) => this.state.set(State::Called { future }),
                    Err(e) => this.state.set(State::Failed {
                        error: Some(Error::Sign(e)),
                    }),
                },
            }
        }
    }
}
