//! Turning `resource_changes` and the module values into resources: the configuration's
//! references name what an unknown value comes from, and known-after-apply leaves stay unknown.

use super::*;

pub(super) fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(|n| n.as_pstr()).and_then(|s| s.as_known())
}

pub(super) fn mode_of(node: &Node) -> Mode {
    if text(node.get("mode")) == Some("data") {
        Mode::Data
    } else {
        Mode::Managed
    }
}

/// The module prefix of an address (`module.a["x"].module.b.`), empty at the root.
pub(super) fn module_prefix(address: &str, mode: Mode, rtype: &str) -> String {
    let marker = match mode {
        Mode::Data => format!("data.{rtype}."),
        Mode::Managed => format!("{rtype}."),
    };
    match address.rfind(&marker) {
        Some(i) if i == 0 || address[..i].ends_with('.') => address[..i].to_string(),
        _ => String::new(),
    }
}

/// `module.logs["a"].module.x` → `["logs", "x"]` (instance keys dropped).
pub(super) fn module_names(prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = prefix.trim_end_matches('.');
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(after[..end].to_string());
        rest = &after[end..];
        if let Some(i) = rest.find("].") {
            rest = &rest[i + 2..];
        } else if rest.starts_with('[') {
            rest = "";
        } else {
            rest = rest.trim_start_matches('.');
        }
    }
    names
}

/// The configuration blocks of resources, by module path and address, built once.
pub(super) struct ConfigIndex<'a> {
    blocks: HashMap<(Vec<String>, String), &'a Node>,
}

impl<'a> ConfigIndex<'a> {
    pub(super) fn new(root: Option<&'a Node>) -> Self {
        let mut blocks = HashMap::new();
        let mut stack: Vec<(Vec<String>, &Node)> =
            root.map(|r| (Vec::new(), r)).into_iter().collect();
        while let Some((path, module)) = stack.pop() {
            if let Some(Kind::Array(resources)) = module.get("resources").map(|r| &r.kind) {
                for r in resources {
                    if let Some(address) = text(r.get("address")) {
                        blocks.insert((path.clone(), address.to_string()), r);
                    }
                }
            }
            if let Some(calls) = module.get("module_calls").and_then(|c| c.as_object()) {
                for call in calls {
                    if let Some(m) = call.value.get("module") {
                        let mut p = path.clone();
                        p.push(call.key.clone());
                        stack.push((p, m));
                    }
                }
            }
        }
        ConfigIndex { blocks }
    }

    /// The configuration block of a resource (module calls followed by name).
    fn get(&self, prefix: &str, mode: Mode, rtype: &str, name: &str) -> Option<&'a Node> {
        let want = match mode {
            Mode::Data => format!("data.{rtype}.{name}"),
            Mode::Managed => format!("{rtype}.{name}"),
        };
        self.blocks.get(&(module_names(prefix), want)).copied()
    }
}

/// Attributes whose value names another resource: the bucket, key or policy document the
/// model links on.
pub(super) const LINK_ATTRIBUTES: &[&str] = &[
    "bucket",
    "policy",
    "kms_master_key_id",
    "key_id",
    "target_key_id",
];

/// The reference a configuration expression is, when it is nothing but that reference
/// (`bucket = aws_s3_bucket.b.id`: references `aws_s3_bucket.b.id` and `aws_s3_bucket.b`)
/// and the attribute names another resource. The configuration only lists what an expression
/// refers to: `jsonencode({Resource = [aws_s3_bucket.b.arn]})` refers to the bucket's ARN
/// too, but is not its value, so a policy is only taken for the `json` of a policy document
/// (or another resource's `policy`).
pub(super) fn link_reference(expr: Option<&Node>, attr: &str) -> Option<String> {
    if !LINK_ATTRIBUTES.contains(&attr) {
        return None;
    }
    let Kind::Array(refs) = &expr?.get("references")?.kind else {
        return None;
    };
    let refs: Vec<&str> = refs.iter().filter_map(|r| text(Some(r))).collect();
    let longest = *refs.iter().max_by_key(|r| r.len())?;
    if ["each.", "count.", "self."]
        .iter()
        .any(|p| longest.starts_with(p))
    {
        return None;
    }
    let one = refs.iter().all(|r| {
        longest
            .strip_prefix(r)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    });
    if !one {
        return None;
    }
    if attr == "policy" {
        let last = longest.rsplit('.').next().unwrap_or_default();
        if !matches!(last, "json" | "minified_json" | "policy") {
            return None;
        }
    }
    Some(longest.to_string())
}

