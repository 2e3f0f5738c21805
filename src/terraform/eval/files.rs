//! Function calls, and the functions that read files: `file`, `templatefile`, `fileset`.

use super::*;

impl Evaluator<'_, '_> {
    // ----- functions ---------------------------------------------------------------------

    pub(super) fn call(&mut self, f: &FuncCall, cx: Cx, span: Span) -> Node {
        let name = f.name.name.as_str();
        if f.name.is_namespaced() || !functions::SUPPORTED.contains(&name) {
            let full = f
                .name
                .namespace
                .iter()
                .map(|n| format!("{}::", n.as_str()))
                .collect::<String>()
                + name;
            return unknown(
                Hole::unknown(
                    format!("{full}()@{}:{}", span.file.0, span.start),
                    format!("function {full}() is not evaluated"),
                ),
                span,
            );
        }
        match name {
            "try" => {
                for arg in f.args.iter() {
                    let value = self.expr(arg, cx);
                    if !is_error(&value) {
                        return value;
                    }
                }
                return error(span, "no argument of try() could be evaluated");
            }
            "can" => {
                let Some(arg) = f.args.iter().next() else {
                    return error(span, "can() needs an argument");
                };
                let value = self.expr(arg, cx);
                if is_error(&value) {
                    return Node::new(Kind::Bool(false), span);
                }
                return match first_hole(&value) {
                    Some(hole) => unknown(hole, span),
                    None => Node::new(Kind::Bool(true), span),
                };
            }
            _ => {}
        }
        let mut args: Vec<Node> = f.args.iter().map(|a| self.expr(a, cx)).collect();
        if f.args.expand_final()
            && let Some(last) = args.pop()
        {
            match last.kind {
                Kind::Array(items) => args.extend(items),
                Kind::Unknown(hole) => return unknown(hole, span),
                _ => return error(span, "only a list can be expanded with ..."),
            }
        }
        match name {
            "fileset" => self.fileset(&args, span),
            "file" => self.file(&args, cx, span),
            "templatefile" => self.templatefile(&args, cx, span),
            _ => {
                let (bytes, units) = functions::output_size(name, &args);
                if let Err(refused) = self.afford(bytes, units, span, &format!("{name}()")) {
                    return refused;
                }
                functions::call(name, &args, span, self.sources())
                    .unwrap_or_else(|| error(span, format!("function {name}() is missing")))
            }
        }
    }

    /// Reads the file `path` names: relative to the root module (as Terraform does), else to
    /// the calling module's directory. Each file is registered in `sources` once.
    fn read_file(&mut self, path: &Node, cx: Cx, span: Span, what: &str) -> Result<FileId, Node> {
        let text = match to_pstring(path) {
            Ok(s) => match s.as_known() {
                Some(text) => text.to_string(),
                None => return Err(unknown(s_hole(&s), span)),
            },
            Err(why) => return Err(error(span, format!("{what}(): {why}"))),
        };
        let given = Path::new(&text);
        let candidates: Vec<PathBuf> = if given.is_absolute() {
            vec![given.to_path_buf()]
        } else {
            vec![
                walk::normalize(&self.root.dir.join(given)),
                walk::normalize(&self.module(cx.inst).dir.join(given)),
            ]
        };
        // Outside the boundary nothing is looked at, not even whether the file exists: the
        // value is unknown and the read is reported.
        let boundary = &self.opts.boundary;
        let mut refused = None;
        let mut found = None;
        for candidate in &candidates {
            match boundary.resolve(candidate) {
                Ok(real) if real.exists() => {
                    found = Some((candidate.clone(), real));
                    break;
                }
                Ok(_) => {}
                Err(refusal) => refused = refused.or(Some(refusal)),
            }
        }
        let Some((found, key)) = found else {
            if let Some(refusal) = refused {
                let message = format!("{what}(\"{text}\"): {refusal}");
                if !self
                    .errors
                    .iter()
                    .any(|e| e.span == Some(span) && e.message == message)
                {
                    // Located by its span; `file` stays empty, since the calling file itself
                    // was checked.
                    self.errors.push(LoadError {
                        file: None,
                        span: Some(span),
                        path: Some(self.sources().file(span.file).name.clone()),
                        message,
                    });
                }
                return Err(unknown(
                    Hole::unknown(format!("{what}()"), format!("{what}(): {refusal}")),
                    span,
                ));
            }
            return Err(error(
                span,
                format!(
                    "{what}(): no file \"{text}\" in {}",
                    self.root.dir.display()
                ),
            ));
        };
        if let Some(&id) = self.files.get(&key) {
            return Ok(id);
        }
        if matches!(self.sources, SourcesAccess::Shared(_)) {
            // Read-only: this root is evaluated again with the right to add files.
            self.needs_exclusive = true;
            return Err(unknown(
                Hole::unknown(format!("{what}()"), format!("{what}(): not read yet")),
                span,
            ));
        }
        let name = found.display().to_string();
        match boundary.read_text(&found, MAX_FILE_BYTES) {
            Ok(content) => {
                if !self.charge(content.len() as u64 / 64) {
                    return Err(self.budget_node(span));
                }
                let id = self.add_source(name, content);
                self.files_read += 1;
                self.files.insert(key, id);
                Ok(id)
            }
            Err(Refusal::NotUtf8 { lossy, offset }) => {
                let id = self.add_source(name, lossy);
                self.errors.push(LoadError {
                    file: None,
                    span: Some(Span::new(id, offset, offset)),
                    path: Some(found.display().to_string()),
                    message: format!("{what}(): not UTF-8 text"),
                });
                Err(error(
                    span,
                    format!("{what}(): {} is not UTF-8 text", found.display()),
                ))
            }
            Err(refusal) => Err(error(
                span,
                format!("{what}(): {}: {refusal}", found.display()),
            )),
        }
    }

