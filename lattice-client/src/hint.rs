//! Why a call to a VPC Lattice service failed, and what to do about it.
//!
//! One table, [`HINTS`], maps what a caller sees — a line of a Lattice 403
//! or 404 body, or a transport failure (DNS, connection, TLS) — to its likely
//! cause and the fix. The `lattice` tool prints the matching row after a
//! failed call and in `policy why`; the repository's
//! `docs/troubleshooting.md` is rendered from it (a test keeps the two equal).
//!
//! ```
//! use lattice_client::hint::{self, HintId};
//!
//! let line = "AccessDeniedException: User: anonymous is not authorized to perform: \
//!     vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:\
//!     service/svc-0123456789abcdef0/ because no network-based policy allows the \
//!     vpc-lattice-svcs:Invoke action";
//! let hint = hint::for_response(403, line).expect("a known line");
//! assert_eq!(hint.id, HintId::AccessDeniedNetwork);
//! assert!(hint.fix.contains("lattice policy why"));
//!
//! let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
//! let hint = hint::for_error(Some("orders.example.internal"), &refused).expect("known");
//! assert_eq!(hint.id, HintId::ConnectionRefused);
//! ```
//!
//! The lines come from three places: the verifier's error lines
//! ([`crate::sign::verify::VerifyError`]), the policy engine's denial lines
//! (`policy::Decision::message`) and the fake's 404. Lines AWS has not
//! confirmed for Lattice are listed in `docs/assumptions.md`.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use crate::name::LatticeName;

/// Which row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HintId {
    /// A generated Lattice name did not resolve.
    DnsGeneratedName,
    /// Another name (a custom domain) did not resolve.
    DnsOtherName,
    /// Nothing accepted the TCP connection.
    ConnectionRefused,
    /// The server's certificate does not cover the name.
    TlsNameMismatch,
    /// The server's certificate was issued by a CA the client does not trust.
    TlsUnknownIssuer,
    /// `InvalidSignatureException: Signed payloads are not supported`.
    SignedPayload,
    /// `InvalidSignatureException: Signature expired` / `not yet current`.
    ClockSkew,
    /// `InvalidSignatureException`: the scope names another region, or the
    /// SigV4A region set does not cover the service's region.
    WrongRegion,
    /// `InvalidSignatureException`: the scope names another service.
    WrongService,
    /// `InvalidSignatureException`: the signature does not match.
    SignatureMismatch,
    /// Any other `InvalidSignatureException`.
    InvalidSignature,
    /// `IncompleteSignatureException: Missing the 'x-amz-content-sha256' …`.
    ContentSha256NotSigned,
    /// `IncompleteSignatureException`: a signed header was not sent (usually
    /// `x-amz-security-token`, removed by a proxy).
    SignedHeaderMissing,
    /// Any other `IncompleteSignatureException`.
    IncompleteSignature,
    /// `UnrecognizedClientException`: the session token is expired, missing
    /// or wrong, or the access key is unknown.
    InvalidToken,
    /// `AccessDeniedException … with an explicit deny …`.
    AccessDeniedExplicit,
    /// `AccessDeniedException … no network-based policy allows …`.
    AccessDeniedNetwork,
    /// `AccessDeniedException … no service-based policy allows …`.
    AccessDeniedService,
    /// `AccessDeniedException … no identity-based policy allows …`.
    AccessDeniedIdentity,
    /// `404 Non Existent Service`.
    NonExistentService,
}

/// What a row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// A response whose status is `status` and whose body's first line
    /// starts with `prefix` and contains `contains` (empty: anything).
    Line {
        /// The HTTP status.
        status: u16,
        /// The start of the line, usually the error code and `:`.
        prefix: &'static str,
        /// A fragment the line must contain.
        contains: &'static str,
    },
    /// A failure before any response: see [`for_error`].
    Transport,
}

/// One row of the table: what is seen, why, and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hint {
    /// Which row.
    pub id: HintId,
    /// What it matches.
    pub trigger: Trigger,
    /// What the caller sees, as an example (the 403 line, or the error).
    pub seen: &'static str,
    /// The likely cause, one sentence.
    pub cause: &'static str,
    /// What to do, one or two sentences.
    pub fix: &'static str,
}

