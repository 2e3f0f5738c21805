//! Functions that build text: `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::Base64`,
//! `Fn::ToJsonString`.

use super::*;

pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Appends `s` as the inside of a JSON string literal.
fn push_json_escaped(out: &mut PString, s: &str) {
    let mut buf = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            c if (c as u32) < 0x20 => buf.push_str(&format!("\\u{:04x}", c as u32)),
            c => buf.push(c),
        }
    }
    out.push_str(&buf);
}

impl<'t> Resolver<'t> {
    /// A value as text inside a string: a hole for an undecided `Fn::If` or a non-scalar.
    fn text_of(&self, node: &Node) -> Option<PString> {
        if let Some(s) = to_pstring(node) {
            return Some(s);
        }
        if let Some(Kind::Array(args)) = node.get("Fn::If").map(|n| &n.kind)
            && let [cond, a, b, rest @ ..] = args.as_slice()
        {
            let show =
                |n: &Node| to_pstring(n).map_or("(no value)".to_string(), |s| format!("`{s}`"));
            let cond = to_pstring(cond).map_or_else(|| "?".to_string(), |s| s.to_string());
            let why = rest
                .first()
                .and_then(known_text)
                .map_or_else(String::new, |w| format!(", which is undecided because {w}"));
            return Some(PString::hole(self.anon(
                "Fn::If",
                node.span,
                format!(
                    "{} or {}, depending on condition {cond}{why}",
                    show(a),
                    show(b)
                ),
            )));
        }
        None
    }

    pub(super) fn sub(&mut self, arg: &Node, span: Span, depth: usize) -> Node {
        // The template string as written (the first item of a list), for the text of the
        // result to be located in the template.
        let written = match &arg.kind {
            Kind::Array(items) => items.first(),
            _ => Some(arg),
        };
        if let Some(t) = written.filter(|t| matches!(t.kind, Kind::Str(_))) {
            self.sub_texts.insert(span, t.span);
        }
        let (template, vars_node) = match &arg.kind {
            Kind::Array(items) if items.len() == 2 => (&items[0], Some(&items[1])),
            Kind::Array(_) => {
                return self.unknown(
                    "Fn::Sub",
                    span,
                    "Fn::Sub needs a string or [string, {variables}]",
                );
            }
            _ => (arg, None),
        };
        let mut vars: Vec<(String, Option<Node>)> = Vec::new();
        if let Some(vars_node) = vars_node {
            match self.resolve(vars_node, depth + 1).map(|n| n.kind) {
                Some(Kind::Object(members)) => {
                    vars = members
                        .into_iter()
                        .map(|m| (m.key, Some(m.value)))
                        .collect();
                }
                _ => {
                    return self.unknown(
                        "Fn::Sub",
                        span,
                        "the variables of Fn::Sub are not a map known statically",
                    );
                }
            }
        }
        let Some(template) = self.resolve(template, depth + 1) else {
            return self.unknown("Fn::Sub", span, "Fn::Sub of no value");
        };
        let Kind::Str(template) = template.kind else {
            return self.unknown("Fn::Sub", span, "Fn::Sub of a value that is not a string");
        };
        let mut out = PString::default();
        for part in template.parts() {
            match part {
                Part::Lit(text) => self.sub_text(text, &vars, span, &mut out),
                Part::Hole(h) => out.push_hole(h.clone()),
            }
        }
        str_node(out, span)
    }

