//! Collection functions (`concat`, `merge`, `lookup`, `flatten`, `distinct`, `keys`, `sort`, …)
//! and splices of unknown lists.

use super::*;

/// The id prefix of a [`splice`].
const SPLICE_PREFIX: &str = "...";

/// Where an unknown list was spliced into a known one (`concat([a], var.extra)`): an unknown
/// element standing for zero or more elements, so that the known elements stay known (a
/// policy's known statements are still checked). Functions that count or index (`length`,
/// `one`, `element`, `[i]` past it) give unknown.
pub fn splice(hole: &Hole, span: Span) -> Node {
    let id = if hole.id.starts_with(SPLICE_PREFIX) {
        hole.id.to_string()
    } else {
        format!("{SPLICE_PREFIX}{}", hole.id)
    };
    Node::new(Kind::Unknown(Hole::unknown(id, hole.why.clone())), span)
}

/// The hole of a [`splice`], when `node` is one.
pub fn splice_hole(node: &Node) -> Option<&Hole> {
    match &node.kind {
        Kind::Unknown(h) if h.id.starts_with(SPLICE_PREFIX) => Some(h),
        _ => None,
    }
}

/// The first [`splice`] among `items`: the list's length is not known.
fn first_splice(items: &[Node], span: Span) -> Result<(), Node> {
    match items.iter().find_map(splice_hole) {
        Some(h) => Err(unknown(h.clone(), span)),
        None => Ok(()),
    }
}

/// `concat(lists...)`: an unknown list becomes a [`splice`], the known elements stay.
pub(super) fn concat(args: &[Node], span: Span) -> Ret {
    let mut items = Vec::new();
    for l in args {
        match &l.kind {
            Kind::Unknown(hole) => items.push(splice(hole, span)),
            _ => items.extend(list(l, "concat", span)?.iter().cloned()),
        }
    }
    Ok(Node::new(Kind::Array(items), span))
}

/// `merge(maps...)`: later keys win; nulls are skipped.
pub(super) fn merge(args: &[Node], span: Span) -> Ret {
    let mut members: Vec<Member> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for m in args {
        if matches!(m.kind, Kind::Null) {
            continue;
        }
        for member in object(m, "merge", span)? {
            match at.get(&member.key) {
                Some(&i) => members[i] = member.clone(),
                None => {
                    at.insert(member.key.clone(), members.len());
                    members.push(member.clone());
                }
            }
        }
    }
    Ok(Node::new(Kind::Object(members), span))
}

pub(super) fn lookup(args: &[Node], span: Span) -> Ret {
    let members = object(arg(args, 0, "lookup", span)?, "lookup", span)?;
    let key = string(arg(args, 1, "lookup", span)?, "lookup", span)?;
    match members.iter().find(|m| m.key == key) {
        Some(m) => Ok(m.value.clone()),
        None => match args.get(2) {
            Some(default) => Ok(default.clone()),
            None => Err(error(span, format!("lookup(): no key \"{key}\""))),
        },
    }
}

/// `coalesce(args...)`: the first argument that is neither null nor an empty string.
pub(super) fn coalesce(args: &[Node], span: Span) -> Ret {
    for a in args {
        match &a.kind {
            Kind::Null => continue,
            Kind::Str(s) if s.as_known() == Some("") => continue,
            Kind::Str(s) if !s.is_known() && !s.parts().iter().any(is_nonempty_lit) => {
                return Err(unknown(first_hole(a).unwrap_or_else(Hole::any_key), span));
            }
            Kind::Unknown(hole) => return Err(unknown(hole.clone(), span)),
            _ => return Ok(a.clone()),
        }
    }
    Err(error(span, "coalesce(): no non-null, non-empty argument"))
}

fn is_nonempty_lit(part: &Part) -> bool {
    matches!(part, Part::Lit(text) if !text.is_empty())
}

pub(super) fn coalescelist(args: &[Node], span: Span) -> Ret {
    for a in args {
        if !list(a, "coalescelist", span)?.is_empty() {
            return Ok(a.clone());
        }
    }
    Err(error(span, "coalescelist(): no non-empty list"))
}

pub(super) fn element(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "element", span)?, "element", span)?;
    first_splice(items, span)?;
    let index = number(arg(args, 1, "element", span)?, "element", span)?;
    if items.is_empty() || index < 0.0 {
        return Err(error(span, "element(): empty list or negative index"));
    }
    Ok(items[(index as usize) % items.len()].clone())
}

pub(super) fn length(args: &[Node], span: Span) -> Ret {
    let value = arg(args, 0, "length", span)?;
    let n = match &value.kind {
        Kind::Array(items) => {
            first_splice(items, span)?;
            items.len()
        }
        Kind::Object(members) => members.len(),
        Kind::Str(_) => string(value, "length", span)?.chars().count(),
        Kind::Unknown(hole) => return Err(unknown(hole.clone(), span)),
        _ => return Err(error(span, format!("length() of {}", value.shape()))),
    };
    Ok(number_node(n as f64, span))
}

