//! The graph of the map: who called what, built from access-log records.
//!
//! Every record walks the five columns as far as it got: caller → service
//! network → service → listener rule → target group. A request refused
//! before a rule routed it (a policy, the signature, an unknown service)
//! ends in a red node, one per place and refusing layer, in the column
//! after the last node it reached.

use std::collections::{BTreeMap, VecDeque};

use crate::access_log::{AccessLogRecord, AuthDeniedReason, FailureReason, ResolvedUser};

/// How many recent requests an edge or a red end keeps for its tooltip.
pub(crate) const RECENT: usize = 5;

/// Longest node label drawn; the full text is in the node's tooltip.
pub(crate) const MAX_LABEL: usize = 40;

/// The columns, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Caller,
    Network,
    Service,
    Rule,
    TargetGroup,
}

impl Kind {
    pub(crate) const ALL: [Kind; 5] = [
        Kind::Caller,
        Kind::Network,
        Kind::Service,
        Kind::Rule,
        Kind::TargetGroup,
    ];

    #[cfg(test)]
    pub(crate) fn column(self) -> usize {
        self as usize
    }

    /// The column's heading.
    pub(crate) fn heading(self) -> &'static str {
        match self {
            Kind::Caller => "callers",
            Kind::Network => "service networks",
            Kind::Service => "services",
            Kind::Rule => "listener rules",
            Kind::TargetGroup => "target groups",
        }
    }
}

/// The layer that refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Refusal {
    /// The service network's auth policy.
    NetworkPolicy,
    /// The service's auth policy.
    ServicePolicy,
    /// The caller's identity-based policies.
    IdentityPolicy,
    /// The signature did not verify (`authDeniedReason` empty,
    /// `failureReason` `ClientAccessDenied`).
    Signature,
    /// Refused before authentication: no such service, a bad request.
    Request,
}

impl Refusal {
    /// The red node's label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Refusal::NetworkPolicy => "network policy",
            Refusal::ServicePolicy => "service policy",
            Refusal::IdentityPolicy => "identity policy",
            Refusal::Signature => "signature",
            Refusal::Request => "bad request / no service",
        }
    }

    /// The refusing layer of a record that no rule routed, if refused.
    pub(crate) fn of(record: &AccessLogRecord) -> Option<Refusal> {
        if record.matched_rule.is_some() {
            return None;
        }
        match (record.auth_denied_reason, record.failure_reason) {
            (Some(AuthDeniedReason::Network), _) => Some(Refusal::NetworkPolicy),
            (Some(AuthDeniedReason::Service), _) => Some(Refusal::ServicePolicy),
            (Some(_), _) => Some(Refusal::IdentityPolicy),
            (None, Some(FailureReason::ClientAccessDenied)) => Some(Refusal::Signature),
            (None, Some(FailureReason::ClientProtocolError)) => Some(Refusal::Request),
            _ => None,
        }
    }
}

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    /// One of the five kinds.
    Plain(Kind),
    /// A red end.
    Refused(Refusal),
}

/// One box of the map.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Unique, stable across redraws.
    pub(crate) key: String,
    pub(crate) column: usize,
    pub(crate) role: Role,
    /// The first line (already cut to [`MAX_LABEL`]).
    pub(crate) label: String,
    /// The second line.
    pub(crate) detail: String,
    /// The full description, for the tooltip.
    pub(crate) full: String,
    /// Requests that reached this node.
    pub(crate) count: u64,
    /// For red ends: their recent requests.
    pub(crate) recent: VecDeque<Recent>,
}

/// Requests counted by status class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Split {
    pub(crate) total: u64,
    pub(crate) ok: u64,
    pub(crate) client: u64,
    pub(crate) server: u64,
}

impl Split {
    fn add(&mut self, status: u16) {
        self.total += 1;
        match status {
            200..=299 => self.ok += 1,
            400..=499 => self.client += 1,
            500..=599 => self.server += 1,
            _ => {}
        }
    }

    /// `12 · 2xx 9 · 4xx 3`: the total, then every non-empty class.
    pub(crate) fn label(&self) -> String {
        let mut out = self.total.to_string();
        for (n, class) in [(self.ok, "2xx"), (self.client, "4xx"), (self.server, "5xx")] {
            if n > 0 {
                out.push_str(&format!(" · {class} {n}"));
            }
        }
        let other = self.total - self.ok - self.client - self.server;
        if other > 0 {
            out.push_str(&format!(" · other {other}"));
        }
        out
    }
}