    /// Adds a file to the sources of an evaluation that may ([`SourcesAccess::Exclusive`];
    /// [`Self::read_file`] stops a shared one before it reads).
    fn add_source(&mut self, name: String, text: String) -> FileId {
        match &mut self.sources {
            SourcesAccess::Exclusive(sources) => sources.add(name, text),
            SourcesAccess::Shared(_) => unreachable!("read_file stops a shared evaluation first"),
        }
    }

    /// `file(path)`: the text, located as the whole of the file (a new [`Sources`] entry).
    pub(super) fn file(&mut self, args: &[Node], cx: Cx, span: Span) -> Node {
        let Some(path) = args.first() else {
            return error(span, "file() needs a path");
        };
        match self.read_file(path, cx, span, "file") {
            Ok(id) => {
                let text = self.sources().file(id).text.clone();
                let len = text.len();
                Node::new(Kind::Str(PString::known(text)), Span::new(id, 0, len))
            }
            Err(node) => node,
        }
    }

    /// `templatefile(path, vars)`: the file as a template, seeing only `vars`.
    pub(super) fn templatefile(&mut self, args: &[Node], cx: Cx, span: Span) -> Node {
        let (Some(path), Some(vars)) = (args.first(), args.get(1)) else {
            return error(span, "templatefile() needs a path and a map of variables");
        };
        let bindings: Vec<(String, Node)> = match &vars.kind {
            Kind::Object(members) => members
                .iter()
                .map(|m| (m.key.clone(), m.value.clone()))
                .collect(),
            Kind::Unknown(hole) => return unknown(hole.clone(), span),
            _ => return error(span, "templatefile(): the variables must be a map"),
        };
        let id = match self.read_file(path, cx, span, "templatefile") {
            Ok(id) => id,
            Err(node) => return node,
        };
        let text = self.sources().file(id).text.clone();
        let whole = Span::new(id, 0, text.len());
        let template = match hcl_edit::parser::parse_template(&text) {
            Ok(t) => t,
            Err(err) => {
                let at = err.location();
                return error(
                    whole,
                    format!(
                        "templatefile(): {}:{}:{}: {}",
                        self.sources().file(id).name,
                        at.line(),
                        at.column(),
                        err.message()
                    ),
                );
            }
        };
        let tcx = Cx {
            inst: cx.inst,
            file: id,
            coarse: None,
        };
        self.with_bindings(bindings, |ev| ev.template(&template, tcx, whole))
    }
}

impl Evaluator<'_, '_> {
    /// `fileset(path, pattern)`: the matching files under `path` (relative to the root
    /// module's directory, as Terraform resolves it), sorted, inside the boundary.
    fn fileset(&mut self, args: &[Node], span: Span) -> Node {
        let (Some(path), Some(pattern)) = (args.first(), args.get(1)) else {
            return error(span, "fileset() needs a path and a pattern");
        };
        let mut known = Vec::new();
        for arg in [path, pattern] {
            match to_pstring(arg) {
                Ok(s) => match s.as_known() {
                    Some(text) => known.push(text.to_string()),
                    None => return unknown(s_hole(&s), span),
                },
                Err(why) => return error(span, format!("fileset(): {why}")),
            }
        }
        let base = walk::normalize(&self.root.dir.join(&known[0]));
        let limit_or_refusal = match fileset::fileset(&self.opts.boundary, &base, &known[1]) {
            Ok(files) => {
                let items = files
                    .into_iter()
                    .map(|f| Node::new(Kind::Str(PString::known(f)), span))
                    .collect();
                return Node::new(Kind::Array(items), span);
            }
            Err(fileset::FilesetError::BadPattern(why)) => {
                return error(span, format!("fileset(): invalid pattern: {why}"));
            }
            Err(fileset::FilesetError::Refused(refusal)) => {
                format!("fileset(\"{}\"): {refusal}", known[0])
            }
            Err(fileset::FilesetError::TooMany) => format!(
                "evaluation limit: fileset(\"{}\", \"{}\") matches more than {} files",
                known[0],
                known[1],
                fileset::MAX_FILESET_MATCHES
            ),
        };
        if !self
            .errors
            .iter()
            .any(|e| e.span == Some(span) && e.message == limit_or_refusal)
        {
            self.errors.push(LoadError {
                file: None,
                span: Some(span),
                path: Some(self.sources().file(span.file).name.clone()),
                message: limit_or_refusal.clone(),
            });
        }
        unknown(Hole::unknown("fileset()", limit_or_refusal), span)
    }
}
