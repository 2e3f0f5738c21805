//! `data.aws_iam_policy_document.NAME.json` during evaluation: the rendered document.
//!
//! Policies are often built by functions over a rendered document (`replace(data.x.json,
//! "_ARN_", aws_s3_bucket.b.arn)`, `one(data.x[*].json)`, `compact([...])` of several
//! documents, `jsondecode(data.x.json).Statement`): the document must be a value while the
//! expression is evaluated, not a hole filled in later. A reference to a document's `json`
//! (or `minified_json`) therefore evaluates the data block's arguments in its own instance and
//! renders them with [`crate::terraform::aws::render_document`]; the result is the document's
//! structure (as `jsonencode` gives), every statement keeping the span it was written at, in
//! the caller's file when the statement came from the caller. Attributes known only after
//! apply stay holes (a bucket's ARN is filled in later, from the bucket resource). A document
//! is rendered once per instance; one that refers to itself stays unknown.

use super::{Cx, Evaluator, Expansion, InstanceKey};
use crate::value::{Kind, Node};
use hcl_edit::expr::TraversalOperator;

/// Where a rendered document is cached: instance, block name, instance key.
pub(super) type DocKey = (usize, String, String);

impl Evaluator<'_, '_> {
    /// `data.aws_iam_policy_document.NAME…` when it reads `json` / `minified_json` of known
    /// instances: the rendered document(s) with the remaining operators applied; `None`
    /// otherwise (the reference is then a hole as for any data source).
    pub(super) fn policy_document_ref(
        &mut self,
        name: &str,
        ops: &[&TraversalOperator],
        cx: Cx,
        span: crate::source::Span,
    ) -> Option<Node> {
        let block = self.module(cx.inst).resources.iter().find(|b| {
            b.mode == crate::resource::Mode::Data
                && b.rtype == "aws_iam_policy_document"
                && b.name == name
        })?;
        let (first, rest) = ops.split_first()?;
        let is_json = |op: &TraversalOperator| matches!(op, TraversalOperator::GetAttr(a) if matches!(a.as_str(), "json" | "minified_json"));
        let expansion = self.expand(&block.body, cx.inst, span);
        match (expansion, first) {
            (Expansion::One, op) if is_json(op) => {
                let doc = self.rendered(block, cx.inst, String::new(), Vec::new())?;
                Some(self.apply(doc, rest, cx, span))
            }
            (
                Expansion::Keys(keys),
                op @ (TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)),
            ) => {
                let (attr, after) = rest.split_first()?;
                if !is_json(attr) {
                    return None;
                }
                let wanted = self.render_op(op, cx);
                let (key, bindings) = keys.into_iter().find(|(k, _)| k.render() == wanted)?;
                let doc = self.rendered(block, cx.inst, key.render(), bindings)?;
                Some(self.apply(doc, after, cx, span))
            }
            (
                Expansion::Keys(keys),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_),
            ) if keys.iter().all(|(k, _)| matches!(k, InstanceKey::Int(_))) => {
                let (attr, after) = rest.split_first()?;
                if !is_json(attr) || !after.is_empty() {
                    return None;
                }
                let mut docs = Vec::with_capacity(keys.len());
                for (key, bindings) in keys {
                    docs.push(self.rendered(block, cx.inst, key.render(), bindings)?);
                }
                Some(Node::new(Kind::Array(docs), span))
            }
            // `count` / `for_each` known only after apply: the one instance without a key
            // (as resources are made), its `count.index` / `each` unknown.
            (Expansion::Unknown(bindings), op) => {
                let (attr, after, splat) = match op {
                    TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => {
                        let (attr, after) = rest.split_first()?;
                        (*attr, after, false)
                    }
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        let (attr, after) = rest.split_first()?;
                        (*attr, after, true)
                    }
                    _ => (*first, rest, false),
                };
                if !is_json(attr) || (splat && !after.is_empty()) {
                    return None;
                }
                let doc = self.rendered(block, cx.inst, String::new(), bindings)?;
                Some(if splat {
                    Node::new(Kind::Array(vec![doc]), span)
                } else {
                    self.apply(doc, after, cx, span)
                })
            }
            _ => None,
        }
    }

    /// The rendered document of one instance of `block` (cached); `None` for a document that
    /// refers to itself.
    fn rendered(
        &mut self,
        block: &crate::terraform::hcl::ResourceBlock,
        inst: usize,
        key: String,
        bindings: Vec<(String, Node)>,
    ) -> Option<Node> {
        let cache_key: DocKey = (inst, block.name.clone(), key);
        if let Some(done) = self.documents.get(&cache_key) {
            return done.clone();
        }
        self.documents.insert(cache_key.clone(), None);
        let attrs = self.with_bindings(bindings, |ev| ev.body(&block.body, inst, true, block.span));
        let doc = crate::terraform::aws::render_document(&attrs, block.span, self.sources());
        self.documents.insert(cache_key, Some(doc.clone()));
        Some(doc)
    }
}
