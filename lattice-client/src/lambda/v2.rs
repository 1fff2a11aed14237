//! The V2 event structure (`version: "2.0"`, camelCase keys, arrays of
//! header and query values, typed `requestContext`).
//!
//! `requestContext.identity` converts into the same
//! [`CallerIdentity`] that HTTP targets read from headers
//! ([`V2RequestContext::caller_identity`]).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{EventError, MultiValueMap, RawEvent};
use crate::arn::{PrincipalArn, ServiceArn, ServiceNetworkArn, TargetGroupArn, VpcArn};
use crate::identity::{CallerIdentity, X509Identity, parse_opt};

/// A V2 Lattice Lambda event.
///
/// Build one from an `http::Request` with
/// [`V2Event::from_http_request`](Self::from_http_request) and turn it into
/// one with [`V2Event::into_http_request`](Self::into_http_request); both live
/// in [`convert`](super::convert).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Event {
    /// Always `"2.0"` from Lattice.
    pub version: String,
    /// The path as the client sent it, including the query string (current
    /// AWS docs; older ones showed the path alone).
    pub path: String,
    /// The HTTP method.
    pub method: String,
    /// Headers, every value of a repeated header.
    pub headers: MultiValueMap,
    /// Query parameters, every value of a repeated key, decoded.
    pub query_string_parameters: MultiValueMap,
    /// The body, text or Base64 (see `is_base64_encoded`); absent or `null`
    /// when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Whether `body` is Base64.
    pub is_base64_encoded: bool,
    /// Where the request went and who sent it.
    pub request_context: V2RequestContext,
}

impl V2Event {
    /// Parses a V2 event, whatever its `version` says (see
    /// [`LatticeEvent::from_slice`](super::LatticeEvent::from_slice) to detect
    /// the version).
    ///
    /// # Errors
    ///
    /// [`EventError`] when the bytes are not an event.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EventError> {
        let raw: RawEvent = serde_json::from_slice(bytes)?;
        raw.into_v2()
    }
}

impl<'de> Deserialize<'de> for V2Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawEvent::deserialize(deserializer)?
            .into_v2()
            .map_err(de::Error::custom)
    }
}

/// A point in time as Lattice writes it: microseconds since the Unix epoch,
/// serialised as a JSON **string** of digits (`"1724875399456789"`).
///
/// Parsing also accepts a JSON integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeEpoch(u64);

impl TimeEpoch {
    /// From microseconds since the epoch.
    pub fn from_micros(micros: u64) -> Self {
        Self(micros)
    }
    /// Microseconds since the epoch.
    pub fn as_micros(self) -> u64 {
        self.0
    }
    /// From a `SystemTime`; `None` before the epoch or after year ~586 000.
    pub fn from_system_time(time: SystemTime) -> Option<Self> {
        let d = time.duration_since(UNIX_EPOCH).ok()?;
        u64::try_from(d.as_micros()).ok().map(Self)
    }
    /// The current time.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now()).unwrap_or(Self(0))
    }
    /// As a `SystemTime`; `None` if the platform cannot represent it.
    pub fn to_system_time(self) -> Option<SystemTime> {
        UNIX_EPOCH.checked_add(Duration::from_micros(self.0))
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok().map(Self)
            }
            Value::Number(n) => n.as_u64().map(Self),
            _ => None,
        }
    }
}

impl fmt::Display for TimeEpoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for TimeEpoch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TimeEpoch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(deserializer)?;
        Self::from_value(&v).ok_or_else(|| {
            de::Error::custom(
                "timeEpoch: expected microseconds since the epoch as a string of digits",
            )
        })
    }
}

/// `requestContext` of a V2 event.
///
/// Keys are matched ASCII-case-insensitively; every member may be absent.
/// A member of an unexpected JSON type (or a `timeEpoch` that is not an
/// integer) never fails the event: its typed field stays `None` and the raw
/// value is kept in [`other`](Self::other), as are unknown keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct V2RequestContext {
    /// `serviceNetworkArn`: the network that delivered the request.
    pub service_network_arn: Option<String>,
    /// `serviceArn`.
    pub service_arn: Option<String>,
    /// `targetGroupArn`.
    pub target_group_arn: Option<String>,
    /// `identity`: the caller.
    pub identity: Option<V2Identity>,
    /// `region`, e.g. `us-east-2`.
    pub region: Option<String>,
    /// `timeEpoch`: when Lattice received the request.
    pub time_epoch: Option<TimeEpoch>,
    /// Other keys (and values of unexpected type), in order.
    pub other: Vec<(String, Value)>,
}