impl fmt::Display for Hint {
    /// `cause fix`, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.cause, self.fix)
    }
}

const fn line(status: u16, prefix: &'static str, contains: &'static str) -> Trigger {
    Trigger::Line {
        status,
        prefix,
        contains,
    }
}

/// The table. Rows with a [`Trigger::Line`] are tried in order, so the
/// specific lines of one error code come before its catch-all row.
pub static HINTS: &[Hint] = &[
    Hint {
        id: HintId::DnsGeneratedName,
        trigger: Trigger::Transport,
        seen: "could not resolve `orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws`: failed to lookup address information",
        cause: "A generated Lattice name resolves only inside a VPC associated with the service network, or through a service-network VPC endpoint.",
        fix: "Run the call from such a VPC (check the service network's VPC associations and that the VPC has DNS resolution and DNS hostnames enabled); to test elsewhere, point the name at an address with `--resolve NAME:PORT:ADDR`, or use `lattice fake`.",
    },
    Hint {
        id: HintId::DnsOtherName,
        trigger: Trigger::Transport,
        seen: "could not resolve `orders.example.internal`: failed to lookup address information",
        cause: "The name has no DNS record where the call runs; a custom domain works only once a Route 53 alias or CNAME points it at the service's generated name.",
        fix: "Create the record (in a private hosted zone associated with the VPC, for a private domain), call the generated name instead, or test with `--resolve NAME:PORT:ADDR`.",
    },
    Hint {
        id: HintId::ConnectionRefused,
        trigger: Trigger::Transport,
        seen: "tcp connect error: Connection refused (os error 111)",
        cause: "Nothing accepts connections at that address and port: the `--resolve` address or the URL's port is wrong, the service has no listener on that port, or the fake is not running.",
        fix: "Check the listener's port (Lattice listens on the port in the URL, 80 and 443 by default) and any `--resolve` override; for the fake, use the `baseUrl` of its ready line.",
    },
    Hint {
        id: HintId::TlsNameMismatch,
        trigger: Trigger::Transport,
        seen: "invalid peer certificate: certificate not valid for name \"orders.example.internal\"",
        cause: "The server's certificate does not cover the host name: an HTTPS listener on a custom domain needs an ACM certificate whose names include that domain, and `--resolve` may point at another server.",
        fix: "Attach a certificate covering the custom domain (one wildcard level at most), call the generated name (it has a Lattice-managed certificate), or fix the `--resolve` address.",
    },
    Hint {
        id: HintId::TlsUnknownIssuer,
        trigger: Trigger::Transport,
        seen: "invalid peer certificate: UnknownIssuer",
        cause: "The server's certificate was issued by a CA this client does not trust (for example the fake's own CA, or a private CA).",
        fix: "Trust the CA with `--cacert PEM` (for the fake: the file named by `caPem` in its ready line).",
    },
    Hint {
        id: HintId::SignedPayload,
        trigger: line(
            403,
            "InvalidSignatureException:",
            "Signed payloads are not supported",
        ),
        seen: "InvalidSignatureException: Signed payloads are not supported",
        cause: "The request was signed with the SHA-256 of its body; Lattice accepts only unsigned payloads.",
        fix: "Send and sign `x-amz-content-sha256: UNSIGNED-PAYLOAD` (this SDK always does; configure other signers for unsigned payloads).",
    },
    Hint {
        id: HintId::ClockSkew,
        trigger: line(403, "InvalidSignatureException: Signature ", ""),
        seen: "InvalidSignatureException: Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T001500Z - 5 min.)",
        cause: "The request's `x-amz-date` is more than five minutes away from Lattice's clock: the caller's clock is off, or the signed request was replayed late.",
        fix: "Synchronise the clock (NTP, chrony or the Amazon Time Sync Service) and sign each request just before sending it.",
    },
    Hint {
        id: HintId::WrongRegion,
        trigger: line(403, "InvalidSignatureException:", "region"),
        seen: "InvalidSignatureException: Credential should be scoped to a valid region, not 'us-east-1'.",
        cause: "The request was signed for another region than the service's: a custom domain carries no region, so the default region was used.",
        fix: "Pass the service's region (`--region`, `SignerBuilder::custom_domain(domain, Some(region))`), call the generated name (it carries its region), or sign with SigV4A for a region set (`--sigv4a '*'`).",
    },
    Hint {
        id: HintId::WrongService,
        trigger: line(
            403,
            "InvalidSignatureException:",
            "scoped to correct service",
        ),
        seen: "InvalidSignatureException: Credential should be scoped to correct service: 'vpc-lattice-svcs'.",
        cause: "The request was signed for another signing name; the data plane is `vpc-lattice-svcs` (`vpc-lattice` is the control-plane API).",
        fix: "Sign for `vpc-lattice-svcs`.",
    },
    Hint {
        id: HintId::SignatureMismatch,
        trigger: line(
            403,
            "InvalidSignatureException:",
            "does not match the signature you provided",
        ),
        seen: "InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        cause: "The signature was computed with another secret key, or something between the signer and Lattice changed a signed part of the request (a header, the host or the path).",
        fix: "Check which credentials are in use (`aws sts get-caller-identity`), compare `lattice sign --format json` with what is sent, and do not sign headers a proxy rewrites.",
    },
    Hint {
        id: HintId::InvalidSignature,
        trigger: line(403, "InvalidSignatureException:", ""),
        seen: "InvalidSignatureException: The 'host' header does not match the request authority.",
        cause: "The signature does not fit the request as Lattice received it.",
        fix: "Compare the canonical request (`lattice call -v` or `lattice sign --format json`) with the request that is sent.",
    },
    Hint {
        id: HintId::ContentSha256NotSigned,
        trigger: line(
            403,
            "IncompleteSignatureException:",
            "'x-amz-content-sha256'",
        ),
        seen: "IncompleteSignatureException: Missing the 'x-amz-content-sha256' in canonical headers.",
        cause: "The request does not sign `x-amz-content-sha256`, which Lattice requires.",
        fix: "Add `x-amz-content-sha256: UNSIGNED-PAYLOAD` before signing, so it is in `SignedHeaders`.",
    },
    Hint {
        id: HintId::SignedHeaderMissing,
        trigger: line(
            403,
            "IncompleteSignatureException:",
            "is named as a SignedHeader",
        ),
        seen: "IncompleteSignatureException: 'x-amz-security-token' is named as a SignedHeader, but it does not exist in the HTTP request.",
        cause: "A header that was signed did not arrive: a proxy or the HTTP client dropped it after signing (often the session token).",
        fix: "Send every signed header unchanged; sign after any middleware that removes headers, and keep proxies from stripping `x-amz-*` headers.",
    },
    Hint {
        id: HintId::IncompleteSignature,
        trigger: line(403, "IncompleteSignatureException:", ""),
        seen: "IncompleteSignatureException: Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        cause: "The `authorization` header or a header it needs is malformed or missing.",
        fix: "Sign with an AWS SDK signer (SigV4 or SigV4A) and send its headers unchanged.",
    },
    Hint {
        id: HintId::InvalidToken,
        trigger: line(403, "UnrecognizedClientException:", ""),
        seen: "UnrecognizedClientException: The security token included in the request is invalid.",
        cause: "The credentials are not valid: the session token has expired, is missing while the keys are temporary, or does not belong to the access key (or the access key is unknown).",
        fix: "Refresh the credentials (`aws sso login`, re-assume the role) and send the session token with the keys it was issued with.",
    },
    Hint {
        id: HintId::AccessDeniedExplicit,
        trigger: line(403, "AccessDeniedException:", "with an explicit deny"),
        seen: "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/orders-client/s is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/admin with an explicit deny in a service-based policy",
        cause: "A `Deny` statement of the named policy matched the request; a deny wins over every allow.",
        fix: "Find the statement with `lattice policy why`, and narrow its principal, resource or conditions.",
    },
    Hint {
        id: HintId::AccessDeniedNetwork,
        trigger: line(
            403,
            "AccessDeniedException:",
            "no network-based policy allows",
        ),
        seen: "AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/ because no network-based policy allows the vpc-lattice-svcs:Invoke action",
        cause: "The service network's auth policy has no statement allowing this caller and request (`User: anonymous` means the request was not signed).",
        fix: "Sign the request if it was anonymous; otherwise add an Allow for this principal, resource and conditions to the network's auth policy (`lattice policy why` shows which condition fails).",
    },
    Hint {
        id: HintId::AccessDeniedService,
        trigger: line(
            403,
            "AccessDeniedException:",
            "no service-based policy allows",
        ),
        seen: "AccessDeniedException: User: arn:aws:iam::111122223333:user/reporting is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/invoices because no service-based policy allows the vpc-lattice-svcs:Invoke action",
        cause: "The service's auth policy has no statement allowing this caller and request (or the service uses `AWS_IAM` without a policy).",
        fix: "Add an Allow for this principal and resource (`<service ARN>/<path>`, or `*`) to the service's auth policy; `lattice policy why` shows which condition fails.",
    },
    Hint {
        id: HintId::AccessDeniedIdentity,
        trigger: line(
            403,
            "AccessDeniedException:",
            "no identity-based policy allows",
        ),
        seen: "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/orders-client/s is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders because no identity-based policy allows the vpc-lattice-svcs:Invoke action",
        cause: "The caller's own IAM policies do not allow `vpc-lattice-svcs:Invoke` on this resource; Lattice requires that even within one account.",
        fix: "Attach an identity policy to the caller's role or user allowing `vpc-lattice-svcs:Invoke` on the service ARN followed by `/*` (or `*`).",
    },
    Hint {
        id: HintId::NonExistentService,
        trigger: line(404, "Non Existent Service", ""),
        seen: "Non Existent Service",
        cause: "The host names no service that the service network used by this VPC serves: the service is not associated with that network, or the `Host` is not the service's generated name or custom domain.",
        fix: "Associate the service with the service network, and call its generated name or its configured custom domain.",
    },
];

