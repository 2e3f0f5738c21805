//! The parser's state and a resource block's structure: resources, members, nested blocks,
//! keys.

use super::*;

/// The action symbol in front of an attribute, element or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sym {
    NoOp,
    Create,
    Delete,
    Update,
    Replace,
    Read,
    Forget,
    Other,
}

const SYMBOLS: &[(&str, Sym)] = &[
    ("-/+", Sym::Replace),
    ("+/-", Sym::Replace),
    ("+/.", Sym::Replace),
    ("<=", Sym::Read),
    ("+", Sym::Create),
    ("-", Sym::Delete),
    ("~", Sym::Update),
    (".", Sym::Forget),
    ("?", Sym::Other),
];

/// Where parsing stopped, and what was expected there.
#[derive(Debug)]
pub(super) struct PErr {
    pub(super) at: usize,
    pub(super) message: String,
}

/// A block's members, and whether Terraform said its contents are sensitive.
pub(super) struct Body {
    pub(super) members: Vec<Member>,
    sensitive: bool,
}

pub(super) struct TextPlanParser<'a> {
    pub(super) s: &'a str,
    pub(super) b: &'a [u8],
    pub(super) map: &'a [u32],
    pub(super) file: FileId,
    pub(super) pos: usize,
    /// `# (N unchanged … hidden)` comments seen.
    pub(super) hidden: usize,
    /// Where the first of them is (the note about hidden parts points there).
    pub(super) first_hidden: Option<Span>,
    /// Reading the values before the change (a destroyed resource) instead of after.
    pub(super) before: bool,
    /// The address of the resource being read.
    pub(super) address: String,
    /// The clean offset of the start of every line, for line numbers in O(log n).
    pub(super) line_starts: Vec<usize>,
    /// The path of the value each `# (N unchanged … hidden)` comment was in, in order.
    pub(super) hidden_in: Vec<String>,
    /// What partly shown policies leave out (notes, at the policy).
    pub(super) partial: Vec<LoadError>,
}

