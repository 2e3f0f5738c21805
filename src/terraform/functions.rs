//! Terraform's built-in functions, one small function each, over located values.
//!
//! Every function takes its evaluated arguments and the span of the call, and returns a
//! [`Node`]. A new value gets the call's span; values passed through (list elements, map
//! values, `jsonencode`'s argument) keep their own spans, so a diagnostic still points where
//! they are written. An argument that is not known makes the result unknown (with the
//! argument's hole), never a guess; a wrong argument makes the result an error value (see
//! [`error`]), which `try()` and `can()` recognise and which otherwise stays an unknown.
//!
//! `file`, `templatefile`, `try` and `can` need the evaluator and live in
//! [`super::eval`]; [`call`] handles the rest and answers `None` for names it does not know.

use crate::json::{OffsetMap, parse_json};
use crate::source::{Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part};

/// Prefix of the hole ids of error values.
pub const ERROR_PREFIX: &str = "error: ";

/// A value that stands for an evaluation error (a wrong argument, a missing attribute):
/// an unknown whose hole id starts with [`ERROR_PREFIX`] and whose `why` is `message`.
pub fn error(span: Span, message: impl Into<String>) -> Node {
    let message = message.into();
    Node::new(
        Kind::Unknown(Hole::unknown(format!("{ERROR_PREFIX}{message}"), message)),
        span,
    )
}

/// Whether `node` is an error value (or a string made partly of one).
pub fn is_error(node: &Node) -> bool {
    match &node.kind {
        Kind::Unknown(hole) => hole.id.starts_with(ERROR_PREFIX),
        Kind::Str(s) => s.holes().any(|h| h.id.starts_with(ERROR_PREFIX)),
        _ => false,
    }
}

/// The first unknown at the top of `node`: the hole of an unknown, or of a partly known
/// string.
pub fn first_hole(node: &Node) -> Option<Hole> {
    match &node.kind {
        Kind::Unknown(hole) => Some(hole.clone()),
        Kind::Str(s) => s.holes().next().cloned(),
        _ => None,
    }
}

/// An unknown value at `span` standing for `hole`.
pub fn unknown(hole: Hole, span: Span) -> Node {
    Node::new(Kind::Unknown(hole), span)
}

/// A known string at `span`.
pub fn string_node(text: impl Into<String>, span: Span) -> Node {
    Node::new(Kind::Str(PString::known(text)), span)
}

/// A number at `span`, written the way Terraform prints it.
pub fn number_node(value: f64, span: Span) -> Node {
    Node::new(Kind::Number(format_number(value)), span)
}

/// `value` as Terraform prints it: integers without a fraction.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The value of a number node (numbers are kept as written).
pub fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `node` as template text: strings as they are, numbers and booleans printed, unknowns as
/// holes. `Err` says why the value cannot be text (null, a list, an object).
pub fn to_pstring(node: &Node) -> Result<PString, String> {
    match &node.kind {
        Kind::Str(s) => Ok(s.clone()),
        Kind::Number(n) => Ok(PString::known(
            parse_number(n).map_or_else(|| n.clone(), format_number),
        )),
        Kind::Bool(b) => Ok(PString::known(b.to_string())),
        Kind::Unknown(hole) => Ok(PString::hole(hole.clone())),
        Kind::Null => Err("a null value cannot be used as a string".to_string()),
        Kind::Array(_) => Err("a list cannot be used as a string".to_string()),
        Kind::Object(_) => Err("an object cannot be used as a string".to_string()),
    }
}