/// The row with this id (every id has one).
pub fn get(id: HintId) -> Option<&'static Hint> {
    HINTS.iter().find(|h| h.id == id)
}

/// The hint for a response: its status and the first line of its body.
/// `None` for a 2xx, or a line the table does not know.
pub fn for_response(status: u16, body: &str) -> Option<&'static Hint> {
    let first = body.lines().next().unwrap_or("").trim();
    HINTS.iter().find(|h| match h.trigger {
        Trigger::Line {
            status: s,
            prefix,
            contains,
        } => s == status && first.starts_with(prefix) && first.contains(contains),
        Trigger::Transport => false,
    })
}

/// The hint for a failure before any response: a DNS failure, a refused
/// connection or a TLS certificate problem, found anywhere in `error`'s
/// chain of sources. `host` is the host that was called; a DNS failure on
/// a generated Lattice name gets its own hint.
pub fn for_error(host: Option<&str>, error: &(dyn StdError + 'static)) -> Option<&'static Hint> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    let mut dns = false;
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::ConnectionRefused
        {
            return get(HintId::ConnectionRefused);
        }
        if let Some(crate::Error::Resolve { .. }) = e.downcast_ref::<crate::Error>() {
            dns = true;
        }
        let text = e.to_string();
        if text.contains("Connection refused") || text.contains("connection refused") {
            return get(HintId::ConnectionRefused);
        }
        if text.contains("not valid for name") || text.contains("NotValidForName") {
            return get(HintId::TlsNameMismatch);
        }
        if text.contains("UnknownIssuer") {
            return get(HintId::TlsUnknownIssuer);
        }
        if text.contains("failed to lookup address")
            || text.contains("Name or service not known")
            || text.contains("nodename nor servname")
            || text.contains("No address associated")
            || text.contains("dns error")
        {
            dns = true;
        }
        current = e.source();
    }
    if !dns {
        return None;
    }
    let generated = host.is_some_and(LatticeName::is_lattice_name);
    get(if generated {
        HintId::DnsGeneratedName
    } else {
        HintId::DnsOtherName
    })
}
