//! A bucket's encryption, ownership and `AccessControl`, read once per outcome of the undecided
//! conditions they depend on.

use super::*;

/// How many distinct undecided conditions of one bucket's properties are tried both ways
/// (2^n variants); `Fn::If`s on further conditions stay unknown values.
const MAX_SETTING_CONDITIONS: usize = 4;

/// Encryption, ownership and `AccessControl` of one bucket, named `name`. Properties chosen by undecided
/// `Fn::If`s are read once per outcome of their conditions (the same condition takes the
/// same branch everywhere), and each distinct setting is kept: a bucket whose key is
/// `!If [UseCmk, !GetAtt DataKey.Arn, !Ref AWS::NoValue]` is checked against `DataKey`,
/// the key it uses whenever the condition makes it exist.
pub(super) fn bucket_settings(inv: &mut Inventory, r: &Resource, name: &PString, attrs: &Node) {
    let mut names = Vec::new();
    undecided_conditions(attrs, &mut names);
    if names.is_empty() {
        settings_of(inv, r, name, attrs);
        return;
    }
    let from = (inv.encryptions.len(), inv.ownerships.len(), inv.acls.len());
    for outcome in 0..1u32 << names.len() {
        let chosen: Vec<(&str, bool)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), outcome & (1 << i) == 0))
            .collect();
        if let Some(variant) = choose(attrs, &chosen) {
            settings_of(inv, r, name, &variant);
        }
    }
    dedup_from(&mut inv.encryptions, from.0);
    dedup_from(&mut inv.ownerships, from.1);
    dedup_from(&mut inv.acls, from.2);
}

/// The names of the conditions of undecided `Fn::If`s in `node`, at most
/// [`MAX_SETTING_CONDITIONS`].
fn undecided_conditions(node: &Node, names: &mut Vec<String>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(cond) = as_if(n)
            && !names.contains(&cond.name)
        {
            if names.len() == MAX_SETTING_CONDITIONS {
                return;
            }
            names.push(cond.name);
        }
        match &n.kind {
            Kind::Array(items) => stack.extend(items.iter().rev()),
            Kind::Object(members) => stack.extend(members.iter().rev().map(|m| &m.value)),
            _ => {}
        }
    }
}

/// `node` with each undecided `Fn::If` on a `chosen` condition replaced by its branch (`None`:
/// `AWS::NoValue`, the value is removed); other `Fn::If`s become unknown values.
pub(super) fn choose(node: &Node, chosen: &[(&str, bool)]) -> Option<Node> {
    if let Some(cond) = as_if(node) {
        return match chosen.iter().find(|(n, _)| *n == cond.name) {
            Some((_, true)) => choose(cond.when_true, chosen),
            Some((_, false)) => choose(cond.when_false, chosen),
            None => Some(ifs_to_unknown(node)),
        };
    }
    if is_no_value(node) {
        return None;
    }
    let kind = match &node.kind {
        Kind::Array(items) => Kind::Array(items.iter().filter_map(|i| choose(i, chosen)).collect()),
        Kind::Object(members) => Kind::Object(
            members
                .iter()
                .filter_map(|m| {
                    choose(&m.value, chosen).map(|value| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value,
                    })
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Some(Node::new(kind, node.span))
}

/// Removes the entries from `from` on that repeat an earlier one of them.
pub(super) fn dedup_from<T: PartialEq>(items: &mut Vec<T>, from: usize) {
    let tail = items.split_off(from);
    for item in tail {
        if !items[from..].contains(&item) {
            items.push(item);
        }
    }
}

/// Encryption, ownership and `AccessControl` as written in one variant of the properties.
fn settings_of(inv: &mut Inventory, r: &Resource, name: &PString, attrs: &Node) {
    let index = inv.bucket_of_resource(&r.address);
    let name = name.clone();
    if let Kind::Unknown(hole) = &attrs.kind {
        // Properties not known statically: the ownership setting is unknown, never absent
        // (an absent one would read as "no setting", CP304).
        inv.ownerships.push(Ownership {
            bucket: index,
            bucket_expr: name,
            resource: r.address.clone(),
            span: attrs.span,
            setting: PString::hole(hole.clone()),
        });
        return;
    }
    let encryption = attrs
        .get("BucketEncryption")
        .and_then(|e| e.get("ServerSideEncryptionConfiguration"));
    for rule in list(encryption) {
        let Some(default) = rule.get("ServerSideEncryptionByDefault") else {
            continue;
        };
        let algorithm = pstr(default.get("SSEAlgorithm")).unwrap_or_default();
        let key_node = default.get("KMSMasterKeyID");
        let key = inv.key_ref(&algorithm, pstr(key_node).as_ref());
        inv.encryptions.push(Encryption {
            bucket: index,
            bucket_expr: name.clone(),
            resource: r.address.clone(),
            span: key_node
                .or(default.get("SSEAlgorithm"))
                .map_or(rule.span, |n| n.span),
            algorithm,
            key,
            bucket_key: matches!(
                rule.get("BucketKeyEnabled").map(|n| &n.kind),
                Some(Kind::Bool(true))
            ) || pstr(rule.get("BucketKeyEnabled"))
                .is_some_and(|s| s.as_known() == Some("true")),
        });
    }
    let rules = attrs.get("OwnershipControls").and_then(|o| o.get("Rules"));
    for rule in list(rules) {
        let Some(setting) = rule.get("ObjectOwnership") else {
            continue;
        };
        let Some(value) = pstr(Some(setting)) else {
            continue;
        };
        inv.ownerships.push(Ownership {
            bucket: index,
            bucket_expr: name.clone(),
            resource: r.address.clone(),
            span: setting.span,
            setting: value,
        });
    }
    if let Some(acl) = attrs.get("AccessControl")
        && let Some(value) = pstr(Some(acl))
        && value.as_known() != Some("Private")
    {
        inv.acls.push(Acl {
            bucket: index,
            bucket_expr: name,
            resource: r.address.clone(),
            span: acl.span,
            what: format!("AccessControl: {value}"),
        });
    }
}