/// One recent request, for a tooltip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recent {
    pub(crate) seq: u64,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: u16,
    /// The refusal's (or failure's) first line, if any.
    pub(crate) line: Option<String>,
}

impl Recent {
    fn of(record: &AccessLogRecord) -> Recent {
        let line = record
            .refusal_line
            .clone()
            .or_else(|| record.failure_reason.map(|r| r.as_str().to_owned()));
        Recent {
            seq: record.seq.unwrap_or(0),
            method: record.request_method.clone().unwrap_or_else(|| "-".into()),
            path: record.request_path.clone().unwrap_or_else(|| "-".into()),
            status: record.response_code,
            line,
        }
    }

    /// `#12 GET /x → 403 AccessDeniedException: …`
    pub(crate) fn line(&self) -> String {
        let mut out = format!(
            "#{} {} {} → {}",
            self.seq, self.method, self.path, self.status
        );
        if let Some(line) = &self.line {
            out.push(' ');
            out.push_str(line);
        }
        out
    }
}

fn push_recent(recent: &mut VecDeque<Recent>, item: Recent) {
    if recent.len() == RECENT {
        recent.pop_front();
    }
    recent.push_back(item);
}

/// An arrow between adjacent columns.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) split: Split,
    pub(crate) recent: VecDeque<Recent>,
}

/// Names for the ARNs and ids the records carry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    /// The fake's own account: callers of it are drawn without it.
    pub(crate) account: String,
    /// Network, service and target-group ARNs → names.
    pub(crate) arns: BTreeMap<String, String>,
    /// Listener ids → listener names.
    pub(crate) listeners: BTreeMap<String, String>,
}

impl Names {
    fn name_of(&self, arn: &str) -> String {
        self.arns
            .get(arn)
            .cloned()
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_owned())
    }
}

/// The whole picture.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) edges: Vec<Edge>,
    /// Records drawn.
    pub(crate) requests: u64,
    /// Of which refused (ending in red).
    pub(crate) refused: u64,
    /// The highest `seq` drawn.
    pub(crate) last_seq: u64,
}

/// `1 request`, `2 requests`.
pub(crate) fn requests(n: u64) -> String {
    if n == 1 {
        "1 request".to_owned()
    } else {
        format!("{n} requests")
    }
}

/// Cuts `text` to [`MAX_LABEL`] characters, ending in `…` when cut.
pub(crate) fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_LABEL - 1).collect();
    out.push('…');
    out
}

/// A caller's short name: `role/orders-api` (an assumed role's session
/// dropped), `user/x`, with the account first when it is not the fake's
/// (`444455556666:user/x`); `anonymous`; `unknown` for a caller the
/// fake could not identify (a bad signature, or refused before that).
pub(crate) fn short_principal(arn: &str, own_account: &str) -> String {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(_region), Some(account), Some(res)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return arn.to_owned();
    };
    let short = match (service, res.split_once('/')) {
        ("sts", Some(("assumed-role", rest))) => {
            format!("role/{}", rest.split('/').next().unwrap_or(rest))
        }
        ("iam", Some((kind, rest))) => {
            // IAM paths (`role/team/name`) keep only the name.
            format!("{kind}/{}", rest.rsplit('/').next().unwrap_or(rest))
        }
        _ => res.to_owned(),
    };
    if account == own_account || account.is_empty() {
        short
    } else {
        format!("{account}:{short}")
    }
}

impl Graph {
    /// Builds the graph of `records`, in order.
    pub(crate) fn build(records: &[AccessLogRecord], names: &Names) -> Graph {
        let mut b = Builder {
            graph: Graph::default(),
            index: BTreeMap::new(),
            edge_index: BTreeMap::new(),
        };
        for record in records {
            b.add(record, names);
        }
        b.graph
    }

    /// The node `index`, if any.
    pub(crate) fn node(&self, index: usize) -> Option<&Node> {
        self.nodes.get(index)
    }
}

struct Builder {
    graph: Graph,
    index: BTreeMap<String, usize>,
    edge_index: BTreeMap<(usize, usize), usize>,
}

