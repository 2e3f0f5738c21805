//! Points findings made on a plan at the Terraform sources the plan came from.
//!
//! Both the plan and the sources are turned into the same model; every element a finding
//! may point at (a policy statement and its principals, actions, resources and conditions;
//! a policy, an ownership setting, an ACL, an encryption setting, a bucket, a key) gets a key
//! made of its resource address and its place. A finding on a plan element moves to the
//! source element with the same key (instance keys may differ: `module.a["x"]` in the plan is
//! `module.a` in a module's own file), else to the resource's header; the plan location is
//! kept as a related location. A finding that moves to a source element takes the fix and the
//! help of the same finding made by checking the sources themselves (same rule, resource and
//! element), so `--fix` repairs the `.tf` text the plan came from.

use crate::model::{Inventory, KeyPolicy, PolicyDoc, PolicySyntax};
use crate::policy::ast::Policy;
use crate::profile::Profile;
use crate::rules::{Diagnostic, Fix, Related, fix};
use crate::source::{Sources, Span};
use crate::terraform::{self, TerraformOptions};
use std::path::Path;

/// What an element is, within its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A statement, or a part of it: (statement, part, item, sub-item).
    Statement(Vec<usize>),
    Policy,
    /// The n-th problem found in the policy (CP901).
    Error(usize),
    Ownership(usize),
    Acl(usize),
    Encryption(usize),
    Bucket,
    Key,
}

/// One element a finding may point at.
struct Mappable {
    resource: String,
    place: Place,
    span: Span,
    /// How the policy the element belongs to is written.
    syntax: Option<PolicySyntax>,
}

fn statement_elements(
    resource: &str,
    policy: &Policy,
    syntax: PolicySyntax,
    out: &mut Vec<Mappable>,
) {
    let mut push = |place: Vec<usize>, span: Span| {
        out.push(Mappable {
            resource: resource.to_string(),
            place: Place::Statement(place),
            span,
            syntax: Some(syntax),
        })
    };
    for (i, st) in policy.statements.iter().enumerate() {
        push(vec![i], st.span);
        push(vec![i, 0], st.effect.span);
        if let Some(p) = &st.principal {
            push(vec![i, 1], p.span);
            for (j, e) in p.entries.iter().enumerate() {
                push(vec![i, 1, j], e.value.span);
            }
        }
        push(vec![i, 2], st.action.span);
        for (j, a) in st.action.items.iter().enumerate() {
            push(vec![i, 2, j], a.span);
        }
        if let Some(r) = &st.resource {
            push(vec![i, 3], r.span);
            for (j, item) in r.items.iter().enumerate() {
                push(vec![i, 3, j], item.span);
            }
        }
        for (k, c) in st.conditions.iter().enumerate() {
            push(vec![i, 4, k], c.span);
            push(vec![i, 5, k], c.operator_span);
            for (v, value) in c.values.iter().enumerate() {
                push(vec![i, 6, k, v], value.span);
            }
        }
    }
}

fn elements(inv: &Inventory) -> Vec<Mappable> {
    let mut out = Vec::new();
    let mut element = |resource: &str, place: Place, span: Span, syntax: Option<PolicySyntax>| {
        out.push(Mappable {
            resource: resource.to_string(),
            place,
            span,
            syntax,
        });
    };
    let mut statements = Vec::new();
    let mut document = |resource: &str, span: Span, doc: &PolicyDoc, syntax: PolicySyntax| {
        element(resource, Place::Policy, span, Some(syntax));
        let errors = match doc {
            PolicyDoc::Parsed { policy, errors } => {
                statement_elements(resource, policy, syntax, &mut statements);
                errors.as_slice()
            }
            PolicyDoc::Invalid(errors) => errors.as_slice(),
            PolicyDoc::Unknown(_) => &[],
        };
        for (n, e) in errors.iter().enumerate() {
            element(resource, Place::Error(n), e.span, Some(syntax));
        }
    };
    for p in &inv.policies {
        document(&p.resource, p.span, &p.doc, p.syntax);
    }
    for k in &inv.keys {
        if let KeyPolicy::Written {
            resource,
            span,
            doc,
            syntax,
        } = &k.policy
        {
            document(resource, *span, doc, *syntax);
        }
    }
    for k in &inv.keys {
        element(&k.resource, Place::Key, k.header, None);
    }
    for b in &inv.buckets {
        element(&b.resource, Place::Bucket, b.header, None);
    }
    let nth = |items: Vec<(&String, Span)>, make: fn(usize) -> Place, out: &mut Vec<Mappable>| {
        let mut seen: Vec<&String> = Vec::new();
        for (resource, span) in items {
            let n = seen.iter().filter(|r| **r == resource).count();
            seen.push(resource);
            out.push(Mappable {
                resource: resource.clone(),
                place: make(n),
                span,
                syntax: None,
            });
        }
    };
    nth(
        inv.ownerships
            .iter()
            .map(|o| (&o.resource, o.span))
            .collect(),
        Place::Ownership,
        &mut out,
    );
    nth(
        inv.acls.iter().map(|a| (&a.resource, a.span)).collect(),
        Place::Acl,
        &mut out,
    );
    nth(
        inv.encryptions
            .iter()
            .map(|e| (&e.resource, e.span))
            .collect(),
        Place::Encryption,
        &mut out,
    );
    out.extend(statements);
    out
}

/// `module.a["x"].aws_s3_bucket.b[0]` → `module.a.aws_s3_bucket.b`.
fn without_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    let mut in_string = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn same(a: &str, b: &str) -> bool {
    a == b || without_instance_keys(a) == without_instance_keys(b)
}

