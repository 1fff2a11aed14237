//! The hash, HMAC and ECDSA primitives of the signer and the verifier.
//!
//! With the default `aws-lc` feature they come from `aws-lc-rs` (measured
//! faster for both SHA-256 and ECDSA P-256, see `benches/sign.rs`); without
//! it from the pure-Rust `sha2`, `hmac` and `p256` crates. The two backends
//! give identical SigV4 signatures; SigV4A signatures differ (ECDSA nonces)
//! but verify the same way.
//!
//! Key derivation stays `aws-sigv4`'s own (`generate_signing_key` for both
//! algorithms), so the derived keys are byte-for-byte those of the reference.

use std::time::SystemTime;

/// A SHA-256 digest.
pub(crate) type Sha256Digest = [u8; 32];

/// SHA-256 of `data`.
#[cfg(feature = "aws-lc")]
pub(crate) fn sha256(data: &[u8]) -> Sha256Digest {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// SHA-256 of `data`.
#[cfg(not(feature = "aws-lc"))]
pub(crate) fn sha256(data: &[u8]) -> Sha256Digest {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

/// An HMAC-SHA256 key with its inner and outer pads already hashed, so each
/// signature costs only the message blocks and one outer block.
#[derive(Clone)]
pub(crate) struct HmacKey {
    #[cfg(feature = "aws-lc")]
    key: aws_lc_rs::hmac::Key,
    #[cfg(not(feature = "aws-lc"))]
    key: hmac::Hmac<sha2::Sha256>,
}

impl HmacKey {
    /// A key from raw bytes.
    pub(crate) fn new(key: &[u8]) -> Self {
        #[cfg(feature = "aws-lc")]
        {
            Self {
                key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key),
            }
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            use hmac::KeyInit;
            // HMAC takes keys of any length: `new_from_slice` cannot fail.
            let key = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable_hmac());
            Self { key }
        }
    }

    /// HMAC-SHA256 of `data`.
    pub(crate) fn sign(&self, data: &[u8]) -> Sha256Digest {
        let mut out = [0u8; 32];
        #[cfg(feature = "aws-lc")]
        {
            out.copy_from_slice(aws_lc_rs::hmac::sign(&self.key, data).as_ref());
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            use hmac::Mac as _;
            let mut mac = self.key.clone();
            mac.update(data);
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }
}

#[cfg(not(feature = "aws-lc"))]
#[cold]
fn unreachable_hmac() -> hmac::Hmac<sha2::Sha256> {
    use hmac::KeyInit;
    // Unreachable: HMAC accepts every key length. Fall back to an empty key
    // rather than panic.
    <hmac::Hmac<sha2::Sha256> as KeyInit>::new(&Default::default())
}

/// Derives the SigV4 signing key for one day, region and service (four
/// HMACs), exactly as `aws_sigv4::sign::v4::generate_signing_key`.
pub(crate) fn derive_v4_key(
    secret: &str,
    time: SystemTime,
    region: &str,
    service: &str,
) -> HmacKey {
    let key = aws_sigv4::sign::v4::generate_signing_key(secret, time, region, service);
    HmacKey::new(key.as_ref())
}

/// Lower-case hex of `bytes` appended to `out`.
pub(crate) fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0x0f)]);
    }
}

/// The SigV4A ECDSA P-256 signing key of one access key pair.
pub(crate) struct V4aSigningKey {
    #[cfg(feature = "aws-lc")]
    key: aws_lc_rs::signature::EcdsaKeyPair,
    #[cfg(not(feature = "aws-lc"))]
    key: p256::ecdsa::SigningKey,
}

impl V4aSigningKey {
    /// Derives the key as `aws_sigv4::sign::v4a::generate_signing_key` does.
    /// `None` only if the derived scalar is not a valid key, which the
    /// derivation rules out.
    pub(crate) fn derive(access_key_id: &str, secret_access_key: &str) -> Option<Self> {
        let scalar = aws_sigv4::sign::v4a::generate_signing_key(access_key_id, secret_access_key);
        Self::from_scalar(scalar.as_ref())
    }

