//! The live service map: who called which service, through which rule, to
//! which target group, and where requests were refused, drawn from the
//! access log the fake keeps.
//!
//! * `GET /_fake/map.svg`: the picture, drawn on the server. No script, no
//!   external font or stylesheet; hovering an edge or a node shows its
//!   `<title>`: counts and the last five requests (method, host and path,
//!   status, the refusal's first line).
//! * `GET /_fake/map`: a self-contained HTML page showing the same picture,
//!   refreshed within a second of new records (it polls
//!   `/_fake/access-log?since=N` every 500 ms and fetches `map.svg` again
//!   when records arrive).
//! * [`FakeHandle::map_svg`](crate::FakeHandle::map_svg) and
//!   [`ServiceMap`]: the same SVG in code, for example written next to a
//!   failing test's output; `lattice fake --map-out FILE.svg` writes it on
//!   exit.
//!
//! # What is drawn
//!
//! Five columns, left to right: callers (principal ARNs shortened to
//! `role/NAME` for a role or an assumed role's session, `user/NAME`, with
//! the account first when it is not the fake's own; `anonymous` for
//! unsigned requests; `unknown` when the signature failed or the request
//! was refused before authentication), service networks, services,
//! listener rules (by name, `priority N` when unnamed, `default` for the
//! listener's default action) and target groups. Each record walks the
//! columns as far as it got; every edge is labelled with its request count
//! and its 2xx/4xx/5xx split (edges with 5xx are orange). A request
//! refused before a rule routed it ends in a red node after the last node
//! it reached, one per refusing layer there: `network policy`,
//! `service policy`, `identity policy`, `signature`, or
//! `bad request / no service` (an unknown `Host`, a malformed request).
//! The picture covers the records the access log holds: `POST
//! /_fake/reset` clears it too.
//!
//! The layout is a simple layered one, described in the `layout` module:
//! a column per kind, nodes ordered by barycentre passes to reduce
//! crossings, rows sized from the text so that no text overlaps.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::pipeline::State;
use crate::routing::MatchedRule;

mod graph;
mod layout;
mod page;
mod svg;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;

use graph::{Graph, Names};

/// The label a record keeps for the rule that routed it.
pub(crate) fn rule_label(matched: MatchedRule<'_>) -> String {
    match matched {
        MatchedRule::Rule {
            name: Some(name), ..
        } => name.to_owned(),
        MatchedRule::Rule { priority, .. } => format!("priority {priority}"),
        _ => "default".to_owned(),
    }
}

/// The service map of a running fake. Cheap to clone; it stays usable
/// after the fake stops (it draws the records held at that moment), so a
/// runner can write the final picture after
/// [`FakeHandle::shutdown`](crate::FakeHandle::shutdown).
#[derive(Clone)]
pub struct ServiceMap {
    state: Arc<State>,
}

impl fmt::Debug for ServiceMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceMap").finish_non_exhaustive()
    }
}

impl ServiceMap {
    pub(crate) fn new(state: Arc<State>) -> Self {
        ServiceMap { state }
    }

    /// The map as a standalone SVG document (`GET /_fake/map.svg`).
    pub fn svg(&self) -> String {
        self.state.map_svg()
    }

    /// The live HTML page (`GET /_fake/map`).
    pub fn html(&self) -> String {
        self.state.map_page()
    }
}

impl State {
    /// The names the map shows for the model's ARNs and listener ids.
    fn map_names(&self) -> Names {
        let mut arns = BTreeMap::new();
        let mut listeners = BTreeMap::new();
        for n in &self.c.networks {
            arns.insert(n.arn.clone(), n.name.clone());
        }
        for s in &self.c.services {
            arns.insert(s.arn.clone(), s.name.clone());
            for l in &s.listeners {
                listeners.insert(l.id.clone(), l.name.clone());
            }
        }
        for t in &self.c.target_groups {
            arns.insert(t.arn.clone(), t.name.clone());
        }
        Names {
            account: self.c.account.clone(),
            arns,
            listeners,
        }
    }

    /// `GET /_fake/map.svg`.
    pub(crate) fn map_svg(&self) -> String {
        let graph = Graph::build(&self.log.records(), &self.map_names());
        svg::render(&graph)
    }

    /// `GET /_fake/map`.
    pub(crate) fn map_page(&self) -> String {
        page::render(self.log.last().and_then(|r| r.seq).unwrap_or(0))
    }
}
