//! String functions: `format`, `join`, `lower`, `upper`, `replace`, `split`, `trim*`,
//! `startswith`, `endswith`.

use super::*;

/// `format(spec, args...)`: the verbs `%s %v %d %q %t %%`; others leave the result unknown.
pub(super) fn format(args: &[Node], span: Span) -> Ret {
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
pub(super) fn join(args: &[Node], span: Span) -> Ret {
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

pub(super) fn lower(args: &[Node], span: Span) -> Ret {
    map_text(args, "lower", span, str::to_lowercase)
}

pub(super) fn upper(args: &[Node], span: Span) -> Ret {
    map_text(args, "upper", span, str::to_uppercase)
}

/// `replace(s, old, new)` with a plain `old`; a `/regex/` leaves the result unknown.
///
/// `s` and `new` may be partly unknown: only the known parts of `s` are searched, and the
/// holes of `new` are kept in the result. `s` may also be a JSON document as `jsonencode` or
/// a rendered policy document gives it (a structure, not text): every string in it is
/// replaced, which is what replacing in its text does as long as neither `old` nor `new`
/// holds a character JSON escapes or uses as syntax (otherwise the result is unknown).
pub(super) fn replace(args: &[Node], span: Span) -> Ret {
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

pub(super) fn split(args: &[Node], span: Span) -> Ret {
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

pub(super) fn trimspace(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "trimspace", span)?, "trimspace", span)?;
    Ok(string_node(s.trim(), span))
}

pub(super) fn trimprefix(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "trimprefix", span)?, "trimprefix", span)?;
    let p = string(arg(args, 1, "trimprefix", span)?, "trimprefix", span)?;
    Ok(string_node(s.strip_prefix(p.as_str()).unwrap_or(&s), span))
}

pub(super) fn trimsuffix(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "trimsuffix", span)?, "trimsuffix", span)?;
    let p = string(arg(args, 1, "trimsuffix", span)?, "trimsuffix", span)?;
    Ok(string_node(s.strip_suffix(p.as_str()).unwrap_or(&s), span))
}

/// `startswith(s, prefix)`: answered from the known beginning of a partly known string.
pub(super) fn startswith(args: &[Node], span: Span) -> Ret {
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

pub(super) fn endswith(args: &[Node], span: Span) -> Ret {
    let s = string(arg(args, 0, "endswith", span)?, "endswith", span)?;
    let p = string(arg(args, 1, "endswith", span)?, "endswith", span)?;
    Ok(Node::new(Kind::Bool(s.ends_with(p.as_str())), span))
}
