//! A left-to-right layered layout: one column per kind of node, rows sized
//! from the text, nodes ordered within their column to reduce crossings.
//!
//! 1. **Columns.** Callers, service networks, services, listener rules,
//!    target groups; a red end sits in the column after the node where
//!    its requests stopped. Every edge joins adjacent columns.
//! 2. **Order.** Columns start sorted by label. Barycentre passes follow:
//!    sweeping right, a node moves to the mean position of its
//!    predecessors; sweeping left, of its successors. Four round trips;
//!    the order with the fewest crossings between adjacent columns wins.
//! 3. **Sizes.** Text is monospace, so its width is known from its length
//!    ([`CHAR_W`] per character, a bound on common monospace fonts at
//!    12 px). A node is as wide as its column's widest text and as tall
//!    as its two lines or as the labels of its incoming edges, one slot
//!    per edge, whichever is taller.
//! 4. **Places.** The tallest column stacks from the top. Columns outwards
//!    from it place each node at the mean height of its neighbours towards
//!    the tallest column, pushed down below the node above it (never
//!    reordered, never closer than a gap). Incoming edge labels sit in the band just
//!    left of their target, inside the target's rows; edges curve from the
//!    source's right side to their slot in the band before it. Labels and
//!    nodes therefore never share space, whatever the number of nodes.

use super::graph::{Graph, Kind, Role};

/// Width reserved per character (12 px monospace is about 7.2 px).
pub(crate) const CHAR_W: f64 = 7.5;
/// Height of a text line.
pub(crate) const LINE_H: f64 = 16.0;
/// Inner padding of a node.
pub(crate) const PAD: f64 = 8.0;
/// Height of one incoming-edge label slot.
pub(crate) const SLOT_H: f64 = 20.0;
/// Vertical gap between nodes of a column.
pub(crate) const GAP_Y: f64 = 14.0;
/// Horizontal room for the edges' curves between columns.
pub(crate) const CURVE_W: f64 = 52.0;
/// Outer margin.
pub(crate) const MARGIN: f64 = 16.0;
/// Where the nodes start: below the title and the column headings.
pub(crate) const TOP: f64 = 64.0;

/// A rectangle: x, y, width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
}

impl Rect {
    /// Whether the two rectangles share any area.
    #[cfg(test)]
    pub(crate) fn intersects(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    pub(crate) fn right(&self) -> f64 {
        self.x + self.w
    }
}

/// Where an edge goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EdgePlace {
    /// Start: the source's right side.
    pub(crate) from: (f64, f64),
    /// End of the curve: the start of the straight run under the label.
    pub(crate) bend: (f64, f64),
    /// End: the target's left side.
    pub(crate) to: (f64, f64),
    /// The label's box (its text sits at the bottom-left, above the line).
    pub(crate) label: Rect,
    pub(crate) text: String,
}

/// The layout of a [`Graph`]: parallel to its nodes and edges.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) nodes: Vec<Rect>,
    pub(crate) edges: Vec<EdgePlace>,
    /// Each node's two lines.
    pub(crate) lines: Vec<(String, String)>,
    /// Column headings: text and x.
    pub(crate) headings: Vec<(&'static str, f64)>,
    pub(crate) width: f64,
    pub(crate) height: f64,
    /// Edge crossings between adjacent columns, after ordering.
    pub(crate) crossings: usize,
}

/// Text width in px.
pub(crate) fn text_w(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_W
}

/// A node's two lines: its label and a count.
fn node_lines(graph: &Graph, i: usize) -> (String, String) {
    let Some(n) = graph.node(i) else {
        return (String::new(), String::new());
    };
    let second = match &n.role {
        Role::Refused(_) => format!("{} refused", n.count),
        Role::Plain(Kind::Rule) => format!("{} · {} req", n.detail, n.count),
        Role::Plain(_) => super::graph::requests(n.count),
    };
    (n.label.clone(), second)
}

/// Column of each node, as orders: `columns[c]` lists node indices.
fn initial_columns(graph: &Graph) -> Vec<Vec<usize>> {
    let count = graph
        .nodes
        .iter()
        .map(|n| n.column + 1)
        .max()
        .unwrap_or(0)
        .max(Kind::ALL.len());
    let mut columns = vec![Vec::new(); count];
    for (i, n) in graph.nodes.iter().enumerate() {
        if let Some(col) = columns.get_mut(n.column) {
            col.push(i);
        }
    }
    for col in &mut columns {
        col.sort_by(|&a, &b| {
            let (na, nb) = (&graph.nodes[a], &graph.nodes[b]);
            (matches!(na.role, Role::Refused(_)), &na.label, &na.key).cmp(&(
                matches!(nb.role, Role::Refused(_)),
                &nb.label,
                &nb.key,
            ))
        });
    }
    columns
}