/// Whether two values are equal: `None` when it depends on an unknown.
pub fn values_equal(a: &Node, b: &Node) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (Kind::Unknown(_), _) | (_, Kind::Unknown(_)) => None,
        (Kind::Null, Kind::Null) => Some(true),
        (Kind::Bool(x), Kind::Bool(y)) => Some(x == y),
        (Kind::Number(x), Kind::Number(y)) => match (parse_number(x), parse_number(y)) {
            (Some(x), Some(y)) => Some(x == y),
            _ => Some(x == y),
        },
        (Kind::Str(x), Kind::Str(y)) => match (x.as_known(), y.as_known()) {
            (Some(x), Some(y)) => Some(x == y),
            _ if x == y => Some(true),
            _ => None,
        },
        (Kind::Array(x), Kind::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (x, y) in x.iter().zip(y) {
                match values_equal(x, y) {
                    Some(false) => return Some(false),
                    None => result = None,
                    Some(true) => {}
                }
            }
            result
        }
        (Kind::Object(x), Kind::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let y: std::collections::HashMap<&str, &Node> =
                y.iter().map(|m| (m.key.as_str(), &m.value)).collect();
            let mut result = Some(true);
            for m in x {
                let Some(other) = y.get(m.key.as_str()) else {
                    return Some(false);
                };
                match values_equal(&m.value, other) {
                    Some(false) => return Some(false),
                    None => result = None,
                    Some(true) => {}
                }
            }
            result
        }
        (Kind::Str(s), _) | (_, Kind::Str(s)) if !s.is_known() => None,
        _ => Some(false),
    }
}

/// The result of a function: `Err` carries an early answer (unknown or error).
type Ret = Result<Node, Node>;

fn arg<'a>(args: &'a [Node], i: usize, name: &str, span: Span) -> Result<&'a Node, Node> {
    args.get(i)
        .ok_or_else(|| error(span, format!("{name}() needs at least {} arguments", i + 1)))
}

fn list<'a>(node: &'a Node, name: &str, span: Span) -> Result<&'a [Node], Node> {
    match &node.kind {
        Kind::Array(items) => Ok(items),
        Kind::Unknown(hole) => Err(unknown(hole.clone(), span)),
        _ => Err(error(
            span,
            format!("{name}() expects a list, got {}", node.shape()),
        )),
    }
}

fn object<'a>(node: &'a Node, name: &str, span: Span) -> Result<&'a [Member], Node> {
    match &node.kind {
        Kind::Object(members) => Ok(members),
        Kind::Unknown(hole) => Err(unknown(hole.clone(), span)),
        _ => Err(error(
            span,
            format!("{name}() expects a map or object, got {}", node.shape()),
        )),
    }
}

fn pstring(node: &Node, name: &str, span: Span) -> Result<PString, Node> {
    to_pstring(node).map_err(|why| error(span, format!("{name}(): {why}")))
}

fn string(node: &Node, name: &str, span: Span) -> Result<String, Node> {
    let s = pstring(node, name, span)?;
    match s.as_known() {
        Some(text) => Ok(text.to_string()),
        None => Err(unknown(
            s.holes().next().cloned().unwrap_or_else(Hole::any_key),
            span,
        )),
    }
}

fn number(node: &Node, name: &str, span: Span) -> Result<f64, Node> {
    match &node.kind {
        Kind::Number(n) => parse_number(n).ok_or_else(|| error(span, format!("bad number {n}"))),
        Kind::Unknown(hole) => Err(unknown(hole.clone(), span)),
        Kind::Str(_) => {
            let text = string(node, name, span)?;
            parse_number(&text)
                .ok_or_else(|| error(span, format!("{name}(): \"{text}\" is not a number")))
        }
        _ => Err(error(
            span,
            format!("{name}() expects a number, got {}", node.shape()),
        )),
    }
}