/// `flatten(list)`: an unknown element might be a list, so it makes the result unknown.
pub(super) fn flatten(args: &[Node], span: Span) -> Ret {
    fn walk(items: &[Node], out: &mut Vec<Node>, span: Span) -> Result<(), Node> {
        for item in items {
            match &item.kind {
                Kind::Array(inner) => walk(inner, out, span)?,
                // An unknown nested list: its elements are spliced in, the others stay.
                Kind::Unknown(hole) => out.push(splice(hole, span)),
                _ => out.push(item.clone()),
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(
        list(arg(args, 0, "flatten", span)?, "flatten", span)?,
        &mut out,
        span,
    )?;
    Ok(Node::new(Kind::Array(out), span))
}

/// `distinct(list)`: drops elements certainly equal to an earlier one; elements that may or
/// may not be equal (unknowns) are kept, so the set of values stays right.
pub(super) fn distinct(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "distinct", span)?, "distinct", span)?;
    let mut seen: std::collections::HashSet<Canon> = std::collections::HashSet::new();
    let mut out: Vec<Node> = Vec::new();
    for item in items {
        // An item with an unknown in it is certainly equal to no other: it is kept.
        if canon(item).is_none_or(|key| seen.insert(key)) {
            out.push(item.clone());
        }
    }
    Ok(Node::new(Kind::Array(out), span))
}

/// A value in a form that is equal (and hashes equal) exactly when [`values_equal`] says
/// `Some(true)`; `None` for a value with a wholly unknown part, which is never certainly
/// equal to another. Lets `distinct` and `toset` run in linear time.
#[derive(PartialEq, Eq, Hash)]
enum Canon<'a> {
    Null,
    Bool(bool),
    /// The bits of a number that parses (`-0` as `0`).
    Number(u64),
    /// A number kept as written because it does not parse.
    NumberText(&'a str),
    Str(&'a PString),
    List(Vec<Canon<'a>>),
    /// Members sorted by key.
    Object(Vec<(&'a str, Canon<'a>)>),
}

fn canon(node: &Node) -> Option<Canon<'_>> {
    Some(match &node.kind {
        Kind::Unknown(_) => return None,
        Kind::Null => Canon::Null,
        Kind::Bool(b) => Canon::Bool(*b),
        Kind::Number(n) => match parse_number(n) {
            Some(v) => Canon::Number(if v == 0.0 { 0 } else { v.to_bits() }),
            None => Canon::NumberText(n),
        },
        Kind::Str(s) => Canon::Str(s),
        Kind::Array(items) => Canon::List(items.iter().map(canon).collect::<Option<_>>()?),
        Kind::Object(members) => {
            let mut sorted = members
                .iter()
                .map(|m| Some((m.key.as_str(), canon(&m.value)?)))
                .collect::<Option<Vec<_>>>()?;
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            Canon::Object(sorted)
        }
    })
}

fn sorted_members(members: &[Member]) -> Vec<&Member> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted
}

/// `keys(map)`, sorted as Terraform sorts map keys.
pub(super) fn keys(args: &[Node], span: Span) -> Ret {
    let members = object(arg(args, 0, "keys", span)?, "keys", span)?;
    let items = sorted_members(members)
        .into_iter()
        .map(|m| string_node(m.key.clone(), m.key_span))
        .collect();
    Ok(Node::new(Kind::Array(items), span))
}

/// `values(map)`, in the order of the sorted keys.
pub(super) fn values(args: &[Node], span: Span) -> Ret {
    let members = object(arg(args, 0, "values", span)?, "values", span)?;
    let items = sorted_members(members)
        .into_iter()
        .map(|m| m.value.clone())
        .collect();
    Ok(Node::new(Kind::Array(items), span))
}

pub(super) fn contains(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "contains", span)?, "contains", span)?;
    let value = arg(args, 1, "contains", span)?;
    let mut hole = None;
    for item in items {
        match values_equal(item, value) {
            Some(true) => return Ok(Node::new(Kind::Bool(true), span)),
            None => hole = hole.or_else(|| first_hole(item).or_else(|| first_hole(value))),
            Some(false) => {}
        }
    }
    match hole {
        Some(hole) => Err(unknown(hole, span)),
        None => Ok(Node::new(Kind::Bool(false), span)),
    }
}

/// `compact(list)`: drops empty strings and nulls.
pub(super) fn compact(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "compact", span)?, "compact", span)?;
    let out = items
        .iter()
        .filter(|i| {
            !matches!(&i.kind, Kind::Null)
                && !matches!(&i.kind, Kind::Str(s) if s.as_known() == Some(""))
        })
        .cloned()
        .collect();
    Ok(Node::new(Kind::Array(out), span))
}

pub(super) fn zipmap(args: &[Node], span: Span) -> Ret {
    let ks = list(arg(args, 0, "zipmap", span)?, "zipmap", span)?;
    let vs = list(arg(args, 1, "zipmap", span)?, "zipmap", span)?;
    if ks.len() != vs.len() {
        return Err(error(span, "zipmap(): lists of different lengths"));
    }
    let mut members = Vec::new();
    for (k, v) in ks.iter().zip(vs) {
        members.push(Member {
            key: string(k, "zipmap", span)?,
            key_span: k.span,
            value: v.clone(),
        });
    }
    Ok(Node::new(Kind::Object(members), span))
}

pub(super) fn one(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "one", span)?, "one", span)?;
    first_splice(items, span)?;
    match items {
        [] => Ok(Node::new(Kind::Null, span)),
        [item] => Ok(item.clone()),
        _ => Err(error(span, "one(): more than one element")),
    }
}

/// `sort(list)` of known strings.
pub(super) fn sort(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "sort", span)?, "sort", span)?;
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        keyed.push((string(item, "sort", span)?, item.clone()));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Node::new(
        Kind::Array(keyed.into_iter().map(|(_, n)| n).collect()),
        span,
    ))
}