impl TextPlanParser<'_> {
    /// The span in the original text of clean bytes `start..end`.
    pub(super) fn span(&self, start: usize, end: usize) -> Span {
        let n = self.b.len();
        let start = start.min(n);
        let end = end.min(n);
        let s = self.map[start] as usize;
        let e = if end > start {
            self.map[end - 1] as usize + 1
        } else {
            s
        };
        Span::new(self.file, s, e)
    }

    /// A note about the text, located at `span`.
    pub(super) fn note(&self, span: Span, message: String) -> LoadError {
        LoadError {
            file: Some(self.file),
            span: Some(span),
            path: None,
            message,
        }
    }

    pub(super) fn load_error(&self, sources: &Sources, e: PErr) -> LoadError {
        let at = e.at.min(self.b.len());
        let len = self.s[at..].chars().next().map_or(0, char::len_utf8);
        LoadError {
            file: Some(self.file),
            span: Some(self.span(at, at + len)),
            path: Some(sources.file(self.file).name.clone()),
            message: format!("cannot read the `terraform plan` text: {}", e.message),
        }
    }

    pub(super) fn err<T>(&self, message: String) -> Result<T, PErr> {
        Err(PErr {
            at: self.pos,
            message,
        })
    }

    pub(super) fn line_end(&self, pos: usize) -> usize {
        self.s[pos.min(self.b.len())..]
            .find('\n')
            .map_or(self.b.len(), |i| pos + i)
    }

    /// The start of the line holding clean offset `pos`: a short look back on ordinary lines,
    /// a binary search of the line index on long ones (so that many values on one very long
    /// line cost O(log n) each, not the line's length).
    fn line_start(&self, pos: usize) -> usize {
        let pos = pos.min(self.b.len());
        let window = pos.saturating_sub(256);
        match self.b[window..pos].iter().rposition(|&c| c == b'\n') {
            Some(i) => window + i + 1,
            None if window == 0 => 0,
            None => self.line_starts[self.line_no(pos) - 1],
        }
    }

    /// The 1-based line number of clean offset `pos` (a binary search of the line index).
    pub(super) fn line_no(&self, pos: usize) -> usize {
        let pos = pos.min(self.b.len());
        self.line_starts
            .partition_point(|&start| start <= pos)
            .max(1)
    }

    pub(super) fn col(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(super) fn starts(&self, text: &str) -> bool {
        self.s[self.pos..].starts_with(text)
    }

    pub(super) fn starts_word(&self, word: &str) -> bool {
        self.starts(word)
            && !self
                .b
                .get(self.pos + word.len())
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    }

    /// What stands at the current position, for error messages.
    pub(super) fn found(&self) -> String {
        if self.pos >= self.b.len() {
            return "the end of the text".to_string();
        }
        let end = self.line_end(self.pos);
        let text: String = self.s[self.pos..end].trim_end().chars().take(30).collect();
        if text.is_empty() {
            "the end of the line".to_string()
        } else {
            format!("`{text}`")
        }
    }

    pub(super) fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            self.pos += 1;
        }
    }

    pub(super) fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// Skips a comment (at `#`) to the end of its line; returns its text.
    pub(super) fn comment(&mut self) -> &str {
        let start = self.pos;
        let end = self.line_end(self.pos);
        self.pos = end;
        let text = &self.s[start..end];
        if text.contains("unchanged") && text.contains("hidden") {
            self.hidden += 1;
            if self.first_hidden.is_none() {
                self.first_hidden = Some(self.span(start, end));
            }
        }
        &self.s[start..end]
    }

    /// Expects the end of the line, after an optional trailing comment
    /// (`# forces replacement`).
    pub(super) fn end_line(&mut self, after: &str) -> Result<(), PErr> {
        self.skip_spaces();
        if self.peek() == Some(b'#') {
            self.comment();
        }
        match self.peek() {
            None | Some(b'\n') => Ok(()),
            _ => self.err(format!(
                "expected the end of the line after {after}, found {}",
                self.found()
            )),
        }
    }

    pub(super) fn sym(&mut self) -> Sym {
        for (text, sym) in SYMBOLS {
            if self.starts(text) && self.b.get(self.pos + text.len()) == Some(&b' ') {
                self.pos += text.len();
                return *sym;
            }
        }
        Sym::NoOp
    }

    /// Whether an entry with this symbol is part of the value being read.
    pub(super) fn keeps(&self, sym: Sym) -> bool {
        match sym {
            Sym::Delete | Sym::Forget => self.before,
            Sym::Create => !self.before,
            _ => true,
        }
    }

    pub(super) fn unknown(&self, path: &str, why: String, start: usize, end: usize) -> Node {
        Node::new(
            Kind::Unknown(Hole::unknown(path.to_string(), why)),
            self.span(start, end),
        )
    }

    /// Reads one resource block: the comment at `hash` has been read, `self.pos` is on the
    /// next line. `None` when the block is not a resource (an action invocation).
    pub(super) fn resource(
        &mut self,
        comment: &Comment,
        hash: usize,
    ) -> Result<Option<Resource>, PErr> {
        self.address = comment.address.clone();
        self.before = matches!(comment.verb, Verb::Delete | Verb::Forget);
        // Further comment lines: `# (because …)`, `# (moved from …)`, `# Warning: …`.
        loop {
            self.skip_blank();
            if self.peek() != Some(b'#') {
                break;
            }
            let line_start = self.line_start(self.pos);
            let end = self.line_end(self.pos);
            if comment_line(&self.s[line_start..end]).is_some_and(|c| c.verb != Verb::Other) {
                break;
            }
            self.pos = end;
        }
        let sym = self.sym();
        self.skip_spaces();
        let header_start = self.pos;
        let mode = if self.starts_word("resource") {
            self.pos += "resource".len();
            Mode::Managed
        } else if self.starts_word("data") {
            self.pos += "data".len();
            Mode::Data
        } else if self.starts_word("action") {
            return Ok(None);
        } else {
            return self.err(format!(
                "expected `resource \"TYPE\" \"NAME\" {{` after the comment `# {} …`, found {}",
                comment.address,
                self.found()
            ));
        };
        self.skip_spaces();
        let expect_label = |p: &mut Self, what: &str| -> Result<String, PErr> {
            p.skip_spaces();
            if p.peek() != Some(b'"') {
                return p.err(format!(
                    "expected the {what} in quotes, found {}",
                    p.found()
                ));
            }
            Ok(p.string()?.0)
        };
        let rtype = expect_label(self, "resource type")?;
        let _name = expect_label(self, "resource name")?;
        let header_end = self.pos;
        self.skip_spaces();
        if self.peek() != Some(b'{') {
            return self.err(format!(
                "expected `{{` after `{}`, found {}",
                &self.s[header_start..header_end],
                self.found()
            ));
        }
        let open = self.pos;
        self.pos += 1;
        self.skip_spaces();
        let members = if self.peek() == Some(b'}') {
            self.pos += 1;
            Vec::new()
        } else {
            self.end_line("`{`")?;
            let what = format!("block `{}`", &self.s[header_start..header_end]);
            let address = self.address.clone();
            self.members(&address, 1, true, false, open, &what)?.members
        };
        let end = self.pos;
        let mut members = members;
        if mode == Mode::Managed && rtype == "aws_s3_bucket" {
            members.retain(|m| {
                !(BUCKET_LEGACY.contains(&m.key.as_str())
                    && matches!(m.value.kind, Kind::Unknown(_)))
            });
            // An update hides the unchanged `bucket`, but always shows `id`, which for a
            // bucket is its name.
            if !members.iter().any(|m| m.key == "bucket")
                && let Some(id) = members
                    .iter()
                    .find(|m| m.key == "id" && known_str(Some(&m.value)).is_some())
            {
                let id = Member {
                    key: "bucket".to_string(),
                    ..id.clone()
                };
                members.push(id);
            }
        }
        let lifecycle = match comment.verb {
            Verb::Create | Verb::Replace | Verb::CreateThenForget => Lifecycle::Created,
            Verb::Delete => Lifecycle::Deleted,
            Verb::Update | Verb::Read | Verb::NoOp | Verb::Forget => Lifecycle::Existing,
            _ => match sym {
                Sym::Create | Sym::Replace => Lifecycle::Created,
                Sym::Delete => Lifecycle::Deleted,
                _ => Lifecycle::Existing,
            },
        };
        Ok(Some(Resource {
            mode,
            rtype,
            module: module_prefix(&comment.address),
            address: comment.address.clone(),
            attributes: Node::new(Kind::Object(members), self.span(open, end)),
            span: self.span(hash, end),
            header: self.span(header_start, header_end),
            lifecycle,
        }))
    }

    /// The members of a block body or an object, up to the closing `}` (consumed). `open` is
    /// where the opening brace is, for messages.
    pub(super) fn members(
        &mut self,
        path: &str,
        depth: usize,
        blocks: bool,
        json: bool,
        open: usize,
        what: &str,
    ) -> Result<Body, PErr> {
        if depth > MAX_DEPTH {
            return self.err(format!(
                "values nest more than {MAX_DEPTH} levels deep here"
            ));
        }
        let mut members: Vec<Member> = Vec::new();
        let mut sensitive = false;
        loop {
            self.skip_blank();
            match self.peek() {
                None => {
                    return self.err(format!(
                        "expected `}}` closing the {what} opened at line {}, found the end of the text",
                        self.line_no(open)
                    ));
                }
                Some(b'#') => {
                    let hidden = self.hidden;
                    if self.comment().contains("is (or was) sensitive") {
                        sensitive = true;
                    }
                    if self.hidden > hidden {
                        self.hidden_in.push(path.to_string());
                    }
                    continue;
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Body { members, sensitive });
                }
                _ => {}
            }
            let sym = self.sym();
            self.skip_spaces();
            let col = self.col(self.pos);
            let key_start = self.pos;
            let (key, quoted) = self.key()?;
            let key_end = self.pos;
            let child = if quoted || !is_identifier(&key) {
                format!(
                    "{path}[{}]",
                    serde_json::to_string(&key).unwrap_or_default()
                )
            } else {
                format!("{path}.{key}")
            };
            self.skip_spaces();
            match self.peek() {
                Some(b'=') => {
                    self.pos += 1;
                    self.skip_spaces();
                    let value = self.value(&child, depth, json, col)?;
                    self.skip_spaces();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                    self.end_line(&format!("the value of `{key}`"))?;
                    if self.keeps(sym) {
                        members.push(Member {
                            key,
                            key_span: self.span(key_start, key_end),
                            value,
                        });
                    }
                }
                Some(b'{' | b'"' | b'(') if blocks && !quoted => {
                    let index = match members.iter().find(|m| m.key == key).map(|m| &m.value.kind) {
                        Some(Kind::Array(items)) => items.len(),
                        _ => 0,
                    };
                    let block = self.block(&child, index, depth + 1, json, key_start, &key)?;
                    if self.keeps(sym) {
                        push_block(&mut members, key, self.span(key_start, key_end), block);
                    }
                }
                _ => {
                    return self.err(format!(
                        "expected `=` after `{key}`, found {}",
                        self.found()
                    ));
                }
            }
        }
    }

    /// A nested block after its name: labels, then `{ … }` or `(known after apply)`, then an
    /// optional `-> (known after apply)`.
    fn block(
        &mut self,
        base: &str,
        index: usize,
        depth: usize,
        json: bool,
        start: usize,
        name: &str,
    ) -> Result<Node, PErr> {
        let path = &format!("{base}[{index}]");
        while self.peek() == Some(b'"') {
            self.string()?;
            self.skip_spaces();
        }
        let first = match self.peek() {
            Some(b'(') => self.marker(base)?,
            Some(b'{') => {
                let open = self.pos;
                self.pos += 1;
                self.skip_spaces();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    Node::new(Kind::Object(Vec::new()), self.span(start, self.pos))
                } else {
                    self.end_line("`{`")?;
                    let body =
                        self.members(path, depth, true, json, open, &format!("block `{name}`"))?;
                    if body.sensitive && body.members.is_empty() {
                        self.unknown(
                            path,
                            format!("{path} is sensitive: the plan text does not show it"),
                            start,
                            self.pos,
                        )
                    } else {
                        Node::new(Kind::Object(body.members), self.span(start, self.pos))
                    }
                }
            }
            _ => {
                return self.err(format!(
                    "expected `{{` opening the block `{name}`, found {}",
                    self.found()
                ));
            }
        };
        self.skip_spaces();
        let node = if self.starts("->") {
            self.pos += 2;
            self.skip_spaces();
            let second = self.single(base, depth, json, self.col(self.pos))?;
            if self.before { first } else { second }
        } else {
            first
        };
        self.end_line(&format!("the block `{name}`"))?;
        Ok(node)
    }

    /// An attribute name or map key: an identifier or a quoted string.
    fn key(&mut self) -> Result<(String, bool), PErr> {
        if self.peek() == Some(b'"') {
            return Ok((self.string()?.0, true));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return self.err(format!(
                "expected an attribute name, a nested block or `}}`, found {}",
                self.found()
            ));
        }
        Ok((self.s[start..self.pos].to_string(), false))
    }
}
