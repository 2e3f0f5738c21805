//! A plan and its Terraform sources evaluated together.
//!
//! A plan leaves unknown what is known only after apply: the policy of a new bucket that
//! interpolates the bucket's ARN is `after_unknown`, though the sources say exactly what it
//! is. The sources are evaluated with everything the plan knows (its `variables` and the
//! account of its `aws_caller_identity`, see [`plan_options`]); then every value the plan leaves
//! unknown is taken from the resource of the same address in the sources ([`fill`]), and the
//! references left in it are settled by the values the plan knows (another resource's known
//! attributes; a bucket's name, id and ARN are filled in by the model as for any input). Only
//! what neither knows stays unknown.
//!
//! What is taken from the sources keeps its place in the `.tf` file, so findings on it land
//! there directly; [`Filled`] records where the plan has it, to be named as related.

use crate::resource::Resource;
use crate::source::Span;
use crate::terraform::TerraformOptions;
use crate::value::{Kind, Node, Part, substitute};
use std::collections::HashMap;

/// A value the plan left unknown and the sources settled.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    /// The resource's address in the plan.
    pub address: String,
    /// Where the plan has the unknown value.
    pub plan_span: Span,
}

/// The options to evaluate the sources of a plan with: the plan's account and the root
/// module's variables as the plan recorded them (they win over tfvars and `--var`, since they
/// are what the plan was made with).
pub fn plan_options(
    base: &TerraformOptions,
    account: Option<&str>,
    variables: &[(String, Node)],
) -> TerraformOptions {
    let mut opts = base.clone();
    if opts.account_id.is_none() {
        opts.account_id = account.map(str::to_string);
    }
    opts.plan_values = variables.to_vec();
    opts
}

/// Whether `node` is wholly unknown: an unknown value, or a string that is one hole.
fn is_unknown(node: &Node) -> bool {
    match &node.kind {
        Kind::Unknown(_) => true,
        Kind::Str(s) => matches!(s.parts(), [Part::Hole(_)]),
        _ => false,
    }
}