/// Calls the pure function `name`. `None` when the function is not one evaluated here.
/// `sources` lets `jsondecode` locate what it parses.
pub fn call(name: &str, args: &[Node], span: Span, sources: &Sources) -> Option<Node> {
    let f: fn(&[Node], Span) -> Ret = match name {
        "jsondecode" => return Some(jsondecode(args, span, sources).unwrap_or_else(|e| e)),
        // Regular expressions are Terraform's (RE2): left unknown, with the reason.
        "regex" | "regexall" => {
            return Some(unknown(
                Hole::unknown(
                    format!("{name}()@{}:{}", span.file.0, span.start),
                    format!("{name}() (a regular expression) is not evaluated; check the plan"),
                ),
                span,
            ));
        }
        "jsonencode" => jsonencode,
        "format" => format,
        "join" => join,
        "concat" => concat,
        "merge" => merge,
        "lookup" => lookup,
        "coalesce" => coalesce,
        "coalescelist" => coalescelist,
        "element" => element,
        "length" => length,
        "lower" => lower,
        "upper" => upper,
        "replace" => replace,
        "split" => split,
        "tolist" | "tomap" => identity,
        "toset" => toset,
        "tostring" => tostring,
        "tonumber" => tonumber,
        "tobool" => tobool,
        "flatten" => flatten,
        "distinct" => distinct,
        "keys" => keys,
        "values" => values,
        "contains" => contains,
        "compact" => compact,
        "zipmap" => zipmap,
        "one" => one,
        "trimspace" => trimspace,
        "trimprefix" => trimprefix,
        "trimsuffix" => trimsuffix,
        "startswith" => startswith,
        "endswith" => endswith,
        "sort" => sort,
        _ => return None,
    };
    Some(f(args, span).unwrap_or_else(|early| early))
}

/// `jsonencode(v)`: the value itself, not its text, so that a policy keeps its structure
/// and its spans (the policy parser works on nodes).
fn jsonencode(args: &[Node], span: Span) -> Ret {
    Ok(arg(args, 0, "jsonencode", span)?.clone())
}

/// `jsondecode(s)`: parses a known string; when the string's span is exactly its text (a
/// `file()` result, a plain heredoc) the result is located inside it.
fn jsondecode(args: &[Node], span: Span, sources: &Sources) -> Ret {
    let node = arg(args, 0, "jsondecode", span)?;
    // A document already held as a structure (`jsonencode`, a rendered policy document)
    // decodes to itself.
    if matches!(node.kind, Kind::Object(_) | Kind::Array(_)) {
        return Ok(node.clone());
    }
    let text = string(node, "jsondecode", span)?;
    let map = if sources.slice(node.span) == text {
        OffsetMap::direct(node.span.file, node.span.start as usize)
    } else {
        OffsetMap::Coarse(node.span)
    };
    parse_json(&text, &map).map_err(|e| error(span, format!("jsondecode(): {}", e.message)))
}

fn identity(args: &[Node], span: Span) -> Ret {
    Ok(arg(args, 0, "tolist", span)?.clone())
}

/// `format(spec, args...)`: the verbs `%s %v %d %q %t %%`; others leave the result unknown.
fn format(args: &[Node], span: Span) -> Ret {
    let spec = string(arg(args, 0, "format", span)?, "format", span)?;
    let mut out = PString::default();
    let mut next = 1;
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            let mut buf = [0; 4];
            out.push_str(c.encode_utf8(&mut buf));
            continue;
        }
        let verb = chars.next().unwrap_or('%');
        if verb == '%' {
            out.push_str("%");
            continue;
        }
        let value = arg(args, next, "format", span)?;
        next += 1;
        match verb {
            's' | 'v' => out.push(&pstring(value, "format", span)?),
            'd' => out.push_str(&format_number(number(value, "format", span)?.trunc())),
            't' => match &value.kind {
                Kind::Bool(b) => out.push_str(&b.to_string()),
                Kind::Unknown(hole) => out.push_hole(hole.clone()),
                _ => return Err(error(span, "format(): %t needs a boolean")),
            },
            'q' => {
                let text = string(value, "format", span)?;
                out.push_str(&serde_json::to_string(&text).unwrap_or(text));
            }
            other => {
                return Err(unknown(
                    Hole::unknown(
                        format!("format()@{}:{}", span.file.0, span.start),
                        format!("format verb %{other} is not evaluated"),
                    ),
                    span,
                ));
            }
        }
    }
    Ok(Node::new(Kind::Str(out), span))
}