/// The plan whose findings are remapped: its file, and the values its sources settled.
pub struct PlanOrigin<'a> {
    /// The plan's file.
    pub file: crate::source::FileId,
    /// The values the plan left unknown and the sources settled.
    pub filled: &'a [crate::plan_sources::Filled],
    /// The findings of the sources' own check, with their fixes
    /// ([`SourceMapper::source_findings`]).
    pub source_found: &'a [Diagnostic],
}

/// The Terraform sources of a plan, ready to receive its findings.
pub struct SourceMapper {
    elements: Vec<Mappable>,
    /// Resource address → header span, for every resource of the sources.
    headers: Vec<(String, Span)>,
    /// The model of each root module of the sources.
    inventories: Vec<Inventory>,
}

impl SourceMapper {
    /// Loads the sources under `dir` (their files are added to `sources`).
    pub fn load(dir: &Path, opts: &TerraformOptions, sources: &mut Sources) -> SourceMapper {
        let loaded = terraform::load(&[dir.to_path_buf()], opts, sources);
        SourceMapper::from_loaded(&loaded, sources)
    }

    /// The mapper of sources already loaded.
    pub fn from_loaded(loaded: &terraform::LoadedModules, sources: &Sources) -> SourceMapper {
        let headers = loaded
            .resources
            .iter()
            .map(|r| (r.address.clone(), r.header))
            .collect();
        let inventories: Vec<Inventory> = loaded
            .extra
            .roots
            .iter()
            .map(|root| {
                terraform::aws::inventory(&loaded.resources[root.resources.clone()], sources)
            })
            .collect();
        let elements = inventories.iter().flat_map(elements).collect();
        SourceMapper {
            elements,
            headers,
            inventories,
        }
    }

    /// The findings of checking the sources themselves with `profile` and the `enabled` rules,
    /// each with the fix made from the `.tf` text (or the help saying why there is none).
    pub fn source_findings(
        &self,
        sources: &Sources,
        profile: &Profile,
        enabled: &crate::rules::Enabled,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for inv in &self.inventories {
            let mut found = crate::rules::run(inv, profile, enabled);
            // The sources are `.tf` files: none is a plan.
            crate::fix::attach(sources, inv, profile, &mut found, &|_| false);
            out.append(&mut found);
        }
        out
    }

    /// The source element matching the plan element `d` points at, if any.
    fn matching(&self, plan: &[Mappable], d: &Diagnostic) -> Option<&Mappable> {
        let at = plan.iter().find(|e| e.span == d.span)?;
        self.elements
            .iter()
            .find(|e| e.place == at.place && e.resource == at.resource)
            .or_else(|| {
                self.elements
                    .iter()
                    .find(|e| e.place == at.place && same(&e.resource, &at.resource))
            })
    }

    /// Moves each finding made on `plan_inventory` to the sources (the same element, else the
    /// resource's header), keeping the plan location as a related one; the policy text of the
    /// help ([`Diagnostic::help_parts`]) is written again in the syntax of the source.
    pub fn remap(
        &self,
        found: &mut [Diagnostic],
        plan_inventory: &Inventory,
        profile: &Profile,
        origin: &PlanOrigin,
    ) {
        if found.is_empty() {
            return;
        }
        let plan = elements(plan_inventory);
        for d in found {
            if d.span.file != origin.file {
                // On a value the sources settled: it is already on the `.tf` element.
                if let Some(span) = crate::plan_sources::plan_span_of(origin.filled, &d.resource) {
                    d.related.push(Related {
                        span: *span,
                        message: "where the plan has it (known only after apply)".into(),
                    });
                }
                continue;
            }
            self.remap_one(d, &plan, profile, origin.source_found);
        }
    }

    fn remap_one(
        &self,
        d: &mut Diagnostic,
        plan: &[Mappable],
        profile: &Profile,
        source_found: &[Diagnostic],
    ) {
        let target = match self.matching(plan, d) {
            Some(e) => {
                if let Some(syntax) = e.syntax {
                    d.help_in_syntax(syntax, |kind, syntax| {
                        fix::snippet(kind, profile, syntax).text
                    });
                }
                Some(e.span)
            }
            None => self
                .headers
                .iter()
                .find(|(a, _)| *a == d.resource)
                .or_else(|| self.headers.iter().find(|(a, _)| same(a, &d.resource)))
                .map(|(_, span)| *span),
        };
        if let Some(span) = target {
            d.related.push(Related {
                span: d.span,
                message: "where the plan has it".into(),
            });
            d.span = span;
            // The same finding of the sources' own check: its fix is made from the `.tf`
            // text, and its help says the same.
            if let Some(source) = source_found.iter().find(|s| {
                s.rule.code == d.rule.code && s.span == span && same(&s.resource, &d.resource)
            }) {
                d.fix = source.fix.clone();
                d.help = source.help.clone();
                d.help_parts = source.help_parts.clone();
                return;
            }
        }
        d.fix = d
            .fix
            .take()
            .and_then(|fix| fix_on_source(fix, d.span, target.is_some()));
    }
}

/// A plan finding's fix, moved to the source element the finding moved to: an edit that
/// replaces a whole value (the word alone, or quoted) is made on the source value the same way.
/// Any other edit of the plan cannot be carried over as data, and the fix is dropped (the help
/// still says what to change).
fn fix_on_source(mut fix: Fix, source: Span, moved: bool) -> Option<Fix> {
    if !moved || fix.edits.len() != 1 {
        return None;
    }
    for edit in &mut fix.edits {
        edit.span = crate::diagnostics::Edit::word_in_value(source, &edit.expected)?;
    }
    Some(fix)
}
