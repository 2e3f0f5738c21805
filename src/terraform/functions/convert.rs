//! Conversions: `jsonencode`, `jsondecode`, `tolist`, `toset`, `tostring`, `tonumber`,
//! `tobool`.

use super::*;

/// `jsonencode(v)`: the value itself, not its text, so that a policy keeps its structure
/// and its spans (the policy parser works on nodes).
pub(super) fn jsonencode(args: &[Node], span: Span) -> Ret {
    Ok(arg(args, 0, "jsonencode", span)?.clone())
}

/// `jsondecode(s)`: parses a known string; when the string's span is exactly its text (a
/// `file()` result, a plain heredoc) the result is located inside it.
pub(super) fn jsondecode(args: &[Node], span: Span, sources: &Sources) -> Ret {
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

pub(super) fn identity(args: &[Node], span: Span) -> Ret {
    Ok(arg(args, 0, "tolist", span)?.clone())
}

/// `toset(list)`: duplicates removed; known strings sorted, as Terraform orders sets.
pub(super) fn toset(args: &[Node], span: Span) -> Ret {
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

pub(super) fn tostring(args: &[Node], span: Span) -> Ret {
    let value = arg(args, 0, "tostring", span)?;
    match &value.kind {
        Kind::Null | Kind::Str(_) | Kind::Unknown(_) => Ok(value.clone()),
        _ => Ok(Node::new(
            Kind::Str(pstring(value, "tostring", span)?),
            span,
        )),
    }
}

pub(super) fn tonumber(args: &[Node], span: Span) -> Ret {
    let value = arg(args, 0, "tonumber", span)?;
    match &value.kind {
        Kind::Null | Kind::Number(_) | Kind::Unknown(_) => Ok(value.clone()),
        _ => Ok(number_node(number(value, "tonumber", span)?, span)),
    }
}

pub(super) fn tobool(args: &[Node], span: Span) -> Ret {
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
