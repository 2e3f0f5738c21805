//! Templates: interpolation, `%{if}` / `%{for}` directives and strip markers.

use super::expr::truth;
use super::*;

/// Template output being built, with the pending effect of a `~` strip marker.
#[derive(Default)]
struct TemplateOut {
    text: PString,
    strip_next: bool,
    /// Bytes pushed so far (an upper bound of the text's length).
    len: u64,
}

impl TemplateOut {
    fn lit(&mut self, text: &str) {
        let text = if std::mem::take(&mut self.strip_next) {
            text.trim_start()
        } else {
            text
        };
        self.text.push_str(text);
    }

    fn value(&mut self, s: &PString) {
        self.strip_next = false;
        self.text.push(s);
    }

    /// `~` before a marker: whitespace before it is dropped.
    fn strip_before(&mut self, yes: bool) {
        if !yes {
            return;
        }
        self.text.trim_end();
    }
}

impl Evaluator<'_, '_> {
    /// Charges for `bytes` more bytes of template output, refusing output longer than
    /// [`MAX_VALUE_BYTES`].
    fn grow(&mut self, out: &mut TemplateOut, bytes: u64, span: Span) -> Result<(), Node> {
        out.len = out.len.saturating_add(bytes);
        self.afford(out.len, bytes / 64, span, "a template")
    }
}

impl Evaluator<'_, '_> {
    // ----- templates ---------------------------------------------------------------------

    pub(super) fn template(&mut self, t: &Template, cx: Cx, span: Span) -> Node {
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            // "${x}" is x itself, not its text.
            return self.expr(&i.expr, cx);
        }
        let mut out = TemplateOut::default();
        match self.template_into(t, cx, &mut out, span) {
            Ok(()) => Node::new(Kind::Str(out.text), span),
            Err(node) => Node::new(node.kind, span),
        }
    }

    fn template_into(
        &mut self,
        t: &Template,
        cx: Cx,
        out: &mut TemplateOut,
        span: Span,
    ) -> Result<(), Node> {
        for element in t.iter() {
            match element {
                Element::Literal(l) => {
                    self.grow(out, l.value().len() as u64, span)?;
                    out.lit(l.value());
                }
                Element::Interpolation(i) => {
                    out.strip_before(i.strip.strip_start());
                    let value = self.expr(&i.expr, cx);
                    let text = to_pstring(&value).map_err(|why| error(value.span, why))?;
                    let bytes = text
                        .parts()
                        .iter()
                        .map(|p| match p {
                            Part::Lit(t) => t.len() as u64,
                            // A hole is counted as the size of its record.
                            Part::Hole(_) => 64,
                        })
                        .sum();
                    self.grow(out, bytes, span)?;
                    out.value(&text);
                    out.strip_next = i.strip.strip_end();
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        out.strip_before(d.if_expr.strip.strip_start());
                        let cond = self.expr(&d.if_expr.cond_expr, cx);
                        match truth(&cond) {
                            Ok(true) => {
                                out.strip_next = d.if_expr.strip.strip_end();
                                self.template_into(&d.if_expr.template, cx, out, span)?;
                                if let Some(e) = &d.else_expr {
                                    out.strip_before(e.strip.strip_start());
                                }
                            }
                            Ok(false) => {
                                if let Some(e) = &d.else_expr {
                                    out.strip_next = e.strip.strip_end();
                                    self.template_into(&e.template, cx, out, span)?;
                                }
                            }
                            Err(node) => {
                                if is_error(&node) {
                                    return Err(node);
                                }
                                out.value(&PString::hole(hole_of(&node)));
                            }
                        }
                        out.strip_before(d.endif_expr.strip.strip_start());
                        out.strip_next = d.endif_expr.strip.strip_end();
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        out.strip_before(f.strip.strip_start());
                        let collection = self.expr(&f.collection_expr, cx);
                        let span = collection.span;
                        match entries(&collection, span) {
                            Err(node) => {
                                if is_error(&node) {
                                    return Err(node);
                                }
                                out.value(&PString::hole(hole_of(&node)));
                            }
                            Ok(items) => {
                                let mark = self.bindings.len();
                                for (key, value) in items {
                                    if !self.charge(1) {
                                        self.bindings.truncate(mark);
                                        return Err(self.budget_node(span));
                                    }
                                    if let Some(k) = &f.key_var {
                                        self.bindings.push((k.as_str().to_string(), key));
                                    }
                                    self.bindings
                                        .push((f.value_var.as_str().to_string(), value));
                                    out.strip_next = f.strip.strip_end();
                                    let r = self.template_into(&f.template, cx, out, span);
                                    out.strip_before(d.endfor_expr.strip.strip_start());
                                    self.bindings.truncate(mark);
                                    r?;
                                }
                            }
                        }
                        out.strip_next = d.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(())
    }
}