/// Whether a configuration expression is one attribute's (`{"references": …}`,
/// `{"constant_value": …}`) rather than a nested block's map of expressions.
pub(super) fn is_leaf_expr(expr: &Node) -> bool {
    expr.get("references").is_some() || expr.get("constant_value").is_some()
}

/// The configuration expression of attribute or nested block `key` within a block's map.
pub(super) fn child_expr<'a>(expr: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    expr.filter(|e| !is_leaf_expr(e))?.get(key)
}

/// The expressions of block `i` of `len` nested blocks (Terraform lists each block of the
/// configuration; `dynamic` blocks are left out, so counts that differ match nothing).
pub(super) fn item_expr(expr: Option<&Node>, i: usize, len: usize) -> Option<&Node> {
    match &expr?.kind {
        Kind::Array(items) if items.len() == len => items.get(i),
        _ => None,
    }
}

/// What a change does to its resource, from its `actions`.
fn lifecycle_of(change: &Node) -> Lifecycle {
    lifecycle_of_actions(change.get("actions"))
}

/// What a change does to its resource, from its `actions` member.
fn lifecycle_of_actions(actions: Option<&Node>) -> Lifecycle {
    let actions: Vec<&str> = match actions.map(|a| &a.kind) {
        Some(Kind::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        _ => Vec::new(),
    };
    match actions.as_slice() {
        ["delete"] => Lifecycle::Deleted,
        a if a.contains(&"create") => Lifecycle::Created,
        _ => Lifecycle::Existing,
    }
}

/// Whether a member of a resource change entry is kept as the entry is read
/// ([`crate::located_json::Keep`]): [`from_change`] never reads the sensitivity maps, nor
/// `before` when the `actions` read before it say the change deletes nothing, and the model
/// never reads a resource's tags. [`drop_unread_change_members`] settles what this cannot
/// (a `before` read before the `actions`).
pub(super) fn keep_change_member(
    depth: usize,
    key: Option<&str>,
    before: &[Member],
    member: &Member,
) -> bool {
    match (depth, key, member.key.as_str()) {
        (1, Some("change"), "before_sensitive" | "after_sensitive") => false,
        (1, Some("change"), "before") => match before.iter().find(|m| m.key == "actions") {
            Some(actions) => lifecycle_of_actions(Some(&actions.value)) == Lifecycle::Deleted,
            None => true,
        },
        (2, Some("before" | "after" | "after_unknown"), "tags" | "tags_all") => false,
        _ => true,
    }
}

/// Whether a member of a configuration resource entry is kept as the entry is read
/// ([`crate::located_json::Keep`]): [`ConfigIndex`] reads a block's address, mode, type,
/// name and expressions, never its provider, schema version, meta-arguments' expressions or
/// dependencies (a plan's configuration holds an entry for each resource read).
pub(super) fn keep_config_member(
    depth: usize,
    _: Option<&str>,
    _: &[Member],
    member: &Member,
) -> bool {
    depth != 0
        || !matches!(
            member.key.as_str(),
            "provider_config_key"
                | "schema_version"
                | "count_expression"
                | "for_each_expression"
                | "depends_on"
        )
}

/// Drops the members of a resource change entry's `change` that [`from_change`] never
/// reads: the sensitivity maps, and `before` unless the change deletes the resource. A
/// plan's changes are most of its memory, and `before` is often as large as `after`.
pub(super) fn drop_unread_change_members(entry: &mut Node) {
    let Kind::Object(members) = &mut entry.kind else {
        return;
    };
    let Some(change) = members.iter_mut().find(|m| m.key == "change") else {
        return;
    };
    let deleted = lifecycle_of(&change.value) == Lifecycle::Deleted;
    if let Kind::Object(parts) = &mut change.value.kind {
        parts.retain(|m| match m.key.as_str() {
            "before" => deleted,
            "before_sensitive" | "after_sensitive" => false,
            _ => true,
        });
    }
}

/// The resource a resource change entry describes. Its values are moved out of `rc`, not
/// copied (a plan's changes are most of its memory).
pub(super) fn from_change(rc: &mut Node, config: &ConfigIndex) -> Option<Resource> {
    let address = text(rc.get("address"))?.to_string();
    let rtype = text(rc.get("type"))?.to_string();
    let name = text(rc.get("name")).unwrap_or_default().to_string();
    let mode = mode_of(rc);
    let span = rc.span;
    let header = rc.get("address").map_or(span, |a| a.span);
    let module_address = text(rc.get("module_address")).map(str::to_string);
    let change = member_mut(rc, &["change"])?;
    let lifecycle = lifecycle_of(change);
    let prefix = module_address
        .map(|m| format!("{m}."))
        .unwrap_or_else(|| module_prefix(&address, mode, &rtype));
    let cfg = config.get(&prefix, mode, &rtype, &name);
    let exprs = cfg.and_then(|c| c.get("expressions"));
    // A deleted resource keeps the values it had.
    let after = if lifecycle == Lifecycle::Deleted {
        take_member(change, "before")
    } else {
        take_member(change, "after")
    };
    let unknown = match lifecycle {
        Lifecycle::Deleted => None,
        _ => change.get("after_unknown"),
    };
    let after = after.filter(|a| !matches!(a.kind, Kind::Null));
    let leaf = Leaf {
        address: &address,
        prefix: &prefix,
    };
    let after_span = after.as_ref().map(|a| a.span);
    let mut members: Vec<Member> = Vec::new();
    if let Some(Kind::Object(attrs)) = after.map(|a| a.kind) {
        // Sized once: a plan's resources hold most of what a large plan keeps.
        members.reserve_exact(attrs.len());
        for m in attrs {
            if !configured(&rtype, cfg, &m.key) {
                continue;
            }
            let value = merge(
                Some(m.value),
                unknown.and_then(|u| u.get(&m.key)),
                child_expr(exprs, &m.key),
                &m.key,
                &m.key,
                &leaf,
            );
            members.push(Member {
                key: m.key,
                key_span: m.key_span,
                value,
            });
        }
    }
    if let Some(Kind::Object(unknowns)) = unknown.map(|u| &u.kind) {
        for m in unknowns {
            if members.iter().any(|x| x.key == m.key) {
                continue;
            }
            // An attribute the configuration does not set is computed by the provider
            // (`arn`, `id`, a bucket's legacy `policy`): not something the user wrote.
            if cfg.is_some() && child_expr(exprs, &m.key).is_none() {
                continue;
            }
            if matches!(m.value.kind, Kind::Bool(true)) {
                members.push(Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: leaf.unknown(&m.key, &m.key, child_expr(exprs, &m.key), m.value.span),
                });
            }
        }
    }
    members.shrink_to_fit();
    let attributes = Node::new(Kind::Object(members), after_span.unwrap_or(span));
    Some(Resource {
        mode,
        rtype,
        header,
        address,
        module: prefix,
        attributes,
        span,
        lifecycle,
    })
}

