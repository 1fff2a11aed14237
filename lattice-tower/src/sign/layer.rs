use std::sync::Arc;

use http::uri::{Authority, Scheme, Uri};
use lattice_client::Signer;
use tower_layer::Layer;

use super::SigV4Service;
use crate::Error;

/// A Tower layer that signs every request for VPC Lattice. See the
/// [module docs](crate::sign).
#[derive(Clone, Debug)]
pub struct SigV4Layer {
    signer: Signer,
    origin: Option<Arc<Origin>>,
}

/// Scheme and authority put on path-only request URIs.
#[derive(Debug)]
pub(crate) struct Origin {
    pub(crate) scheme: Scheme,
    pub(crate) authority: Authority,
}

impl SigV4Layer {
    /// A layer that signs with `signer`. Requests must carry absolute URIs.
    pub fn new(signer: Signer) -> Self {
        Self {
            signer,
            origin: None,
        }
    }

    /// Fills in scheme and authority from `origin` on requests whose URI has
    /// none (a tonic `Channel` receives `/package.Service/Method`). Requests
    /// that already carry an authority are left as they are.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOrigin`] when `origin` has no `http`/`https` scheme or
    /// no authority.
    pub fn with_origin(mut self, origin: Uri) -> Result<Self, Error> {
        let scheme = origin
            .scheme()
            .filter(|s| **s == Scheme::HTTP || **s == Scheme::HTTPS)
            .cloned();
        match (scheme, origin.authority().cloned()) {
            (Some(scheme), Some(authority)) => {
                self.origin = Some(Arc::new(Origin { scheme, authority }));
                Ok(self)
            }
            _ => Err(Error::InvalidOrigin(origin.to_string())),
        }
    }

    /// The signer.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }
}

impl<S> Layer<S> for SigV4Layer {
    type Service = SigV4Service<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SigV4Service::from_parts(inner, self.signer.clone(), self.origin.clone())
    }
}