impl V2RequestContext {
    /// The caller identity in the unified form, combining `identity` with the
    /// service, network and target group ARNs. `None` when the context holds
    /// none of them (the event did not say).
    pub fn caller_identity(&self) -> Option<CallerIdentity> {
        if self.identity.is_none()
            && self.service_arn.is_none()
            && self.service_network_arn.is_none()
            && self.target_group_arn.is_none()
        {
            return None;
        }
        let mut id = CallerIdentity::default();
        if let Some(i) = &self.identity {
            id.auth_type.clone_from(&i.identity_type);
            id.principal.clone_from(&i.principal);
            id.principal_org_id.clone_from(&i.principal_org_id);
            id.session_name.clone_from(&i.session_name);
            id.x509.clone_from(&i.x509);
            id.source_vpc_arn.clone_from(&i.source_vpc_arn);
        }
        id.service_arn.clone_from(&self.service_arn);
        id.service_network_arn.clone_from(&self.service_network_arn);
        id.target_group_arn.clone_from(&self.target_group_arn);
        Some(id)
    }

    /// The service network ARN, typed; `None` when absent or malformed.
    pub fn service_network_arn(&self) -> Option<ServiceNetworkArn> {
        parse_opt(self.service_network_arn.as_deref())
    }

    /// The service ARN, typed; `None` when absent or malformed.
    pub fn service_arn(&self) -> Option<ServiceArn> {
        parse_opt(self.service_arn.as_deref())
    }

    /// The target group ARN, typed; `None` when absent or malformed.
    pub fn target_group_arn(&self) -> Option<TargetGroupArn> {
        parse_opt(self.target_group_arn.as_deref())
    }

    /// A context describing `caller` (what a fake data plane puts in the
    /// event). `identity` is written when any identity field is set; the
    /// source VPC id, org path, tags and unknown header keys have no place in
    /// V2 and are left out.
    pub fn from_caller(
        caller: &CallerIdentity,
        region: Option<String>,
        time: Option<TimeEpoch>,
    ) -> Self {
        let identity = V2Identity {
            source_vpc_arn: caller.source_vpc_arn.clone(),
            identity_type: caller.auth_type.clone(),
            principal: caller.principal.clone(),
            principal_org_id: caller.principal_org_id.clone(),
            session_name: caller.session_name.clone(),
            x509: caller.x509.clone(),
            other: Vec::new(),
        };
        Self {
            service_network_arn: caller.service_network_arn.clone(),
            service_arn: caller.service_arn.clone(),
            target_group_arn: caller.target_group_arn.clone(),
            identity: (!identity.is_empty()).then_some(identity),
            region,
            time_epoch: time,
            other: Vec::new(),
        }
    }
}

fn take_string(
    slot: &mut Option<String>,
    key: String,
    value: Value,
    other: &mut Vec<(String, Value)>,
) {
    match value {
        Value::Null => {}
        Value::String(s) if slot.is_none() => *slot = Some(s),
        v => other.push((key, v)),
    }
}

