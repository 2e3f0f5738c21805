//! Evaluating a root module into resources: expressions into located [`Node`]s.
//!
//! What is knowable without a cloud is evaluated: literals, templates (interpolation, `%{if}`
//! and `%{for}` directives, strip markers), heredocs, locals, variables (defaults, `.tfvars`,
//! `--var-file`, `--var`, module inputs), module outputs, conditionals, operators, `for`
//! expressions, splats, `count` / `for_each` instances, `dynamic` blocks and the functions of
//! [`super::functions`]. Everything else becomes unknown with a reason, never an error and
//! never a guess:
//! - a managed resource attribute is a hole whose id is the attribute's full address,
//!   module-qualified (`module.logs.aws_s3_bucket.this.arn`), with the instance key only
//!   when the reference has one (`aws_s3_bucket.b[0].arn`);
//! - a data source attribute likewise (`data.aws_iam_policy_document.p.json`), except the
//!   account id, partition and region, which come from the options;
//! - a variable without a value is the hole `var.NAME` (module-qualified);
//! - an unknown function is a hole saying so.
//!
//! Values keep the span of the expression they were written as; a reference returns the
//! referenced value with its own spans (a local's value points into the local's definition).
//! A string built by a template has the template's span; a plain `<<EOF` heredoc has the
//! span of exactly its text, and so has a `file()` result (in a new [`Sources`] entry), so
//! that a JSON document inside can be parsed with [`OffsetMap::direct`](crate::located_json::OffsetMap).
//!
//! Evaluation is bounded: expressions nest at most [`MAX_DEPTH`] levels, every root module
//! has a step budget (for-expressions, instances, copies of values and function results all
//! spend it, charged before they are built), no function call or template builds more than
//! [`MAX_VALUE_BYTES`] of text, a reference cycle between locals ends as an unknown, and a
//! module that calls itself is reported instead of followed. A chain of locals does not nest:
//! the locals a local reads are evaluated first, one at a time. A limit that is hit is an
//! error of the run ([`RootOutput::errors`], `evaluation limit: …`, located where it was
//! hit), never only an unknown value.

use super::functions::{self, error, first_hole, is_error, string_node, to_pstring, unknown};
use super::hcl::{BlockBody, BodyKind, Expr, ExprKind, Module};
use super::{fileset, walk};
use crate::fsbound::Refusal;
use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part};
use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Directive, Element, Template};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod body;
mod budget;
mod documents;
mod expr;
mod files;
mod instances;
mod refs;
mod template;

/// How deep expressions may nest, counting references followed.
pub const MAX_DEPTH: usize = 256;
/// How deep module calls may nest.
pub const MAX_MODULE_DEPTH: usize = 32;
/// The most instances one `count` or `for_each` may create.
pub const MAX_INSTANCES: usize = 10_000;
/// Evaluation steps every root module may spend, plus [`STEPS_PER_BYTE`] per byte of source.
pub const BASE_STEPS: u64 = 2_000_000;
/// Extra steps per byte of a root module's files (its own and its modules').
pub const STEPS_PER_BYTE: u64 = 16;

/// The largest text one function call or template may build; anything larger is an
/// evaluation-limit error (checked before the text is built).
pub const MAX_VALUE_BYTES: u64 = 4 << 20;
/// How many limit errors one root module reports.
const MAX_LIMIT_ERRORS: usize = 20;

/// The largest file `file()` and `templatefile()` read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Meta-arguments of `resource` / `data` blocks, which are not resource attributes.
const META_ATTRIBUTES: &[&str] = &["count", "for_each", "provider", "depends_on"];
/// Meta-blocks of `resource` / `data` blocks.
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
/// Arguments that are maps, not nested blocks, in Terraform JSON syntax.
const JSON_MAP_ATTRIBUTES: &[&str] = &["tags", "tags_all", "variables", "environment", "triggers"];
/// Resource attributes that are strings in the AWS provider: a reference to one of them is a
/// string made of one hole rather than a value of unknown shape.
const STRING_ATTRIBUTES: &[&str] = &[
    "arn",
    "id",
    "bucket",
    "json",
    "minified_json",
    "key_id",
    "name",
    "policy",
    "account_id",
    "region",
    "partition",
    "target_key_arn",
    "target_key_id",
    "bucket_domain_name",
    "bucket_regional_domain_name",
];

/// What evaluation may know from the command line.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// `--account-id`: the value of `data.aws_caller_identity.*.account_id`.
    pub account_id: Option<String>,
    /// `--region`: the value of `data.aws_region.*.name`.
    pub region: Option<String>,
    /// Where `file()` and `templatefile()` may read.
    pub boundary: std::sync::Arc<crate::fsbound::Boundary>,
}

