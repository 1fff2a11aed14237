//! The map as SVG: no script, no external resource; every tooltip a
//! `<title>`.

use std::fmt::Write as _;

use super::graph::{Graph, Recent, Role, requests};
use super::layout::{LINE_H, Layout, PAD, layout};

/// Escapes `text` for XML text and attribute values. Characters XML 1.0
/// cannot carry (most control characters) become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
.bg{fill:#fff}\
text{fill:#222}\
.title{font-size:14px;font-weight:bold}\
.heading{fill:#666;font-size:12px;text-transform:uppercase;letter-spacing:1px}\
.node rect{fill:#eef4fb;stroke:#4a78a8;stroke-width:1.2}\
.node.caller rect{fill:#f3effa;stroke:#7a5aa8}\
.node.refusal rect{fill:#fdecea;stroke:#c62828;stroke-width:1.6}\
.node.refusal text{fill:#b71c1c}\
.node .sub{fill:#555;font-size:11px}\
.edge path{fill:none;stroke:#8a99aa}\
.edge path.hit{stroke:transparent;stroke-width:10}\
.edge.refused path.line{stroke:#d32f2f}\
.edge.failing path.line{stroke:#ef6c00}\
.edge text{font-size:11px;fill:#333}\
.edge:hover path.line{stroke:#1565c0}\
.node:hover rect{stroke-width:2.4}\
.empty{fill:#777}";

fn recent_lines(out: &mut String, recent: &std::collections::VecDeque<Recent>) {
    if recent.is_empty() {
        return;
    }
    out.push_str("\nlast requests:");
    for r in recent.iter().rev() {
        out.push_str("\n  ");
        out.push_str(&r.line());
    }
}

/// The SVG document for `graph`.
pub(crate) fn render(graph: &Graph) -> String {
    render_with(graph, &layout(graph))
}

/// The SVG document for `graph` laid out as `l`.
pub(crate) fn render_with(graph: &Graph, l: &Layout) -> String {
    let mut s = String::new();
    let (w, h) = (l.width.ceil(), l.height.ceil());
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lattice-map\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" \
         font-size=\"12\" role=\"img\" aria-label=\"service map\" data-last-seq=\"{}\" data-crossings=\"{}\">\
         <style>{STYLE}</style><rect class=\"bg\" width=\"100%\" height=\"100%\"/>",
        graph.last_seq, l.crossings
    );
    let summary = format!(
        "lattice fake · service map · {} requests, {} refused (records up to #{})",
        graph.requests, graph.refused, graph.last_seq
    );
    let _ = write!(
        s,
        "<text class=\"title\" x=\"16\" y=\"22\">{}</text>",
        escape(&summary)
    );
    for (text, x) in &l.headings {
        let _ = write!(
            s,
            "<text class=\"heading\" x=\"{x}\" y=\"48\">{}</text>",
            escape(text)
        );
    }
    if graph.nodes.is_empty() {
        let _ = write!(
            s,
            "<text class=\"empty\" x=\"16\" y=\"84\">no requests yet: the map fills in as traffic arrives</text>"
        );
    }
    // Edges first, so nodes are drawn over their ends.
    for (edge, place) in graph.edges.iter().zip(&l.edges) {
        let (Some(from), Some(to)) = (graph.node(edge.from), graph.node(edge.to)) else {
            continue;
        };
        let class = if matches!(to.role, Role::Refused(_)) {
            "edge refused"
        } else if edge.split.server > 0 {
            "edge failing"
        } else {
            "edge"
        };
        let mut title = format!(
            "{} → {}: {} (2xx {}, 4xx {}, 5xx {})",
            from.label,
            to.label,
            requests(edge.split.total),
            edge.split.ok,
            edge.split.client,
            edge.split.server
        );
        recent_lines(&mut title, &edge.recent);
        let (fx, fy) = place.from;
        let (bx, by) = place.bend;
        let (tx, ty) = place.to;
        let mid = (fx + bx) / 2.0;
        let d = format!(
            "M{fx:.1},{fy:.1} C{mid:.1},{fy:.1} {mid:.1},{by:.1} {bx:.1},{by:.1} L{tx:.1},{ty:.1}"
        );
        let width = 1.2 + (edge.split.total as f64).log2().clamp(0.0, 5.0);
        let _ = write!(
            s,
            "<g class=\"{class}\"><title>{}</title><path class=\"hit\" d=\"{d}\"/>\
             <path class=\"line\" d=\"{d}\" stroke-width=\"{width:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            escape(&title),
            place.label.x + 2.0,
            ty - 5.0,
            escape(&place.text)
        );
    }
    for ((node, rect), (first, second)) in graph.nodes.iter().zip(&l.nodes).zip(&l.lines) {
        let class = match node.role {
            Role::Refused(_) => "node refusal",
            Role::Plain(super::graph::Kind::Caller) => "node caller",
            Role::Plain(_) => "node",
        };
        let mut title = format!("{}\n{}", node.full, requests(node.count));
        recent_lines(&mut title, &node.recent);
        let tx = rect.x + PAD;
        let ty = rect.y + rect.h / 2.0 - 3.0;
        let _ = write!(
            s,
            "<g class=\"{class}\" data-key=\"{}\"><title>{}</title>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\"/>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\">{}</text>\
             <text class=\"sub\" x=\"{tx:.1}\" y=\"{:.1}\">{}</text></g>",
            escape(&node.key),
            escape(&title),
            rect.x,
            rect.y,
            rect.w,
            rect.h,
            escape(first),
            ty + LINE_H,
            escape(second)
        );
    }
    s.push_str("</svg>\n");
    s
}
