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

use crate::located_json::{OffsetMap, parse_json};
use crate::source::{Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part};

use collections::{
    coalesce, coalescelist, compact, concat, contains, distinct, element, flatten, keys, length,
    lookup, merge, one, sort, values, zipmap,
};
use convert::{identity, jsondecode, jsonencode, tobool, tonumber, toset, tostring};
use text::{
    endswith, format, join, lower, replace, split, startswith, trimprefix, trimspace, trimsuffix,
    upper,
};

mod collections;
mod convert;
mod size;
#[cfg(test)]
mod tests;
mod text;

pub use collections::{splice, splice_hole};
pub use size::output_size;

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