/// A node a record reaches: key, role, label, detail, full text.
type Step = (String, Role, String, String, String);

impl Builder {
    fn add(&mut self, record: &AccessLogRecord, names: &Names) {
        let g = &mut self.graph;
        g.requests += 1;
        g.last_seq = g.last_seq.max(record.seq.unwrap_or(0));
        let recent = Recent::of(record);
        let mut steps: Vec<Step> = vec![caller_step(record, names)];
        if let Some(network) = &record.service_network_arn {
            steps.push((
                format!("n:{network}"),
                Role::Plain(Kind::Network),
                names.name_of(network),
                String::new(),
                format!("service network {network}"),
            ));
            if let Some(service) = &record.service_arn {
                let service_name = names.name_of(service);
                steps.push((
                    format!("s:{service}"),
                    Role::Plain(Kind::Service),
                    service_name.clone(),
                    String::new(),
                    format!("service {service}"),
                ));
                if let Some(rule) = &record.matched_rule {
                    let listener = record.listener_id.clone().unwrap_or_default();
                    let listener_name = names
                        .listeners
                        .get(&listener)
                        .cloned()
                        .unwrap_or_else(|| listener.clone());
                    steps.push((
                        format!("r:{service}|{listener}|{rule}"),
                        Role::Plain(Kind::Rule),
                        rule.clone(),
                        listener_name.clone(),
                        format!(
                            "rule `{rule}` of {service_name}'s listener {listener_name} ({listener})"
                        ),
                    ));
                    if let Some(tg) = &record.target_group_arn {
                        steps.push((
                            format!("t:{tg}"),
                            Role::Plain(Kind::TargetGroup),
                            names.name_of(tg),
                            String::new(),
                            format!("target group {tg}"),
                        ));
                    }
                }
            }
        }
        let refusal = Refusal::of(record);
        if let Some(refusal) = refusal {
            let parent = steps.last().map(|s| s.0.clone()).unwrap_or_default();
            steps.push((
                format!("x:{parent}|{refusal:?}"),
                Role::Refused(refusal),
                format!("✕ {}", refusal.label()),
                String::new(),
                format!("refused by the {}", refusal.label()),
            ));
            g.refused += 1;
        }
        let mut previous: Option<usize> = None;
        for (column, (key, role, label, detail, full)) in steps.into_iter().enumerate() {
            let id = match self.index.get(&key) {
                Some(&id) => id,
                None => {
                    let id = self.graph.nodes.len();
                    self.graph.nodes.push(Node {
                        key: key.clone(),
                        column,
                        role,
                        label: cut(&label),
                        detail: cut(&detail),
                        full,
                        count: 0,
                        recent: VecDeque::new(),
                    });
                    self.index.insert(key, id);
                    id
                }
            };
            if let Some(node) = self.graph.nodes.get_mut(id) {
                node.count += 1;
                if matches!(node.role, Role::Refused(_)) {
                    push_recent(&mut node.recent, recent.clone());
                }
            }
            if let Some(from) = previous {
                let edges = &mut self.graph.edges;
                let e = *self.edge_index.entry((from, id)).or_insert_with(|| {
                    edges.push(Edge {
                        from,
                        to: id,
                        split: Split::default(),
                        recent: VecDeque::new(),
                    });
                    edges.len() - 1
                });
                if let Some(edge) = edges.get_mut(e) {
                    edge.split.add(record.response_code);
                    push_recent(&mut edge.recent, recent.clone());
                }
            }
            previous = Some(id);
        }
    }
}

fn caller_step(record: &AccessLogRecord, names: &Names) -> Step {
    let (key, label, full) = match (&record.caller_principal, &record.resolved_user) {
        (Some(arn), _) | (None, Some(ResolvedUser::Arn(arn))) => (
            format!("c:{arn}"),
            short_principal(arn, &names.account),
            arn.clone(),
        ),
        (None, Some(ResolvedUser::Anonymous)) => (
            "c:anonymous".to_owned(),
            "anonymous".to_owned(),
            "anonymous (unsigned requests)".to_owned(),
        ),
        _ => (
            "c:unknown".to_owned(),
            "unknown".to_owned(),
            "unknown caller (bad signature, or refused before authentication)".to_owned(),
        ),
    };
    (key, Role::Plain(Kind::Caller), label, String::new(), full)
}
