//! What a call costs before it runs: the size of its output, for the evaluation budget.

use super::*;

/// The size of a string node's text in bytes, a hole counted as 64 (a number or bool: its
/// text).
fn text_bytes(node: &Node) -> u64 {
    match &node.kind {
        Kind::Str(s) => s
            .parts()
            .iter()
            .map(|p| match p {
                Part::Lit(t) => t.len() as u64,
                Part::Hole(_) => 64,
            })
            .sum(),
        Kind::Number(n) => n.len() as u64,
        Kind::Bool(_) => 5,
        _ => 0,
    }
}

/// Nodes plus text bytes / 64 of `nodes` and everything in them: what copying them costs.
fn units(nodes: &[Node]) -> u64 {
    let mut total = 0u64;
    let mut stack: Vec<&Node> = nodes.iter().collect();
    while let Some(n) = stack.pop() {
        total += 1 + text_bytes(n) / 64;
        match &n.kind {
            Kind::Array(items) => stack.extend(items),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    total
}

/// What [`call`] would build for `name` over `args`, worked out without building it: the
/// bytes of the longest text it makes and its cost in budget units (nodes plus text bytes /
/// 64, copies of the arguments included). The evaluator charges this, or refuses the call,
/// before any of it is allocated.
pub fn output_size(name: &str, args: &[Node]) -> (u64, u64) {
    let known = |i: usize| {
        args.get(i)
            .and_then(Node::as_pstr)
            .and_then(PString::as_known)
    };
    let text = |i: usize| args.get(i).map_or(0, text_bytes);
    let all_text = || -> u64 {
        args.iter()
            .map(|a| match &a.kind {
                Kind::Array(items) => items.iter().map(text_bytes).sum(),
                _ => text_bytes(a),
            })
            .sum()
    };
    let copied = units(args);
    let bytes = match name {
        "replace" => match (known(0), known(1)) {
            (Some(s), Some(old)) if !old.is_empty() => {
                let count = s.matches(old).count() as u64;
                (s.len() as u64 - count * old.len() as u64)
                    .saturating_add(count.saturating_mul(text(2)))
            }
            _ => text(0),
        },
        "join" => {
            let items: u64 = args
                .iter()
                .skip(1)
                .map(|a| match &a.kind {
                    Kind::Array(items) => items.len() as u64,
                    _ => 1,
                })
                .sum();
            all_text().saturating_add(text(0).saturating_mul(items))
        }
        // `%q` escapes a control character as six bytes.
        "format" => all_text().saturating_mul(6),
        // Case mapping can lengthen a character up to three times.
        "upper" | "lower" => text(0).saturating_mul(3),
        "split" => {
            let pieces = match (known(0), known(1)) {
                (Some(""), Some(s)) => s.chars().count() as u64,
                (Some(sep), Some(s)) => s.matches(sep).count() as u64 + 1,
                _ => 1,
            };
            return (text(1), copied.saturating_add(pieces.saturating_mul(2)));
        }
        _ => all_text(),
    };
    (bytes, copied.saturating_add(bytes / 64))
}