/// A root module to evaluate.
#[derive(Debug, Clone)]
pub struct RootInput {
    /// The module (index into the loaded modules).
    pub module: usize,
    /// The directory Terraform would run in; `file()` paths are relative to it first.
    pub dir: PathBuf,
    /// Variable values from `.tfvars` files, `--var-file` and `--var`, the last one winning.
    pub values: HashMap<String, Expr>,
}

/// What evaluating a root module produced.
#[derive(Debug, Default)]
pub struct RootOutput {
    /// One resource per resource or data source instance, module instances included.
    pub resources: Vec<Resource>,
    /// Module cycles, an exhausted budget.
    pub errors: Vec<LoadError>,
    /// Files read by `file()` and `templatefile()`.
    pub files_read: usize,
    /// Module calls (instances of calls) whose remote code is not on disk.
    pub not_loaded: Vec<crate::model::ModuleNotLoaded>,
    /// Every module instance's address prefix (`module.logs["a"].`) with the `module` block
    /// that created it.
    pub module_calls: Vec<(String, Span)>,
}

/// Evaluates the root module `root` of `modules`. Files read by `file()` are added to
/// `sources`.
pub fn evaluate_root(
    modules: &[Module],
    sources: &mut Sources,
    root: &RootInput,
    opts: &EvalOptions,
) -> RootOutput {
    evaluate(modules, SourcesAccess::Exclusive(sources), root, opts)
        .expect("an evaluation that may add files always finishes")
}

/// [`evaluate_root`] reading `sources` only, so that roots can be evaluated side by side:
/// `None` when the root reads a file (`file()`, `templatefile()`) that would have to be
/// added to `sources`; evaluate it with [`evaluate_root`] then.
pub fn evaluate_root_shared(
    modules: &[Module],
    sources: &Sources,
    root: &RootInput,
    opts: &EvalOptions,
) -> Option<RootOutput> {
    evaluate(modules, SourcesAccess::Shared(sources), root, opts)
}

/// The size of the files of module `root` and of every module it calls, transitively: what
/// the step budget grows with.
fn closure_bytes(modules: &[Module], root: usize) -> usize {
    let mut seen = vec![false; modules.len()];
    let mut stack = vec![root];
    let mut bytes = 0;
    while let Some(m) = stack.pop() {
        if std::mem::replace(&mut seen[m], true) {
            continue;
        }
        bytes += modules[m].bytes;
        stack.extend(modules[m].calls.iter().filter_map(|c| c.target));
    }
    bytes
}

