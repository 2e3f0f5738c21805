//! Values in a resource block: scalars, markers, lists, maps, `jsonencode(…)`, heredocs and
//! strings.

use super::*;

impl TextPlanParser<'_> {
    /// A value, possibly an update `old -> new` (the side being read is kept).
    pub(super) fn value(
        &mut self,
        path: &str,
        depth: usize,
        json: bool,
        col: usize,
    ) -> Result<Node, PErr> {
        let first = self.single(path, depth, json, col)?;
        self.skip_spaces();
        if self.starts("->") {
            self.pos += 2;
            self.skip_spaces();
            let second = self.single(path, depth, json, col)?;
            return Ok(if self.before { first } else { second });
        }
        Ok(first)
    }

    /// One value. `col` is the column where its entry starts (heredocs close there).
    pub(super) fn single(
        &mut self,
        path: &str,
        depth: usize,
        json: bool,
        col: usize,
    ) -> Result<Node, PErr> {
        if depth > MAX_DEPTH {
            return self.err(format!(
                "values nest more than {MAX_DEPTH} levels deep here"
            ));
        }
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                let (text, start, end) = self.string()?;
                Ok(Node::new(
                    Kind::Str(PString::known(text)),
                    self.span(start, end),
                ))
            }
            Some(b'<') if self.starts("<<") => self.heredoc(col),
            Some(b'[') => self.list(path, depth, json),
            Some(b'{') => {
                let open = self.pos;
                self.pos += 1;
                self.skip_spaces();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Node::new(
                        Kind::Object(Vec::new()),
                        self.span(open, self.pos),
                    ));
                }
                self.end_line("`{`")?;
                let body = self.members(path, depth + 1, false, json, open, "object")?;
                Ok(Node::new(
                    Kind::Object(body.members),
                    self.span(open, self.pos),
                ))
            }
            Some(b'(') => self.marker(path),
            Some(b'j') if self.starts("jsonencode(") => self.jsonencode(path, depth, json),
            Some(b't') if self.starts_word("true") => {
                self.pos += 4;
                Ok(Node::new(Kind::Bool(true), self.span(start, self.pos)))
            }
            Some(b'f') if self.starts_word("false") => {
                self.pos += 5;
                Ok(Node::new(Kind::Bool(false), self.span(start, self.pos)))
            }
            Some(b'n') if self.starts_word("null") => {
                self.pos += 4;
                Ok(Node::new(Kind::Null, self.span(start, self.pos)))
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(),
            _ => self.err(format!("expected a value, found {}", self.found())),
        }
    }

    /// `(known after apply)`, `(sensitive value)`, `(write-only attribute)`…: unknown.
    pub(super) fn marker(&mut self, path: &str) -> Result<Node, PErr> {
        let start = self.pos;
        let end = self.line_end(self.pos);
        let Some(close) = self.s[start..end].find(')') else {
            return self.err(format!(
                "expected `(known after apply)` or a value, found {}",
                self.found()
            ));
        };
        self.pos = start + close + 1;
        let text = &self.s[start..self.pos];
        Ok(self.unknown(
            path,
            format!("{path} is {text} in the plan text"),
            start,
            self.pos,
        ))
    }

    fn number(&mut self) -> Result<Node, PErr> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            self.pos = start;
            return self.err(format!("expected a value, found {}", self.found()));
        }
        if self.peek() == Some(b'.') && self.b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                self.pos = save;
            }
        }
        Ok(Node::new(
            Kind::Number(self.s[start..self.pos].to_string()),
            self.span(start, self.pos),
        ))
    }

    /// A list `[ … ]`, one element a line (`+ "a",`), or `[]`.
    fn list(&mut self, path: &str, depth: usize, json: bool) -> Result<Node, PErr> {
        let open = self.pos;
        self.pos += 1;
        self.skip_spaces();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::new(
                Kind::Array(Vec::new()),
                self.span(open, self.pos),
            ));
        }
        self.end_line("`[`")?;
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            match self.peek() {
                None => {
                    return self.err(format!(
                        "expected `]` closing the list opened at line {}, found the end of the text",
                        self.line_no(open)
                    ));
                }
                Some(b'#') => {
                    let hidden = self.hidden;
                    self.comment();
                    if self.hidden > hidden {
                        self.hidden_in.push(path.to_string());
                    }
                    continue;
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(Kind::Array(items), self.span(open, self.pos)));
                }
                _ => {}
            }
            let sym = self.sym();
            self.skip_spaces();
            let col = self.col(self.pos);
            let item = self.value(&format!("{path}[{}]", items.len()), depth + 1, json, col)?;
            self.skip_spaces();
            if self.peek() == Some(b',') {
                self.pos += 1;
            }
            self.end_line("a list element")?;
            if self.keeps(sym) {
                items.push(item);
            }
        }
    }

    /// `jsonencode(` … `)`: the JSON value itself (an object, as HCL's `jsonencode`), or, nested
    /// in another JSON document, the string it encodes. With hidden parts, it is unknown.
    fn jsonencode(&mut self, path: &str, depth: usize, json: bool) -> Result<Node, PErr> {
        let start = self.pos;
        self.pos += "jsonencode(".len();
        let hidden = self.hidden;
        let hidden_mark = self.hidden_in.len();
        self.skip_spaces();
        let node = if matches!(self.peek(), None | Some(b'\n' | b'#')) {
            self.end_line("`jsonencode(`")?;
            self.skip_blank();
            self.sym();
            self.skip_spaces();
            let col = self.col(self.pos);
            let node = self.value(path, depth + 1, true, col)?;
            self.end_line("the `jsonencode` value")?;
            self.skip_blank();
            node
        } else {
            let col = self.col(self.pos);
            let node = self.value(path, depth + 1, true, col)?;
            self.skip_spaces();
            node
        };
        if self.peek() != Some(b')') {
            return self.err(format!(
                "expected `)` closing the `jsonencode(` at line {}, found {}",
                self.line_no(start),
                self.found()
            ));
        }
        self.pos += 1;
        let mut node = node;
        if self.hidden > hidden && !json && self.partly_shown_policy(path, hidden_mark, &mut node) {
            return Ok(node);
        }
        if self.hidden > hidden {
            return Ok(self.unknown(
                path,
                format!(
                    "{path} is only partly shown in the plan text (unchanged parts are hidden); \
                     `terraform show -json PLANFILE` shows it in full"
                ),
                start,
                self.pos,
            ));
        }
        if !json {
            return Ok(node);
        }
        Ok(match to_json(&node) {
            Some(text) => Node::new(Kind::Str(PString::known(text)), self.span(start, self.pos)),
            None => self.unknown(
                path,
                format!("{path} holds a value known only after apply"),
                start,
                self.pos,
            ),
        })
    }

    /// A bucket policy shown in part (`# (N unchanged … hidden)` inside its `jsonencode`):
    /// the statements shown in full are kept and evaluated, a statement with hidden parts is
    /// left out, and what is hidden is named in a note. A hidden `Version` is unknown. Only for
    /// `aws_s3_bucket_policy`, whose findings come from the Deny statements shown; a key policy
    /// shown in part stays unknown (a hidden Allow may be the grant a rule looks for).
    fn partly_shown_policy(&mut self, path: &str, mark: usize, node: &mut Node) -> bool {
        if !self.address.contains("aws_s3_bucket_policy.") || !path.ends_with(".policy") {
            return false;
        }
        let Kind::Object(members) = &mut node.kind else {
            return false;
        };
        let list = format!("{path}.Statement");
        let prefix = format!("{list}[");
        let mut whole_hidden = false;
        let mut partial: Vec<usize> = Vec::new();
        for at in &self.hidden_in[mark..] {
            if at == path {
                continue;
            } else if *at == list {
                whole_hidden = true;
            } else if let Some(index) = at
                .strip_prefix(&prefix)
                .and_then(|r| r.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
            {
                if !partial.contains(&index) {
                    partial.push(index);
                }
            } else {
                return false;
            }
        }
        let Some(statements) = members.iter_mut().find(|m| m.key == "Statement") else {
            return false;
        };
        let Kind::Array(items) = &mut statements.value.kind else {
            return false;
        };
        let shown = items.len();
        let mut i = 0;
        items.retain(|_| {
            i += 1;
            !partial.contains(&(i - 1))
        });
        if items.is_empty() {
            return false;
        }
        if !members.iter().any(|m| m.key == "Version") {
            let span = node.span;
            if let Kind::Object(members) = &mut node.kind {
                members.push(Member {
                    key: "Version".into(),
                    key_span: span,
                    value: Node::new(
                        Kind::Unknown(Hole::unknown(
                            format!("{path}.Version"),
                            format!("{path}.Version is hidden in the plan text (unchanged)"),
                        )),
                        span,
                    ),
                });
            }
        }
        let mut hidden = Vec::new();
        if !partial.is_empty() {
            hidden.push(format!(
                "{} of its {shown} statements shown only in part (left out)",
                partial.len()
            ));
        }
        if whole_hidden {
            hidden.push("unchanged statements not shown at all".to_string());
        }
        if !hidden.is_empty() {
            let note = self.note(
                node.span,
                format!(
                    "the policy of {} is shown only in part in the plan text: the statements \
                     shown in full were checked, but not {}; `terraform show -json PLANFILE` \
                     shows them",
                    self.address,
                    hidden.join(", nor ")
                ),
            );
            self.partial.push(note);
        }
        true
    }

    /// A multi-line string `<<-EOT` … `EOT`. Its lines start four columns right of the
    /// closing marker, with the line's action symbol two columns right of it.
    fn heredoc(&mut self, col: usize) -> Result<Node, PErr> {
        let start = self.pos;
        self.pos += 2;
        if matches!(self.peek(), Some(b'-' | b'~')) {
            self.pos += 1;
        }
        let marker_start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        if self.pos == marker_start {
            return self.err(format!(
                "expected a heredoc marker such as `EOT` after `<<`, found {}",
                self.found()
            ));
        }
        let marker = &self.s[marker_start..self.pos];
        self.end_line(&format!("`<<{marker}`"))?;
        let mut lines: Vec<&str> = Vec::new();
        let close_col;
        loop {
            if self.pos >= self.b.len() {
                return Err(PErr {
                    at: self.b.len(),
                    message: format!(
                        "expected `{marker}` closing the heredoc opened at line {}, found the end of the text",
                        self.line_no(start)
                    ),
                });
            }
            self.pos += 1; // the newline
            let ls = self.pos;
            let le = self.line_end(ls);
            let line = self.s[ls..le].trim_end_matches('\r');
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if indent <= col
                && let Some(rest) = trimmed.strip_prefix(marker)
                && (rest.is_empty() || rest.starts_with([' ', '\t']))
            {
                close_col = indent;
                self.pos = ls + indent + marker.len();
                break;
            }
            lines.push(line);
            self.pos = le;
        }
        let mut text: Vec<&str> = Vec::new();
        for line in lines {
            let (sym, content) = heredoc_line(line, close_col);
            let keep = match sym {
                b'-' => self.before,
                b'+' => !self.before,
                _ => true,
            };
            if keep {
                text.push(content);
            }
        }
        Ok(Node::new(
            Kind::Str(PString::known(text.join("\n"))),
            self.span(start, self.pos),
        ))
    }

    /// A Go-quoted string (`%q`): its text, and where the literal starts and ends.
    pub(super) fn string(&mut self) -> Result<(String, usize, usize), PErr> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.s[self.pos..].chars().next().filter(|&c| c != '\n') else {
                return Err(PErr {
                    at: start,
                    message: "this string has no closing `\"` on its line".to_string(),
                });
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok((out, start, self.pos)),
                '\\' => {
                    let Some(e) = self.s[self.pos..].chars().next().filter(|&c| c != '\n') else {
                        continue;
                    };
                    self.pos += e.len_utf8();
                    let hex = |p: &mut Self, n: usize| -> char {
                        let digits = p.s.get(p.pos..p.pos + n).unwrap_or("");
                        match u32::from_str_radix(digits, 16)
                            .ok()
                            .and_then(char::from_u32)
                        {
                            Some(c) if digits.len() == n => {
                                p.pos += n;
                                c
                            }
                            _ => '\u{FFFD}',
                        }
                    };
                    match e {
                        'a' => out.push('\u{7}'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'v' => out.push('\u{b}'),
                        '\\' | '"' | '\'' => out.push(e),
                        'x' => out.push(hex(self, 2)),
                        'u' => out.push(hex(self, 4)),
                        'U' => out.push(hex(self, 8)),
                        '0'..='7' => {
                            let digits = self.s.get(self.pos - 1..self.pos + 2).unwrap_or("");
                            match u32::from_str_radix(digits, 8).ok().and_then(char::from_u32) {
                                Some(c) if digits.len() == 3 => {
                                    self.pos += 2;
                                    out.push(c);
                                }
                                _ => out.push(e),
                            }
                        }
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }
}

/// The action symbol and the text of one heredoc line whose closing marker is at
/// `close_col`.
fn heredoc_line(line: &str, close_col: usize) -> (u8, &str) {
    let b = line.as_bytes();
    let sym_at = close_col + 2;
    let text_at = close_col + 4;
    let prefix_ok = (0..text_at.min(b.len()))
        .all(|i| b[i] == b' ' || (i == sym_at && matches!(b[i], b'+' | b'-' | b'~')));
    if prefix_ok {
        let sym = b.get(sym_at).copied().unwrap_or(b' ');
        (sym, line.get(text_at..).unwrap_or(""))
    } else {
        (b' ', line.trim_start())
    }
}

/// Adds a nested block to the list under its name.
pub(super) fn push_block(members: &mut Vec<Member>, key: String, key_span: Span, block: Node) {
    if let Some(m) = members.iter_mut().find(|m| m.key == key) {
        match &mut m.value.kind {
            Kind::Array(items) => {
                m.value.span = m.value.span.to(block.span);
                items.push(block);
            }
            _ => {
                let span = m.value.span.to(block.span);
                let old = std::mem::replace(&mut m.value, Node::new(Kind::Null, span));
                m.value = Node::new(Kind::Array(vec![old, block]), span);
            }
        }
        return;
    }
    let value = match block.kind {
        Kind::Unknown(_) => block,
        _ => {
            let span = block.span;
            Node::new(Kind::Array(vec![block]), span)
        }
    };
    members.push(Member {
        key,
        key_span,
        value,
    });
}

pub(super) fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The compact JSON text of a value, `None` when part of it is unknown.
fn to_json(node: &Node) -> Option<String> {
    Some(match &node.kind {
        Kind::Null => "null".to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Number(n) => n.clone(),
        Kind::Str(s) => serde_json::to_string(s.as_known()?).ok()?,
        Kind::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(to_json).collect();
            format!("[{}]", parts?.join(","))
        }
        Kind::Object(members) => {
            let parts: Option<Vec<String>> = members
                .iter()
                .map(|m| {
                    Some(format!(
                        "{}:{}",
                        serde_json::to_string(&m.key).ok()?,
                        to_json(&m.value)?
                    ))
                })
                .collect();
            format!("{{{}}}", parts?.join(","))
        }
        Kind::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_lines_split_symbol_and_text() {
        assert_eq!(heredoc_line("              {", 8), (b' ', "  {"));
        assert_eq!(heredoc_line("          + x", 8), (b'+', "x"));
        assert_eq!(heredoc_line("", 8), (b' ', ""));
    }
}