/// The legacy inline arguments of `aws_s3_bucket` are also computed: a plan fills them from
/// the bucket's actual state (the policy an `aws_s3_bucket_policy` set, the owner's ACL
/// grant). They count only when the configuration sets them.
pub(super) const BUCKET_LEGACY: &[&str] = &[
    "policy",
    "acl",
    "grant",
    "server_side_encryption_configuration",
];

pub(super) fn configured(rtype: &str, cfg: Option<&Node>, attr: &str) -> bool {
    if rtype != "aws_s3_bucket" || !BUCKET_LEGACY.contains(&attr) {
        return true;
    }
    match cfg {
        Some(c) => c.get("expressions").and_then(|e| e.get(attr)).is_some(),
        None => true,
    }
}

/// The resource whose values are being merged, for naming what is unknown.
pub(super) struct Leaf<'a> {
    address: &'a str,
    prefix: &'a str,
}

impl Leaf<'_> {
    /// A value known only after apply at `path` (attribute `key`): when the configuration
    /// says it is another resource's attribute, a string hole named after that attribute
    /// (what the HCL front end leaves for the same reference), else a hole named after
    /// itself.
    fn unknown(&self, path: &str, key: &str, expr: Option<&Node>, span: Span) -> Node {
        let (address, prefix) = (self.address, self.prefix);
        match link_reference(expr, key) {
            Some(r) => Node::new(
                Kind::Str(PString::hole(Hole::unknown(
                    format!("{prefix}{r}"),
                    format!("{address}.{path} is known only after apply (from {r})"),
                ))),
                span,
            ),
            None => Node::new(
                Kind::Unknown(Hole::unknown(
                    format!("{address}.{path}"),
                    format!("{address}.{path} is known only after apply"),
                )),
                span,
            ),
        }
    }
}