/// `join(sep, list...)`: unknown elements become holes of the result.
fn join(args: &[Node], span: Span) -> Ret {
    // `join("", data.aws_iam_policy_document.p[*].json)`: one document held as a structure
    // joins to itself.
    if let [_, single] = args
        && let Kind::Array(items) = &single.kind
        && let [item] = items.as_slice()
        && matches!(item.kind, Kind::Object(_) | Kind::Array(_))
    {
        return Ok(item.clone());
    }
    let sep = pstring(arg(args, 0, "join", span)?, "join", span)?;
    let mut out = PString::default();
    let mut first = true;
    for l in &args[1..] {
        for item in list(l, "join", span)? {
            if !first {
                out.push(&sep);
            }
            first = false;
            out.push(&pstring(item, "join", span)?);
        }
    }
    Ok(Node::new(Kind::Str(out), span))
}

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
fn concat(args: &[Node], span: Span) -> Ret {
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
fn merge(args: &[Node], span: Span) -> Ret {
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

fn lookup(args: &[Node], span: Span) -> Ret {
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
fn coalesce(args: &[Node], span: Span) -> Ret {
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

fn coalescelist(args: &[Node], span: Span) -> Ret {
    for a in args {
        if !list(a, "coalescelist", span)?.is_empty() {
            return Ok(a.clone());
        }
    }
    Err(error(span, "coalescelist(): no non-empty list"))
}

fn element(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "element", span)?, "element", span)?;
    first_splice(items, span)?;
    let index = number(arg(args, 1, "element", span)?, "element", span)?;
    if items.is_empty() || index < 0.0 {
        return Err(error(span, "element(): empty list or negative index"));
    }
    Ok(items[(index as usize) % items.len()].clone())
}

fn length(args: &[Node], span: Span) -> Ret {
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

/// Applies `f` to the known text of a string; holes stay holes.
fn map_text(args: &[Node], name: &str, span: Span, f: fn(&str) -> String) -> Ret {
    let s = pstring(arg(args, 0, name, span)?, name, span)?;
    let mut out = PString::default();
    for part in s.parts() {
        match part {
            Part::Lit(text) => out.push_str(&f(text)),
            Part::Hole(hole) => out.push_hole(hole.clone()),
        }
    }
    Ok(Node::new(Kind::Str(out), span))
}

fn lower(args: &[Node], span: Span) -> Ret {
    map_text(args, "lower", span, str::to_lowercase)
}

fn upper(args: &[Node], span: Span) -> Ret {
    map_text(args, "upper", span, str::to_uppercase)
}

/// `replace(s, old, new)` with a plain `old`; a `/regex/` leaves the result unknown.
///
/// `s` and `new` may be partly unknown: only the known parts of `s` are searched, and the
/// holes of `new` are kept in the result. `s` may also be a JSON document as `jsonencode` or
/// a rendered policy document gives it (a structure, not text): every string in it is
/// replaced, which is what replacing in its text does as long as neither `old` nor `new`
/// holds a character JSON escapes or uses as syntax (otherwise the result is unknown).
fn replace(args: &[Node], span: Span) -> Ret {
    let target = arg(args, 0, "replace", span)?;
    let old = string(arg(args, 1, "replace", span)?, "replace", span)?;
    if old.len() >= 2 && old.starts_with('/') && old.ends_with('/') {
        return Err(unknown(
            Hole::unknown(
                format!("replace()@{}:{}", span.file.0, span.start),
                "replace() with a regular expression is not evaluated",
            ),
            span,
        ));
    }
    let new = pstring(arg(args, 2, "replace", span)?, "replace", span)?;
    match &target.kind {
        Kind::Object(_) | Kind::Array(_) => {
            let json_syntax = |t: &str| t.contains(['"', '\\', '{', '}', '[', ']', ':', ',']);
            let new_text = new
                .parts()
                .iter()
                .any(|p| matches!(p, Part::Lit(t) if json_syntax(t)));
            if old.is_empty() || json_syntax(&old) || new_text {
                return Err(unknown(
                    Hole::unknown(
                        format!("replace()@{}:{}", span.file.0, span.start),
                        "replace() over a JSON document with a pattern or replacement that JSON escapes or uses as syntax is not evaluated",
                    ),
                    span,
                ));
            }
            replace_in_document(target, &old, &new)
        }
        _ => {
            let s = pstring(target, "replace", span)?;
            if old.is_empty() {
                return Ok(Node::new(Kind::Str(s), span));
            }
            Ok(Node::new(Kind::Str(replace_parts(&s, &old, &new)), span))
        }
    }
}

/// `s` with every `old` in its known parts replaced by `new`.
fn replace_parts(s: &PString, old: &str, new: &PString) -> PString {
    let mut out = PString::default();
    for part in s.parts() {
        match part {
            Part::Lit(text) => {
                let mut pieces = text.split(old);
                if let Some(first) = pieces.next() {
                    out.push_str(first);
                }
                for piece in pieces {
                    out.push(new);
                    out.push_str(piece);
                }
            }
            Part::Hole(h) => out.push_hole(h.clone()),
        }
    }
    out
}

/// Every string (and object key) of a JSON document with `old` replaced by `new`; nodes keep
/// their spans. A key cannot hold a hole: a key with `old` and an unknown `new` is an error
/// of the unknown kind.
fn replace_in_document(node: &Node, old: &str, new: &PString) -> Ret {
    let kind = match &node.kind {
        Kind::Str(s)
            if s.parts()
                .iter()
                .any(|p| matches!(p, Part::Lit(t) if t.contains(old))) =>
        {
            Kind::Str(replace_parts(s, old, new))
        }
        Kind::Array(items) => Kind::Array(
            items
                .iter()
                .map(|i| replace_in_document(i, old, new))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Object(members) => {
            let mut out = Vec::with_capacity(members.len());
            for m in members {
                let key = if m.key.contains(old) {
                    match new.as_known() {
                        Some(new) => m.key.replace(old, new),
                        None => {
                            return Err(unknown(
                                new.holes().next().cloned().unwrap_or_else(Hole::any_key),
                                node.span,
                            ));
                        }
                    }
                } else {
                    m.key.clone()
                };
                out.push(Member {
                    key,
                    key_span: m.key_span,
                    value: replace_in_document(&m.value, old, new)?,
                });
            }
            Kind::Object(out)
        }
        other => other.clone(),
    };
    Ok(Node::new(kind, node.span))
}

fn split(args: &[Node], span: Span) -> Ret {
    let sep = string(arg(args, 0, "split", span)?, "split", span)?;
    let s = string(arg(args, 1, "split", span)?, "split", span)?;
    let items: Vec<Node> = if sep.is_empty() {
        s.chars()
            .map(|c| string_node(c.to_string(), span))
            .collect()
    } else {
        s.split(sep.as_str())
            .map(|p| string_node(p, span))
            .collect()
    };
    Ok(Node::new(Kind::Array(items), span))
}

/// `toset(list)`: duplicates removed; known strings sorted, as Terraform orders sets.
fn toset(args: &[Node], span: Span) -> Ret {
    let mut set = distinct(args, span)?;
    if let Kind::Array(items) = &mut set.kind
        && items
            .iter()
            .all(|i| i.as_pstr().is_some_and(PString::is_known))
    {
        items.sort_by(|a, b| {
            let key = |n: &Node| n.as_pstr().and_then(|s| s.as_known().map(str::to_string));
            key(a).cmp(&key(b))
        });
    }
    Ok(set)
}

fn tostring(args: &[Node], span: Span) -> Ret {
    let value = arg(args, 0, "tostring", span)?;
    match &value.kind {
        Kind::Null | Kind::Str(_) | Kind::Unknown(_) => Ok(value.clone()),
        _ => Ok(Node::new(
            Kind::Str(pstring(value, "tostring", span)?),
            span,
        )),
    }
}

fn tonumber(args: &[Node], span: Span) -> Ret {
    let value = arg(args, 0, "tonumber", span)?;
    match &value.kind {
        Kind::Null | Kind::Number(_) | Kind::Unknown(_) => Ok(value.clone()),
        _ => Ok(number_node(number(value, "tonumber", span)?, span)),
    }
}

fn tobool(args: &[Node], span: Span) -> Ret {
    let value = arg(args, 0, "tobool", span)?;
    match &value.kind {
        Kind::Null | Kind::Bool(_) | Kind::Unknown(_) => Ok(value.clone()),
        _ => match string(value, "tobool", span)?.as_str() {
            "true" => Ok(Node::new(Kind::Bool(true), span)),
            "false" => Ok(Node::new(Kind::Bool(false), span)),
            other => Err(error(span, format!("tobool(): \"{other}\" is not a bool"))),
        },
    }
}

/// `flatten(list)`: an unknown element might be a list, so it makes the result unknown.
fn flatten(args: &[Node], span: Span) -> Ret {
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
fn distinct(args: &[Node], span: Span) -> Ret {
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

fn sorted_members(members: &[Member]) -> Vec<&Member> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted
}

/// `keys(map)`, sorted as Terraform sorts map keys.
fn keys(args: &[Node], span: Span) -> Ret {
    let members = object(arg(args, 0, "keys", span)?, "keys", span)?;
    let items = sorted_members(members)
        .into_iter()
        .map(|m| string_node(m.key.clone(), m.key_span))
        .collect();
    Ok(Node::new(Kind::Array(items), span))
}

/// `values(map)`, in the order of the sorted keys.
fn values(args: &[Node], span: Span) -> Ret {
    let members = object(arg(args, 0, "values", span)?, "values", span)?;
    let items = sorted_members(members)
        .into_iter()
        .map(|m| m.value.clone())
        .collect();
    Ok(Node::new(Kind::Array(items), span))
}

fn contains(args: &[Node], span: Span) -> Ret {
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
fn compact(args: &[Node], span: Span) -> Ret {
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

fn zipmap(args: &[Node], span: Span) -> Ret {
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

fn one(args: &[Node], span: Span) -> Ret {
    let items = list(arg(args, 0, "one", span)?, "one", span)?;
    first_splice(items, span)?;
    match items {
        [] => Ok(Node::new(Kind::Null, span)),
        [item] => Ok(item.clone()),
        _ => Err(error(span, "one(): more than one element")),
    }
}

fn trimspace(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "trimspace", span)?, "trimspace", span)?;
    Ok(string_node(s.trim(), span))
}

fn trimprefix(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "trimprefix", span)?, "trimprefix", span)?;
    let p = string(arg(args, 1, "trimprefix", span)?, "trimprefix", span)?;
    Ok(string_node(s.strip_prefix(p.as_str()).unwrap_or(&s), span))
}

fn trimsuffix(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "trimsuffix", span)?, "trimsuffix", span)?;
    let p = string(arg(args, 1, "trimsuffix", span)?, "trimsuffix", span)?;
    Ok(string_node(s.strip_suffix(p.as_str()).unwrap_or(&s), span))
}

/// `startswith(s, prefix)`: answered from the known beginning of a partly known string.
fn startswith(args: &[Node], span: Span) -> Ret {
    let s = pstring(arg(args, 0, "startswith", span)?, "startswith", span)?;
    let p = string(arg(args, 1, "startswith", span)?, "startswith", span)?;
    let known = s.known_prefix();
    if s.is_known() || known.len() >= p.len() {
        return Ok(Node::new(Kind::Bool(known.starts_with(p.as_str())), span));
    }
    if !p.starts_with(known) {
        return Ok(Node::new(Kind::Bool(false), span));
    }
    Err(unknown(
        s.holes().next().cloned().unwrap_or_else(Hole::any_key),
        span,
    ))
}

fn endswith(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "endswith", span)?, "endswith", span)?;
    let p = string(arg(args, 1, "endswith", span)?, "endswith", span)?;
    Ok(Node::new(Kind::Bool(s.ends_with(p.as_str())), span))
}