/// The sources an evaluation reads, and whether it may add the files functions read.
enum SourcesAccess<'s> {
    /// It may add files.
    Exclusive(&'s mut Sources),
    /// It only reads: a file to add stops it (see [`evaluate_root_shared`]).
    Shared(&'s Sources),
}

fn evaluate(
    modules: &[Module],
    sources: SourcesAccess,
    root: &RootInput,
    opts: &EvalOptions,
) -> Option<RootOutput> {
    let bytes = closure_bytes(modules, root.module);
    let mut ev = Evaluator {
        modules,
        sources,
        needs_exclusive: false,
        opts,
        root,
        insts: Vec::new(),
        bindings: Vec::new(),
        depth: 0,
        steps: BASE_STEPS.saturating_add(STEPS_PER_BYTE.saturating_mul(bytes as u64)),
        exhausted: false,
        exhausted_at: None,
        limits: Vec::new(),
        files: HashMap::new(),
        files_read: 0,
        errors: Vec::new(),
        not_loaded: Vec::new(),
        documents: HashMap::new(),
    };
    ev.insts.push(Instance::new(
        root.module,
        String::new(),
        PathBuf::from("."),
        None,
    ));
    ev.build(0, 0);
    let resources = ev.resources();
    if ev.needs_exclusive {
        return None;
    }
    if ev.exhausted {
        let budget = BASE_STEPS.saturating_add(STEPS_PER_BYTE.saturating_mul(bytes as u64));
        ev.errors.push(LoadError {
            file: ev.exhausted_at.map(|s| s.file),
            span: ev.exhausted_at,
            path: Some(root.dir.display().to_string()),
            message: format!(
                "evaluation limit: {} used up its budget of {budget} steps ({BASE_STEPS} plus \
                 {STEPS_PER_BYTE} per byte of source) here; the values not yet evaluated are \
                 unknown and the findings that depend on them are not reported",
                root.dir.display()
            ),
        });
    }
    ev.errors.append(&mut ev.limits);
    let module_calls = ev
        .insts
        .iter()
        .filter_map(|inst| {
            let parent = inst.parent.as_ref()?;
            let caller = &ev.modules[ev.insts[parent.inst].module];
            Some((inst.prefix.clone(), caller.calls.get(parent.call)?.span))
        })
        .collect();
    Some(RootOutput {
        resources,
        errors: ev.errors,
        files_read: ev.files_read,
        not_loaded: ev.not_loaded,
        module_calls,
    })
}

/// Names bound to values (`each`, `count`, `for` variables, `dynamic` iterators).
type Bindings = Vec<(String, Node)>;

/// A `count` or `for_each` instance key.
#[derive(Debug, Clone, PartialEq)]
enum InstanceKey {
    Int(usize),
    Str(String),
}

impl InstanceKey {
    /// `[0]` or `["a"]`, as Terraform writes addresses.
    fn render(&self) -> String {
        match self {
            InstanceKey::Int(i) => format!("[{i}]"),
            InstanceKey::Str(s) => format!("[{}]", quote(s)),
        }
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A local, variable or output being evaluated, or its value.
#[derive(Debug, Clone)]
enum Slot {
    Busy,
    Done(Node),
}

/// The instances of one module call.
#[derive(Debug, Clone)]
enum Children {
    One(usize),
    Keyed(Vec<(InstanceKey, usize)>),
}

/// How a module instance was called.
#[derive(Debug, Clone)]
struct Parent {
    inst: usize,
    call: usize,
    bindings: Vec<(String, Node)>,
}

/// One instance of a module: the root, or one `count`/`for_each` instance of a call.
#[derive(Debug)]
struct Instance {
    module: usize,
    /// `module.logs["a"].`, empty at the root.
    prefix: String,
    /// `path.module`: the module's directory relative to the root module.
    rel: PathBuf,
    parent: Option<Parent>,
    vars: HashMap<String, Slot>,
    locals: HashMap<String, Slot>,
    outputs: HashMap<String, Slot>,
    children: HashMap<String, Children>,
}

impl Instance {
    fn new(module: usize, prefix: String, rel: PathBuf, parent: Option<Parent>) -> Self {
        Instance {
            module,
            prefix,
            rel,
            parent,
            vars: HashMap::new(),
            locals: HashMap::new(),
            outputs: HashMap::new(),
            children: HashMap::new(),
        }
    }
}

/// The instances a `count` or `for_each` creates.
enum Expansion {
    /// Neither is set.
    One,
    /// Known instances with their `count` / `each` bindings.
    Keys(Vec<(InstanceKey, Vec<(String, Node)>)>),
    /// Not known: one instance without a key, `count.index` / `each` unknown.
    Unknown(Vec<(String, Node)>),
}

/// Where an expression is written: spans are byte ranges of `file`, unless `coarse` is set
/// (a template inside a JSON string), in which case every span is `coarse`.
#[derive(Debug, Clone, Copy)]
struct Cx {
    inst: usize,
    file: FileId,
    coarse: Option<Span>,
}

impl Cx {
    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        match (self.coarse, range) {
            (Some(span), _) => span,
            (None, Some(r)) => Span::new(self.file, r.start, r.end),
            (None, None) => Span::new(self.file, 0, 0),
        }
    }
}

/// Collects the members of a body: arguments in order, nested blocks grouped by name at the
/// place of the first one.
#[derive(Default)]
struct Members {
    entries: Vec<BodyItem>,
    /// Position of each block group in `entries`.
    groups: HashMap<String, usize>,
}

enum BodyItem {
    Attr(Member),
    Blocks {
        name: String,
        key_span: Span,
        items: Vec<Node>,
        unknown: Option<Hole>,
    },
}

impl Members {
    fn attr(&mut self, member: Member) {
        self.entries.push(BodyItem::Attr(member));
    }

    fn group(&mut self, name: &str, key_span: Span) -> (&mut Vec<Node>, &mut Option<Hole>) {
        let index = match self.groups.get(name) {
            Some(&index) => index,
            None => {
                self.entries.push(BodyItem::Blocks {
                    name: name.to_string(),
                    key_span,
                    items: Vec::new(),
                    unknown: None,
                });
                self.groups.insert(name.to_string(), self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        match &mut self.entries[index] {
            BodyItem::Blocks { items, unknown, .. } => (items, unknown),
            BodyItem::Attr(_) => unreachable!("index found among block groups"),
        }
    }

    fn block(&mut self, name: &str, key_span: Span, node: Node) {
        self.group(name, key_span).0.push(node);
    }

    fn unknown_blocks(&mut self, name: &str, key_span: Span, hole: Hole) {
        let slot = self.group(name, key_span).1;
        slot.get_or_insert(hole);
    }

    /// The members: a block group is a list of objects; blocks from a `dynamic` whose
    /// `for_each` is unknown make the group unknown, or add an unknown element after the
    /// known blocks.
    fn finish(self) -> Vec<Member> {
        self.entries
            .into_iter()
            .map(|entry| match entry {
                BodyItem::Attr(member) => member,
                BodyItem::Blocks {
                    name,
                    key_span,
                    mut items,
                    unknown: hole,
                } => {
                    let span = match (items.first(), items.last()) {
                        (Some(a), Some(b)) if a.span.file == b.span.file => a.span.to(b.span),
                        _ => key_span,
                    };
                    let value = match hole {
                        Some(hole) if items.is_empty() => Node::new(Kind::Unknown(hole), span),
                        Some(hole) => {
                            items.push(Node::new(Kind::Unknown(hole), key_span));
                            Node::new(Kind::Array(items), span)
                        }
                        None => Node::new(Kind::Array(items), span),
                    };
                    Member {
                        key: name,
                        key_span,
                        value,
                    }
                }
            })
            .collect()
    }
}

struct Evaluator<'m, 's> {
    modules: &'m [Module],
    sources: SourcesAccess<'s>,
    /// Set when a shared evaluation needed to add a file: its result is thrown away.
    needs_exclusive: bool,
    opts: &'m EvalOptions,
    root: &'m RootInput,
    insts: Vec<Instance>,
    /// Names bound by `for`, `count`, `each`, `dynamic` iterators and `templatefile` vars.
    bindings: Vec<(String, Node)>,
    depth: usize,
    steps: u64,
    exhausted: bool,
    /// Where the budget first ran out.
    exhausted_at: Option<Span>,
    /// Limits hit (depth, value size): each one an error, located.
    limits: Vec<LoadError>,
    files: HashMap<PathBuf, FileId>,
    files_read: usize,
    errors: Vec<LoadError>,
    not_loaded: Vec<crate::model::ModuleNotLoaded>,
    /// Rendered `aws_iam_policy_document` instances (`None` while being rendered).
    documents: HashMap<documents::DocKey, Option<Node>>,
}

impl Evaluator<'_, '_> {
    /// The sources, to read.
    fn sources(&self) -> &Sources {
        match &self.sources {
            SourcesAccess::Exclusive(sources) => sources,
            SourcesAccess::Shared(sources) => sources,
        }
    }
}

/// The entries a collection iterates over: list index or map key (sorted, as Terraform
/// iterates maps), and value.
fn entries(node: &Node, span: Span) -> Result<Vec<(Node, Node)>, Node> {
    match &node.kind {
        Kind::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| (functions::number_node(i as f64, item.span), item.clone()))
            .collect()),
        Kind::Object(members) => {
            let mut sorted: Vec<&Member> = members.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(sorted
                .into_iter()
                .map(|m| (string_node(m.key.clone(), m.key_span), m.value.clone()))
                .collect())
        }
        Kind::Unknown(hole) => Err(unknown(hole.clone(), span)),
        Kind::Str(s) if !s.is_known() => {
            Err(unknown(first_hole(node).unwrap_or_else(|| s_hole(s)), span))
        }
        _ => Err(error(span, format!("cannot iterate over {}", node.shape()))),
    }
}

fn s_hole(s: &PString) -> Hole {
    s.holes()
        .next()
        .cloned()
        .unwrap_or_else(|| Hole::unknown("unknown", "an unknown value"))
}

/// An object node `{ name = value, … }` at `span`.
fn object(members: Vec<(&str, Node)>, span: Span) -> Node {
    Node::new(
        Kind::Object(
            members
                .into_iter()
                .map(|(key, value)| Member {
                    key: key.to_string(),
                    key_span: value.span,
                    value,
                })
                .collect(),
        ),
        span,
    )
}

/// The known text of `node`, if it is a fully known string (or number or bool).
fn known_text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => s.as_known().map(str::to_string),
        Kind::Number(_) | Kind::Bool(_) => to_pstring(node).ok()?.as_known().map(str::to_string),
        _ => None,
    }
}

/// The hole that makes `node` unknown at the top, or a generic one.
fn hole_of(node: &Node) -> Hole {
    first_hole(node).unwrap_or_else(|| Hole::unknown("unknown", "an unknown value"))
}

/// A hole, as a string when the value is known to be a string.
fn hole_node(hole: Hole, string: bool, span: Span) -> Node {
    if string {
        Node::new(Kind::Str(PString::hole(hole)), span)
    } else {
        Node::new(Kind::Unknown(hole), span)
    }
}