/// `after` with the leaves `after_unknown` marks replaced by unknowns. `expr` is the
/// configuration expression of the value (a nested block's map of expressions, or a list of
/// them), `key` the attribute or block it is under.
pub(super) fn merge(
    after: Option<Node>,
    unknown: Option<&Node>,
    expr: Option<&Node>,
    path: &str,
    key: &str,
    leaf: &Leaf,
) -> Node {
    let span = after.as_ref().map_or_else(
        || unknown.map_or(Span::new(FileId(0), 0, 0), |u| u.span),
        |a| a.span,
    );
    if let Some(u) = unknown
        && matches!(u.kind, Kind::Bool(true))
    {
        return leaf.unknown(path, key, expr, span);
    }
    let Some(after) = after else {
        return Node::new(Kind::Null, span);
    };
    match (after.kind, unknown.map(|u| &u.kind)) {
        (Kind::Object(members), Some(Kind::Object(unknowns))) => {
            let mut out: Vec<Member> = members
                .into_iter()
                .map(|m| Member {
                    value: merge(
                        Some(m.value),
                        unknown.and_then(|u| u.get(&m.key)),
                        child_expr(expr, &m.key),
                        &format!("{path}.{}", m.key),
                        &m.key,
                        leaf,
                    ),
                    key: m.key,
                    key_span: m.key_span,
                })
                .collect();
            for m in unknowns {
                if !out.iter().any(|x| x.key == m.key) && matches!(m.value.kind, Kind::Bool(true)) {
                    out.push(Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: leaf.unknown(
                            &format!("{path}.{}", m.key),
                            &m.key,
                            child_expr(expr, &m.key),
                            m.value.span,
                        ),
                    });
                }
            }
            Node::new(Kind::Object(out), span)
        }
        (Kind::Array(items), Some(Kind::Array(unknowns))) => {
            let len = items.len().max(unknowns.len());
            let given = items.len();
            let mut out: Vec<Node> = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    merge(
                        Some(item),
                        unknowns.get(i),
                        item_expr(expr, i, len),
                        &format!("{path}.{i}"),
                        key,
                        leaf,
                    )
                })
                .collect();
            for (i, u) in unknowns.iter().enumerate().skip(given) {
                if matches!(u.kind, Kind::Bool(true)) {
                    // An element of a list (not a nested block) names no reference of its own.
                    out.push(leaf.unknown(&format!("{path}.{i}"), key, None, u.span));
                }
            }
            Node::new(Kind::Array(out), span)
        }
        (kind, _) => Node { kind, ..after },
    }
}

/// Takes the member `key` out of object `node` (the first one of that name).
pub(super) fn take_member(node: &mut Node, key: &str) -> Option<Node> {
    let Kind::Object(members) = &mut node.kind else {
        return None;
    };
    let i = members.iter().position(|m| m.key == key)?;
    Some(members.remove(i).value)
}

/// The member at `path` (keys of nested objects, the first of each name), for changing.
pub(super) fn member_mut<'n>(node: &'n mut Node, path: &[&str]) -> Option<&'n mut Node> {
    let mut at = node;
    for key in path {
        let Kind::Object(members) = &mut at.kind else {
            return None;
        };
        at = &mut members.iter_mut().find(|m| m.key == *key)?.value;
    }
    Some(at)
}

/// Resources of `planned_values` / `prior_state.values` modules, recursively. Each
/// resource's `values` are moved into the resource (the module is left without them).
pub(super) fn module_values(
    module: &mut Node,
    lifecycle: Lifecycle,
    sink: &mut dyn FnMut(Resource),
) {
    let mut stack = vec![module];
    while let Some(m) = stack.pop() {
        let Kind::Object(members) = &mut m.kind else {
            continue;
        };
        let (mut resources, mut children) = (None, None);
        for member in members.iter_mut() {
            let Kind::Array(items) = &mut member.value.kind else {
                continue;
            };
            if member.key == "resources" && resources.is_none() {
                resources = Some(items);
            } else if member.key == "child_modules" && children.is_none() {
                children = Some(items);
            }
        }
        for r in resources.into_iter().flatten() {
            let (Some(address), Some(rtype)) = (text(r.get("address")), text(r.get("type"))) else {
                continue;
            };
            let (address, rtype) = (address.to_string(), rtype.to_string());
            let mode = mode_of(r);
            let header = r.get("address").map_or(r.span, |a| a.span);
            let span = r.span;
            let attributes = member_mut(r, &["values"])
                .map(|v| std::mem::replace(v, Node::new(Kind::Null, span)))
                .unwrap_or_else(|| Node::new(Kind::Object(Vec::new()), span));
            sink(Resource {
                mode,
                module: module_prefix(&address, mode, &rtype),
                rtype,
                address,
                attributes,
                span,
                header,
                lifecycle,
            });
        }
        if let Some(children) = children {
            stack.extend(children.iter_mut().rev());
        }
    }
}