    fn sub_text(
        &mut self,
        text: &str,
        vars: &[(String, Option<Node>)],
        span: Span,
        out: &mut PString,
    ) {
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!X}` is the literal text `${X}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(close) = after.find('}') else {
                out.push_str(&rest[i..]);
                return;
            };
            let name = after[..close].trim();
            let value = self.sub_variable(name, vars, span);
            out.push(&value);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }

    fn sub_variable(&mut self, name: &str, vars: &[(String, Option<Node>)], span: Span) -> PString {
        let value = if let Some((_, v)) = vars.iter().find(|(k, _)| k == name) {
            v.clone()
        } else if !name.starts_with("AWS::")
            && !self.params.contains_key(name)
            && !self.loop_vars.iter().any(|(id, _)| id == name)
            && let Some((id, attr)) = name.split_once('.')
        {
            return PString::hole(self.get_att_hole(id, attr));
        } else {
            self.reference(name, span)
        };
        match value.as_ref().and_then(|v| self.text_of(v)) {
            Some(s) => s,
            None => PString::hole(self.anon(
                "Fn::Sub",
                span,
                format!("`${{{name}}}` in Fn::Sub is not a string"),
            )),
        }
    }

    pub(super) fn join(&mut self, arg: &Node, span: Span, depth: usize) -> Node {
        let Kind::Array(args) = &arg.kind else {
            return self.unknown("Fn::Join", span, "Fn::Join needs [delimiter, [values]]");
        };
        let [delimiter, list] = args.as_slice() else {
            return self.unknown("Fn::Join", span, "Fn::Join needs [delimiter, [values]]");
        };
        let delimiter = self
            .resolve(delimiter, depth + 1)
            .as_ref()
            .and_then(known_text);
        let list = self.resolve(list, depth + 1);
        let Some(delimiter) = delimiter else {
            return self.unknown(
                "Fn::Join",
                span,
                "the delimiter of Fn::Join is not known statically",
            );
        };
        let items = match list.map(|l| l.kind) {
            Some(Kind::Array(items)) => items,
            Some(Kind::Unknown(h)) => {
                return str_node(
                    PString::hole(self.anon(
                        "Fn::Join",
                        span,
                        format!("Fn::Join of a list not known statically ({})", h.why),
                    )),
                    span,
                );
            }
            _ => return self.unknown("Fn::Join", span, "Fn::Join of a value that is not a list"),
        };
        let mut out = PString::default();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(&delimiter);
            }
            match self.text_of(item) {
                Some(s) => out.push(&s),
                None => {
                    return self.unknown(
                        "Fn::Join",
                        span,
                        "Fn::Join of a list holding a list or a map",
                    );
                }
            }
        }
        str_node(out, span)
    }

    pub(super) fn select(&mut self, arg: &Node, span: Span, depth: usize) -> Node {
        let Kind::Array(args) = &arg.kind else {
            return self.unknown("Fn::Select", span, "Fn::Select needs [index, list]");
        };
        let [index, list] = args.as_slice() else {
            return self.unknown("Fn::Select", span, "Fn::Select needs [index, list]");
        };
        let index = self.resolve(index, depth + 1).as_ref().and_then(known_text);
        let list = self.resolve(list, depth + 1);
        let Some(index) = index.and_then(|i| i.trim().parse::<usize>().ok()) else {
            return self.unknown(
                "Fn::Select",
                span,
                "the index of Fn::Select is not a number known statically",
            );
        };
        match list.map(|l| l.kind) {
            Some(Kind::Array(items)) => match items.into_iter().nth(index) {
                Some(item) => item,
                None => self.unknown(
                    "Fn::Select",
                    span,
                    format!("Fn::Select index {index} is out of range of the list"),
                ),
            },
            Some(Kind::Unknown(h)) => Node::new(
                Kind::Unknown(Hole::unknown(
                    format!("{}[{index}]", h.id),
                    format!("item {index} of {}", h.why),
                )),
                span,
            ),
            _ => self.unknown(
                "Fn::Select",
                span,
                "Fn::Select from a value that is not a list",
            ),
        }
    }

    pub(super) fn split(&mut self, arg: &Node, span: Span, depth: usize) -> Node {
        let Kind::Array(args) = &arg.kind else {
            return self.unknown("Fn::Split", span, "Fn::Split needs [delimiter, string]");
        };
        let [delimiter, source] = args.as_slice() else {
            return self.unknown("Fn::Split", span, "Fn::Split needs [delimiter, string]");
        };
        let delimiter = self
            .resolve(delimiter, depth + 1)
            .as_ref()
            .and_then(known_text);
        let source = self.resolve(source, depth + 1);
        let text = source.as_ref().and_then(known_text);
        match (delimiter, text) {
            (Some(d), Some(t)) if !d.is_empty() => Node::new(
                Kind::Array(
                    t.split(d.as_str())
                        .map(|piece| str_node(PString::known(piece), span))
                        .collect(),
                ),
                span,
            ),
            _ => {
                let why = source
                    .as_ref()
                    .and_then(first_hole)
                    .map_or_else(|| "its text".to_string(), |h| h.why.to_string());
                self.unknown(
                    "Fn::Split",
                    span,
                    format!("Fn::Split of a text not known statically ({why})"),
                )
            }
        }
    }
}

impl<'t> Resolver<'t> {
    /// Writes a resolved value as JSON text (`Fn::ToJsonString`); `false` when its shape is
    /// not known (a whole unknown value or an undecided `Fn::If`).
    pub(super) fn json_text(&self, node: &Node, out: &mut PString, depth: usize) -> bool {
        if depth > MAX_RESOLVE_DEPTH {
            return false;
        }
        match &node.kind {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Kind::Number(n) => out.push_str(n),
            Kind::Str(s) => {
                out.push_str("\"");
                for part in s.parts() {
                    match part {
                        Part::Lit(t) => push_json_escaped(out, t),
                        Part::Hole(h) => out.push_hole(h.clone()),
                    }
                }
                out.push_str("\"");
            }
            Kind::Array(items) => {
                out.push_str("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",");
                    }
                    if !self.json_text(item, out, depth + 1) {
                        return false;
                    }
                }
                out.push_str("]");
            }
            Kind::Object(members) => {
                if node.get("Fn::If").is_some() && members.len() == 1 {
                    return false;
                }
                out.push_str("{");
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",");
                    }
                    out.push_str("\"");
                    push_json_escaped(out, &m.key);
                    out.push_str("\":");
                    if !self.json_text(&m.value, out, depth + 1) {
                        return false;
                    }
                }
                out.push_str("}");
            }
            Kind::Unknown(_) => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