/// Position of every node within its column.
fn positions(graph: &Graph, columns: &[Vec<usize>]) -> Vec<usize> {
    let mut pos = vec![0; graph.nodes.len()];
    for col in columns {
        for (p, &n) in col.iter().enumerate() {
            if let Some(slot) = pos.get_mut(n) {
                *slot = p;
            }
        }
    }
    pos
}

/// Edge crossings between adjacent columns for this order.
pub(crate) fn count_crossings(graph: &Graph, columns: &[Vec<usize>]) -> usize {
    let pos = positions(graph, columns);
    let mut crossings = 0;
    let by_column = |c: usize| {
        graph
            .edges
            .iter()
            .filter(move |e| graph.nodes.get(e.from).is_some_and(|n| n.column == c))
            .map(|e| (pos[e.from], pos[e.to]))
            .collect::<Vec<_>>()
    };
    for c in 0..columns.len() {
        let edges = by_column(c);
        for (i, a) in edges.iter().enumerate() {
            for b in edges.iter().skip(i + 1) {
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    crossings += 1;
                }
            }
        }
    }
    crossings
}

/// One barycentre sweep over `columns`, rightwards or leftwards.
fn sweep(graph: &Graph, columns: &mut [Vec<usize>], rightwards: bool) {
    let order: Vec<usize> = if rightwards {
        (1..columns.len()).collect()
    } else {
        (0..columns.len().saturating_sub(1)).rev().collect()
    };
    for c in order {
        let pos = positions(graph, columns);
        let Some(col) = columns.get_mut(c) else {
            continue;
        };
        let mut keyed: Vec<(f64, usize, usize)> = col
            .iter()
            .enumerate()
            .map(|(p, &n)| {
                let neighbours: Vec<usize> = graph
                    .edges
                    .iter()
                    .filter_map(|e| {
                        if rightwards && e.to == n {
                            Some(pos[e.from])
                        } else if !rightwards && e.from == n {
                            Some(pos[e.to])
                        } else {
                            None
                        }
                    })
                    .collect();
                let bary = if neighbours.is_empty() {
                    p as f64
                } else {
                    neighbours.iter().sum::<usize>() as f64 / neighbours.len() as f64
                };
                (bary, p, n)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *col = keyed.into_iter().map(|k| k.2).collect();
    }
}

/// Orders every column: barycentre round trips, keeping the best.
pub(crate) fn order(graph: &Graph) -> (Vec<Vec<usize>>, usize) {
    let mut columns = initial_columns(graph);
    let mut best = (columns.clone(), count_crossings(graph, &columns));
    for _ in 0..4 {
        if best.1 == 0 {
            break;
        }
        sweep(graph, &mut columns, true);
        let down = count_crossings(graph, &columns);
        if down < best.1 {
            best = (columns.clone(), down);
        }
        sweep(graph, &mut columns, false);
        let up = count_crossings(graph, &columns);
        if up < best.1 {
            best = (columns.clone(), up);
        }
    }
    best
}

/// Lays `graph` out.
pub(crate) fn layout(graph: &Graph) -> Layout {
    let (columns, crossings) = order(graph);
    let pos = positions(graph, &columns);
    let lines: Vec<(String, String)> = (0..graph.nodes.len())
        .map(|i| node_lines(graph, i))
        .collect();
    let labels: Vec<String> = graph.edges.iter().map(|e| e.split.label()).collect();

    // Incoming edges of each node, ordered by their source's position.
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (e, edge) in graph.edges.iter().enumerate() {
        if let Some(v) = incoming.get_mut(edge.to) {
            v.push(e);
        }
        if let Some(v) = outgoing.get_mut(edge.from) {
            v.push(e);
        }
    }
    for v in &mut incoming {
        v.sort_by_key(|&e| pos[graph.edges[e].from]);
    }
    for v in &mut outgoing {
        v.sort_by_key(|&e| pos[graph.edges[e].to]);
    }

    // Sizes.
    let heights: Vec<f64> = (0..graph.nodes.len())
        .map(|i| {
            let text = 2.0 * LINE_H + 2.0 * PAD;
            let slots = incoming[i].len() as f64 * SLOT_H + 2.0 * PAD;
            text.max(slots)
        })
        .collect();
    let col_w: Vec<f64> = columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let heading = Kind::ALL.get(c).map_or(0.0, |k| text_w(k.heading()));
            col.iter()
                .map(|&n| text_w(&lines[n].0).max(text_w(&lines[n].1)) + 2.0 * PAD)
                .fold(heading.max(96.0), f64::max)
        })
        .collect();
    // The label band before each column: its widest incoming label.
    let band_w: Vec<f64> = columns
        .iter()
        .map(|col| {
            col.iter()
                .flat_map(|&n| incoming[n].iter())
                .map(|&e| text_w(&labels[e]) + PAD)
                .fold(0.0, f64::max)
        })
        .collect();

    // Columns' x.
    let mut xs = Vec::with_capacity(columns.len());
    let mut x = MARGIN;
    for c in 0..columns.len() {
        if c > 0 {
            x += CURVE_W + band_w[c];
        }
        xs.push(x);
        x += col_w[c];
    }
    let width = x + MARGIN;

    // Rows: the tallest column stacks from the top; every other column,
    // outwards from it, places each node at the mean centre of its
    // neighbours towards the tallest column, pushed down past the node above.
    let col_h: Vec<f64> = columns
        .iter()
        .map(|col| {
            col.iter().map(|&n| heights[n]).sum::<f64>()
                + GAP_Y * col.len().saturating_sub(1) as f64
        })
        .collect();
    let tallest = (0..columns.len())
        .max_by(|&a, &b| col_h[a].total_cmp(&col_h[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let mut nodes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        graph.nodes.len()
    ];
    let rightwards = (tallest + 1..columns.len()).map(|c| (c, true));
    let leftwards = (0..tallest).rev().map(|c| (c, false));
    let order = std::iter::once((tallest, true))
        .chain(rightwards)
        .chain(leftwards);
    for (c, from_left) in order {
        let mut floor = TOP;
        for &n in &columns[c] {
            let centres: Vec<f64> = if c == tallest {
                Vec::new()
            } else if from_left {
                incoming[n]
                    .iter()
                    .map(|&e| nodes[graph.edges[e].from])
                    .map(|r| r.y + r.h / 2.0)
                    .collect()
            } else {
                outgoing[n]
                    .iter()
                    .map(|&e| nodes[graph.edges[e].to])
                    .map(|r| r.y + r.h / 2.0)
                    .collect()
            };
            let wanted = if centres.is_empty() {
                floor
            } else {
                centres.iter().sum::<f64>() / centres.len() as f64 - heights[n] / 2.0
            };
            let y = wanted.max(floor).round();
            nodes[n] = Rect {
                x: xs[c],
                y,
                w: col_w[c],
                h: heights[n],
            };
            floor = y + heights[n] + GAP_Y;
        }
    }
    let bottom = nodes.iter().map(|r| r.y + r.h).fold(TOP, f64::max);

    // Edges: a slot per incoming edge, a port per outgoing edge.
    let mut edges = Vec::with_capacity(graph.edges.len());
    for (e, edge) in graph.edges.iter().enumerate() {
        let (src, dst) = (nodes[edge.from], nodes[edge.to]);
        let out_i = outgoing[edge.from]
            .iter()
            .position(|&x| x == e)
            .unwrap_or(0);
        let out_n = outgoing[edge.from].len().max(1);
        let from_y = src.y + src.h * (out_i as f64 + 1.0) / (out_n as f64 + 1.0);
        let in_i = incoming[edge.to].iter().position(|&x| x == e).unwrap_or(0);
        let slot_top = dst.y + PAD + in_i as f64 * SLOT_H;
        let line_y = slot_top + SLOT_H - 3.0;
        let column = graph.nodes[edge.to].column;
        let band = band_w.get(column).copied().unwrap_or(0.0);
        let bend_x = dst.x - band;
        edges.push(EdgePlace {
            from: (src.right(), from_y),
            bend: (bend_x, line_y),
            to: (dst.x, line_y),
            label: Rect {
                x: bend_x,
                y: slot_top,
                w: text_w(&labels[e]) + PAD / 2.0,
                h: SLOT_H - 4.0,
            },
            text: labels[e].clone(),
        });
    }
    let height = bottom + MARGIN + LINE_H;
    let headings = Kind::ALL
        .iter()
        .zip(&xs)
        .map(|(k, &x)| (k.heading(), x))
        .collect();
    Layout {
        nodes,
        edges,
        lines,
        headings,
        width,
        height,
        crossings,
    }
}