/// `sort(list)` of known strings.
fn sort(args: &[Node], span: Span) -> Ret {
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

/// The names [`call`] evaluates, plus those the evaluator handles itself.
pub const SUPPORTED: &[&str] = &[
    "jsonencode",
    "jsondecode",
    "file",
    "templatefile",
    "fileset",
    "try",
    "can",
    "format",
    "join",
    "concat",
    "merge",
    "lookup",
    "coalesce",
    "coalescelist",
    "element",
    "length",
    "lower",
    "upper",
    "replace",
    "split",
    "tolist",
    "toset",
    "tomap",
    "tostring",
    "tonumber",
    "tobool",
    "flatten",
    "distinct",
    "keys",
    "values",
    "contains",
    "compact",
    "zipmap",
    "one",
    "trimspace",
    "trimprefix",
    "trimsuffix",
    "startswith",
    "endswith",
    "sort",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sp() -> Span {
        Span::new(FileId(0), 0, 1)
    }

    fn s(text: &str) -> Node {
        string_node(text, sp())
    }

    fn list_of(items: &[&str]) -> Node {
        Node::new(Kind::Array(items.iter().map(|t| s(t)).collect()), sp())
    }

    fn run(name: &str, args: &[Node]) -> Node {
        call(name, args, sp(), &Sources::new()).expect("known function")
    }

    fn text(node: &Node) -> String {
        node.as_pstr().expect("a string").to_string()
    }

    #[test]
    fn string_functions() {
        assert_eq!(text(&run("lower", &[s("AbC")])), "abc");
        assert_eq!(text(&run("upper", &[s("AbC")])), "ABC");
        assert_eq!(
            text(&run("replace", &[s("a-b-c"), s("-"), s("_")])),
            "a_b_c"
        );
        assert_eq!(
            text(&run(
                "format",
                &[s("%s:%d%%"), s("x"), number_node(3.0, sp())]
            )),
            "x:3%"
        );
        assert_eq!(text(&run("join", &[s(","), list_of(&["a", "b"])])), "a,b");
        assert_eq!(text(&run("trimspace", &[s("  a ")])), "a");
    }

    #[test]
    fn partial_strings_keep_their_holes() {
        let hole = Hole::unknown("var.x", "x");
        let partial = Node::new(Kind::Str(PString::known("A").with_hole(hole.clone())), sp());
        let lowered = run("lower", std::slice::from_ref(&partial));
        assert_eq!(lowered.as_pstr().unwrap().to_string(), "a${var.x}");
        let joined = run(
            "join",
            &[s("/"), Node::new(Kind::Array(vec![s("x"), partial]), sp())],
        );
        assert_eq!(joined.as_pstr().unwrap().to_string(), "x/A${var.x}");
        let unknown_list = Node::new(Kind::Unknown(hole.clone()), sp());
        let spliced = run("concat", &[list_of(&["a"]), unknown_list.clone()]);
        let Kind::Array(items) = &spliced.kind else {
            panic!("concat keeps the known elements: {spliced:?}");
        };
        assert_eq!(items[0].as_pstr().unwrap().as_known(), Some("a"));
        assert_eq!(splice_hole(&items[1]).map(|h| &*h.why), Some("x"));
        // Counting or picking past a splice is unknown.
        for f in ["length", "one"] {
            let out = run(f, std::slice::from_ref(&spliced));
            assert!(matches!(out.kind, Kind::Unknown(_)), "{f}: {out:?}");
        }
        let nested = Node::new(Kind::Array(vec![list_of(&["b"]), unknown_list]), sp());
        let flat = run("flatten", &[nested]);
        assert!(matches!(&flat.kind, Kind::Array(items) if items.len() == 2));
    }

    #[test]
    fn replace_works_over_documents_and_keeps_holes() {
        let arn = Node::new(
            Kind::Str(PString::hole(Hole::unknown(
                "aws_s3_bucket.b.arn",
                "after apply",
            ))),
            sp(),
        );
        let doc = Node::new(
            Kind::Object(vec![Member {
                key: "Resource".into(),
                key_span: sp(),
                value: s("_ARN_/*"),
            }]),
            sp(),
        );
        let out = run("replace", &[doc.clone(), s("_ARN_"), arn.clone()]);
        assert_eq!(
            out.get("Resource").unwrap().as_pstr().unwrap().to_string(),
            "${aws_s3_bucket.b.arn}/*"
        );
        // A string with a hole: only the known parts are searched.
        let partial = Node::new(
            Kind::Str(PString::known("x_ARN_").with_hole(Hole::unknown("var.y", "y"))),
            sp(),
        );
        let out = run("replace", &[partial, s("_ARN_"), s("z")]);
        assert_eq!(out.as_pstr().unwrap().to_string(), "xz${var.y}");
        // Patterns JSON would escape, and regular expressions, stay unknown with a reason.
        for pattern in ["\"", "/a+/"] {
            let out = run("replace", &[doc.clone(), s(pattern), s("q")]);
            assert!(matches!(out.kind, Kind::Unknown(_)), "{pattern}: {out:?}");
        }
        // join of one document is the document (cloudposse's `join("", data.x[*].json)`).
        let joined = run(
            "join",
            &[s(""), Node::new(Kind::Array(vec![doc.clone()]), sp())],
        );
        assert_eq!(joined, doc);
        assert_eq!(run("jsondecode", std::slice::from_ref(&doc)), doc);
    }

    #[test]
    fn regular_expressions_stay_unknown_with_the_reason() {
        for f in ["regex", "regexall"] {
            let out = run(f, &[s("^a"), s("abc")]);
            let Kind::Unknown(hole) = &out.kind else {
                panic!("{f}: {out:?}");
            };
            assert!(hole.why.contains("regular expression"), "{}", hole.why);
        }
    }

    #[test]
    fn collections() {
        let merged = run(
            "merge",
            &[
                Node::new(
                    Kind::Object(vec![Member {
                        key: "a".into(),
                        key_span: sp(),
                        value: s("1"),
                    }]),
                    sp(),
                ),
                Node::new(
                    Kind::Object(vec![Member {
                        key: "a".into(),
                        key_span: sp(),
                        value: s("2"),
                    }]),
                    sp(),
                ),
            ],
        );
        assert_eq!(text(merged.get("a").unwrap()), "2");
        let set = run("toset", &[list_of(&["b", "a", "b"])]);
        let Kind::Array(items) = &set.kind else {
            panic!("not a list")
        };
        assert_eq!(items.iter().map(text).collect::<Vec<_>>(), ["a", "b"]);
        let flat = run(
            "flatten",
            &[Node::new(
                Kind::Array(vec![list_of(&["a"]), list_of(&["b", "c"])]),
                sp(),
            )],
        );
        assert_eq!(flat.as_object(), None);
        assert!(matches!(&flat.kind, Kind::Array(i) if i.len() == 3));
        assert_eq!(
            run("contains", &[list_of(&["a", "b"]), s("b")]).kind,
            Kind::Bool(true)
        );
        assert_eq!(
            run("element", &[list_of(&["a", "b"]), number_node(3.0, sp())]),
            s("b")
        );
        assert_eq!(
            run("length", &[list_of(&["a", "b"])]).kind,
            Kind::Number("2".into())
        );
        assert_eq!(
            run("coalesce", &[s(""), Node::new(Kind::Null, sp()), s("x")]),
            s("x")
        );
    }

    #[test]
    fn wrong_arguments_are_errors_not_panics() {
        assert!(is_error(&run("lookup", &[s("x")])));
        assert!(is_error(&run(
            "element",
            &[list_of(&[]), number_node(0.0, sp())]
        )));
        assert!(is_error(&run("format", &[s("%s")])));
        assert!(call("nosuchfunction", &[], sp(), &Sources::new()).is_none());
    }
}