impl<'de> Deserialize<'de> for V2RequestContext {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = V2RequestContext;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a requestContext object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(V2RequestContext::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut c = V2RequestContext::default();
                while let Some(key) = map.next_key::<String>()? {
                    let k = key.to_ascii_lowercase();
                    if k == "identity" {
                        let value: IdentityValue = map.next_value()?;
                        match value {
                            IdentityValue::Null => {}
                            IdentityValue::Identity(id) if c.identity.is_none() => {
                                c.identity = Some(*id);
                            }
                            IdentityValue::Identity(id) => c.other.push((key, id.into_value())),
                            IdentityValue::Other(v) => c.other.push((key, v)),
                        }
                        continue;
                    }
                    let value: Value = map.next_value()?;
                    match k.as_str() {
                        "servicenetworkarn" => {
                            take_string(&mut c.service_network_arn, key, value, &mut c.other)
                        }
                        "servicearn" => take_string(&mut c.service_arn, key, value, &mut c.other),
                        "targetgrouparn" => {
                            take_string(&mut c.target_group_arn, key, value, &mut c.other)
                        }
                        "region" => take_string(&mut c.region, key, value, &mut c.other),
                        "timeepoch" => match (TimeEpoch::from_value(&value), c.time_epoch) {
                            (_, _) if value.is_null() => {}
                            (Some(t), None) => c.time_epoch = Some(t),
                            _ => c.other.push((key, value)),
                        },
                        _ => c.other.push((key, value)),
                    }
                }
                Ok(c)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Serialize for V2RequestContext {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        if let Some(v) = &self.service_network_arn {
            m.serialize_entry("serviceNetworkArn", v)?;
        }
        if let Some(v) = &self.service_arn {
            m.serialize_entry("serviceArn", v)?;
        }
        if let Some(v) = &self.target_group_arn {
            m.serialize_entry("targetGroupArn", v)?;
        }
        if let Some(v) = &self.identity {
            m.serialize_entry("identity", v)?;
        }
        if let Some(v) = &self.region {
            m.serialize_entry("region", v)?;
        }
        if let Some(v) = &self.time_epoch {
            m.serialize_entry("timeEpoch", v)?;
        }
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `requestContext.identity` of a V2 event (every member optional).
///
/// Parsing matches keys ASCII-case-insensitively, so the documented
/// `principalOrgID` / `x509IssuerOu` and the Powertools spellings
/// (`principalOrgId`, `X509IssuerOu`, `X509SubjectCn`, ...) all land in the
/// same field; the first occurrence wins, later duplicates and values that
/// are not strings go to [`other`](Self::other). Nothing here fails an event.
/// Serialising writes the documented spellings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct V2Identity {
    /// `sourceVpcArn`.
    pub source_vpc_arn: Option<String>,
    /// `type`: `AWS_IAM` when SigV4 authentication succeeded.
    pub identity_type: Option<String>,
    /// `principal`: the authenticated principal's ARN.
    pub principal: Option<String>,
    /// `principalOrgID`.
    pub principal_org_id: Option<String>,
    /// `sessionName`.
    pub session_name: Option<String>,
    /// `x509IssuerOu`, `x509SanDns`, `x509SanNameCn`, `x509SanUri`,
    /// `x509SubjectCn` (Roles Anywhere).
    pub x509: X509Identity,
    /// Other keys and values of unexpected type, in order.
    pub other: Vec<(String, Value)>,
}

impl V2Identity {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.source_vpc_arn.is_none()
            && self.identity_type.is_none()
            && self.principal.is_none()
            && self.principal_org_id.is_none()
            && self.session_name.is_none()
            && self.x509.is_empty()
            && self.other.is_empty()
    }

    /// The principal, typed; `None` when absent or not a principal ARN.
    pub fn principal_arn(&self) -> Option<PrincipalArn> {
        parse_opt(self.principal.as_deref())
    }

    /// The source VPC ARN, typed; `None` when absent or malformed.
    pub fn source_vpc_arn(&self) -> Option<VpcArn> {
        parse_opt(self.source_vpc_arn.as_deref())
    }

    fn push_field(&mut self, key: String, value: Value) {
        let k = key.to_ascii_lowercase();
        let other = &mut self.other;
        match k.as_str() {
            "sourcevpcarn" => take_string(&mut self.source_vpc_arn, key, value, other),
            "type" => take_string(&mut self.identity_type, key, value, other),
            "principal" => take_string(&mut self.principal, key, value, other),
            "principalorgid" => take_string(&mut self.principal_org_id, key, value, other),
            "sessionname" => take_string(&mut self.session_name, key, value, other),
            "x509issuerou" => take_string(&mut self.x509.issuer_ou, key, value, other),
            "x509sandns" => take_string(&mut self.x509.san_dns, key, value, other),
            "x509sannamecn" => take_string(&mut self.x509.san_name_cn, key, value, other),
            "x509sanuri" => take_string(&mut self.x509.san_uri, key, value, other),
            "x509subjectcn" => take_string(&mut self.x509.subject_cn, key, value, other),
            _ => other.push((key, value)),
        }
    }

    fn into_value(self) -> Value {
        serde_json::to_value(&self).unwrap_or(Value::Null)
    }
}

/// `requestContext.identity` as found: an object (in document order), `null`,
/// or anything else (kept raw).
enum IdentityValue {
    Null,
    Identity(Box<V2Identity>),
    Other(Value),
}

impl<'de> Deserialize<'de> for IdentityValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdentityValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an identity object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdentityValue, A::Error> {
                let mut id = V2Identity::default();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    id.push_field(key, value);
                }
                Ok(IdentityValue::Identity(Box::new(id)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Other(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Other(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Other(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Other(Value::from(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdentityValue, E> {
                Ok(IdentityValue::Other(Value::from(v)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<IdentityValue, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    out.push(v);
                }
                Ok(IdentityValue::Other(Value::Array(out)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for V2Identity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match IdentityValue::deserialize(deserializer)? {
            IdentityValue::Identity(id) => Ok(*id),
            IdentityValue::Null => Ok(Self::default()),
            IdentityValue::Other(_) => Err(de::Error::custom("identity: expected an object")),
        }
    }
}

impl Serialize for V2Identity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        let fields: [(&str, Option<&str>); 10] = [
            ("sourceVpcArn", self.source_vpc_arn.as_deref()),
            ("type", self.identity_type.as_deref()),
            ("principal", self.principal.as_deref()),
            ("principalOrgID", self.principal_org_id.as_deref()),
            ("sessionName", self.session_name.as_deref()),
            ("x509IssuerOu", self.x509.issuer_ou.as_deref()),
            ("x509SanDns", self.x509.san_dns.as_deref()),
            ("x509SanNameCn", self.x509.san_name_cn.as_deref()),
            ("x509SanUri", self.x509.san_uri.as_deref()),
            ("x509SubjectCn", self.x509.subject_cn.as_deref()),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}