/// The id of a wholly unknown value.
fn hole_id(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Unknown(h) => Some(&h.id),
        Kind::Str(s) => match s.parts() {
            [Part::Hole(h)] => Some(&h.id),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `node` holds any unknown part.
fn has_unknown(node: &Node, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match &node.kind {
        Kind::Unknown(_) => true,
        Kind::Str(s) => !s.is_known(),
        Kind::Array(items) => items.iter().any(|n| has_unknown(n, depth + 1)),
        Kind::Object(members) => members.iter().any(|m| has_unknown(&m.value, depth + 1)),
        _ => false,
    }
}

/// The known attributes of the plan's resources, by attribute address
/// (`aws_kms_key.k.arn`), to settle references left in values taken from the sources.
fn known_attributes(plan: &[Resource]) -> HashMap<String, Node> {
    let mut known = HashMap::new();
    for r in plan {
        let Some(members) = r.attributes.as_object() else {
            continue;
        };
        for m in members {
            let keep = match &m.value.kind {
                Kind::Str(s) => s.is_known(),
                Kind::Number(_) | Kind::Bool(_) => true,
                _ => false,
            };
            if keep {
                known.insert(format!("{}.{}", r.address, m.key), m.value.clone());
            }
        }
    }
    known
}

/// Replaces what `plan` leaves unknown with the value `source` gives at the same place,
/// where the source's value is more known. Objects are matched by key, lists item by item
/// when both have the same length. Returns whether anything was replaced.
fn fill_node(
    plan: &mut Node,
    source: &Node,
    known: &HashMap<String, Node>,
    spans: &mut Vec<Span>,
    depth: usize,
) -> bool {
    if depth > 64 {
        return false;
    }
    if is_unknown(plan) {
        let value = substitute(source, known);
        // An unknown the sources name (a reference, `aws_s3_bucket.b.id`) says more than the
        // plan's (named after the attribute itself): it links the resource to another.
        if is_unknown(&value) && hole_id(&value) == hole_id(plan) {
            return false;
        }
        spans.push(plan.span);
        *plan = value;
        return true;
    }
    match (&mut plan.kind, &source.kind) {
        (Kind::Object(members), Kind::Object(src)) => {
            let mut any = false;
            for m in members.iter_mut() {
                if let Some(s) = src.iter().find(|s| s.key == m.key) {
                    any |= fill_node(&mut m.value, &s.value, known, spans, depth + 1);
                }
            }
            any
        }
        (Kind::Array(items), Kind::Array(src)) if items.len() == src.len() => {
            let mut any = false;
            for (item, s) in items.iter_mut().zip(src) {
                any |= fill_node(item, s, known, spans, depth + 1);
            }
            any
        }
        _ => false,
    }
}

/// Fills what the plan's resources leave unknown from the resources of the same address in
/// the sources (evaluated with [`plan_options`]). Returns where the plan had each filled value.
pub fn fill(plan: &mut [Resource], sources: &[Resource]) -> Vec<Filled> {
    let by_address: HashMap<&str, &Resource> =
        sources.iter().map(|r| (r.address.as_str(), r)).collect();
    if by_address.is_empty() || !plan.iter().any(|r| has_unknown(&r.attributes, 0)) {
        return Vec::new();
    }
    let known = known_attributes(plan);
    let mut filled = Vec::new();
    for r in plan.iter_mut() {
        let Some(src) = by_address.get(r.address.as_str()) else {
            continue;
        };
        if src.rtype != r.rtype || src.mode != r.mode || !has_unknown(&r.attributes, 0) {
            continue;
        }
        let mut spans = Vec::new();
        let Kind::Object(members) = &mut r.attributes.kind else {
            continue;
        };
        // An unknown attribute the sources do not set is computed by the provider (a key's
        // default `policy`, shown `(known after apply)` in plan text): not something the user
        // wrote, as the plan JSON front end treats it.
        members.retain(|m| !is_unknown(&m.value) || src.attributes.get(&m.key).is_some());
        for m in members.iter_mut() {
            if let Some(s) = src.attributes.get(&m.key) {
                fill_node(&mut m.value, s, &known, &mut spans, 1);
            }
        }
        // Nothing is added that the plan does not have.
        filled.extend(spans.into_iter().map(|plan_span| Filled {
            address: r.address.clone(),
            plan_span,
        }));
    }
    filled
}

/// Where the plan has the filled value of `address` (the first one), if any.
pub fn plan_span_of<'a>(filled: &'a [Filled], address: &str) -> Option<&'a Span> {
    filled
        .iter()
        .find(|f| f.address == address)
        .map(|f| &f.plan_span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Lifecycle, Mode};
    use crate::source::{FileId, Span};
    use crate::value::{Hole, Member, PString};

    fn span(file: usize) -> Span {
        Span::new(FileId(file as u32), 0, 1)
    }

    fn str_node(s: PString, file: usize) -> Node {
        Node::new(Kind::Str(s), span(file))
    }

    fn resource(address: &str, rtype: &str, attrs: Vec<(&str, Node)>, file: usize) -> Resource {
        Resource {
            mode: Mode::Managed,
            rtype: rtype.into(),
            address: address.into(),
            module: String::new(),
            attributes: Node::new(
                Kind::Object(
                    attrs
                        .into_iter()
                        .map(|(k, v)| Member {
                            key: k.into(),
                            key_span: span(file),
                            value: v,
                        })
                        .collect(),
                ),
                span(file),
            ),
            span: span(file),
            header: span(file),
            lifecycle: Lifecycle::Created,
        }
    }

    #[test]
    fn an_unknown_value_is_taken_from_the_sources_with_known_references_settled() {
        let hole = |id: &str| PString::hole(Hole::unknown(id, "after apply"));
        let mut plan = vec![
            resource(
                "aws_kms_key.k",
                "aws_kms_key",
                vec![("arn", str_node(PString::known("arn:aws:kms:k"), 0))],
                0,
            ),
            resource(
                "aws_s3_bucket_policy.p",
                "aws_s3_bucket_policy",
                vec![
                    ("bucket", str_node(PString::known("b"), 0)),
                    ("policy", str_node(hole("aws_s3_bucket_policy.p.policy"), 0)),
                ],
                0,
            ),
        ];
        let sources = vec![resource(
            "aws_s3_bucket_policy.p",
            "aws_s3_bucket_policy",
            vec![
                ("bucket", str_node(PString::known("b"), 1)),
                ("policy", str_node(hole("aws_kms_key.k.arn"), 1)),
            ],
            1,
        )];
        let filled = fill(&mut plan, &sources);
        assert_eq!(filled.len(), 1);
        assert_eq!(filled[0].address, "aws_s3_bucket_policy.p");
        assert_eq!(filled[0].plan_span, span(0));
        let policy = plan[1].attributes.get("policy").unwrap();
        assert_eq!(
            policy.as_pstr().and_then(|s| s.as_known()),
            Some("arn:aws:kms:k")
        );
        assert_eq!(policy.span.file, FileId(1), "the value keeps its .tf place");
    }

    #[test]
    fn what_the_plan_knows_is_kept_and_what_neither_knows_stays_unknown() {
        let hole = |id: &str| PString::hole(Hole::unknown(id, "after apply"));
        let mut plan = vec![resource(
            "aws_s3_bucket_policy.p",
            "aws_s3_bucket_policy",
            vec![
                ("bucket", str_node(PString::known("from-plan"), 0)),
                ("policy", str_node(hole("x"), 0)),
            ],
            0,
        )];
        let sources = vec![resource(
            "aws_s3_bucket_policy.p",
            "aws_s3_bucket_policy",
            vec![
                ("bucket", str_node(PString::known("from-sources"), 1)),
                ("policy", str_node(hole("x"), 1)),
            ],
            1,
        )];
        assert!(fill(&mut plan, &sources).is_empty());
        let attrs = &plan[0].attributes;
        assert_eq!(
            attrs.get("bucket").and_then(|b| b.as_pstr()?.as_known()),
            Some("from-plan")
        );
        assert_eq!(attrs.get("policy").unwrap().span.file, FileId(0));
    }
}
