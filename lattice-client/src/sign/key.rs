//! One bounded cache for derived keys, used by the signer and the verifier,
//! for SigV4 signing keys and SigV4A key pairs alike.
//!
//! An entry is found by access key id and a scope (for SigV4 the day, region
//! and service the key is bound to; for SigV4A nothing, the key depends only
//! on the credentials). It is used only while the secret it was derived from
//! is unchanged: the secret is compared in constant time on every hit, so
//! rotated credentials that keep their access key id never reuse an old key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use subtle::ConstantTimeEq;

/// Most scopes kept per access key id (regions signed for on one day).
const SCOPES_PER_KEY: usize = 4;

/// What a cached key is bound to besides the credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scope<'a> {
    /// `YYYYMMDD` (SigV4), or empty.
    pub(crate) date: &'a str,
    /// The region (SigV4), or empty.
    pub(crate) region: &'a str,
    /// The signing name (SigV4), or empty.
    pub(crate) service: &'a str,
}

impl Scope<'static> {
    /// The scope of keys that depend only on the credentials (SigV4A).
    pub(crate) const NONE: Self = Self {
        date: "",
        region: "",
        service: "",
    };
}

struct Entry<V> {
    date: Box<str>,
    region: Box<str>,
    service: Box<str>,
    /// The secret the value was derived from.
    secret: Box<[u8]>,
    value: Arc<V>,
}

impl<V> Entry<V> {
    fn matches(&self, scope: Scope<'_>, secret: &[u8]) -> bool {
        *self.date == *scope.date
            && *self.region == *scope.region
            && *self.service == *scope.service
            && bool::from(self.secret.ct_eq(secret))
    }
}

/// A bounded cache of derived keys per access key id. `capacity` access key
/// ids at most (`0` disables caching); up to four scopes each.
pub(crate) struct KeyCache<V> {
    capacity: usize,
    entries: Mutex<HashMap<Box<str>, Vec<Entry<V>>>>,
}

impl<V> KeyCache<V> {
    /// An empty cache for `capacity` access key ids.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value for these credentials and scope, or `derive()`'s
    /// result (derived outside the lock, then cached).
    ///
    /// # Errors
    ///
    /// `derive`'s error; nothing is cached then.
    pub(crate) fn get_or_derive<E>(
        &self,
        access_key_id: &str,
        secret: &str,
        scope: Scope<'_>,
        derive: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if self.capacity == 0 {
            return derive().map(Arc::new);
        }
        let secret = secret.as_bytes();
        if let Some(hit) = self
            .lock()
            .get(access_key_id)
            .and_then(|slot| slot.iter().find(|e| e.matches(scope, secret)))
        {
            return Ok(hit.value.clone());
        }
        let value = Arc::new(derive()?);
        let mut entries = self.lock();
        if entries.len() >= self.capacity
            && !entries.contains_key(access_key_id)
            && let Some(victim) = entries.keys().next().cloned()
        {
            // Evict an arbitrary id: the cache only saves a derivation.
            entries.remove(&victim);
        }
        let slot = entries.entry(access_key_id.into()).or_default();
        // A rotated secret makes every older entry of this id useless.
        slot.retain(|e| bool::from(e.secret.ct_eq(secret)));
        if slot.len() >= SCOPES_PER_KEY {
            slot.remove(0);
        }
        slot.push(Entry {
            date: scope.date.into(),
            region: scope.region.into(),
            service: scope.service.into(),
            secret: secret.into(),
            value: value.clone(),
        });
        Ok(value)
    }

    /// Cached access key ids (tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Vec<Entry<V>>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<V> std::fmt::Debug for KeyCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("capacity", &self.capacity)
            .field("ids", &self.lock().len())
            .finish()
    }
}
