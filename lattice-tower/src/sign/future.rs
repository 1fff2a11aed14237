use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

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
    pub(crate) fn called(future: F) -> Self {
        Self {
            state: State::Called { future },
        }
    }

    pub(crate) fn failed(error: Error) -> Self {
        Self {
            state: State::Failed { error: Some(error) },
        }
    }

    pub(crate) fn preparing(prepare: Preparing<F>) -> Self {
        Self {
            state: State::Preparing { prepare },
        }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Called { future } => {
                    let output = ready!(future.poll(cx)).map_err(Into::into);
                    this.state.set(State::Done);
                    return Poll::Ready(output);
                }
                StateProj::Failed { error } => {
                    let error = error.take().expect(POLLED_AFTER_COMPLETION);
                    this.state.set(State::Done);
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