    /// A key from a big-endian 32-byte private scalar.
    pub(crate) fn from_scalar(scalar: &[u8]) -> Option<Self> {
        #[cfg(feature = "aws-lc")]
        {
            // RFC 5915 ECPrivateKey: version 1, the scalar, and the curve
            // (prime256v1); the public key is computed from the scalar.
            const PREFIX: [u8; 7] = [0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20];
            const CURVE: [u8; 12] = [
                0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
            ];
            if scalar.len() != 32 {
                return None;
            }
            let mut der = zeroize_on_drop::Buffer::default();
            der.0.extend_from_slice(&PREFIX);
            der.0.extend_from_slice(scalar);
            der.0.extend_from_slice(&CURVE);
            let key = aws_lc_rs::signature::EcdsaKeyPair::from_private_key_der(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                &der.0,
            )
            .ok()?;
            Some(Self { key })
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            Some(Self {
                key: p256::ecdsa::SigningKey::from_slice(scalar).ok()?,
            })
        }
    }

    /// The uncompressed SEC1 public key (`04 || X || Y`).
    #[cfg(feature = "aws-lc")]
    pub(crate) fn public_key_sec1(&self) -> Vec<u8> {
        use aws_lc_rs::signature::KeyPair as _;
        self.key.public_key().as_ref().to_vec()
    }

    /// The DER ECDSA signature of SHA-256(`message`), appended to `out` as
    /// lower-case hex. `false` if the backend failed (never expected).
    pub(crate) fn sign_hex(&self, message: &[u8], out: &mut Vec<u8>) -> bool {
        #[cfg(feature = "aws-lc")]
        {
            let rng = aws_lc_rs::rand::SystemRandom::new();
            match self.key.sign(&rng, message) {
                Ok(signature) => {
                    push_hex(out, signature.as_ref());
                    true
                }
                Err(_) => false,
            }
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            use p256::ecdsa::signature::Signer as _;
            let signature: p256::ecdsa::Signature = self.key.sign(message);
            push_hex(out, signature.to_der().as_bytes());
            true
        }
    }
}

/// A SigV4A public key, parsed once for many verifications.
pub(crate) struct V4aVerifyingKey {
    #[cfg(feature = "aws-lc")]
    key: aws_lc_rs::signature::ParsedPublicKey,
    #[cfg(not(feature = "aws-lc"))]
    key: p256::ecdsa::VerifyingKey,
}

impl V4aVerifyingKey {
    /// The public key of `signing`.
    pub(crate) fn of(signing: &V4aSigningKey) -> Option<Self> {
        #[cfg(feature = "aws-lc")]
        {
            let key = aws_lc_rs::signature::ParsedPublicKey::new(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
                signing.public_key_sec1(),
            )
            .ok()?;
            Some(Self { key })
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            Some(Self {
                key: *signing.key.verifying_key(),
            })
        }
    }

    /// Whether `der` is a valid DER ECDSA signature of SHA-256(`message`).
    pub(crate) fn verify(&self, message: &[u8], der: &[u8]) -> bool {
        #[cfg(feature = "aws-lc")]
        {
            self.key.verify_sig(message, der).is_ok()
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            use p256::ecdsa::signature::Verifier as _;
            let Ok(signature) = p256::ecdsa::DerSignature::try_from(der) else {
                return false;
            };
            self.key.verify(message, &signature).is_ok()
        }
    }
}

#[cfg(feature = "aws-lc")]
mod zeroize_on_drop {
    /// A byte buffer that is overwritten with zeros when dropped (it holds a
    /// private scalar for a moment).
    #[derive(Default)]
    pub(super) struct Buffer(pub(super) Vec<u8>);

    impl Drop for Buffer {
        fn drop(&mut self) {
            for b in &mut self.0 {
                // A volatile write is `unsafe`; `black_box` keeps the
                // compiler from dropping the stores as dead.
                *b = std::hint::black_box(0);
            }
        }
    }
}
