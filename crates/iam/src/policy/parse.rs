//! From a located JSON-shaped value to a [`Policy`], with what AWS would reject reported as
//! [`PolicyError`]s (rule CP901). Parsing goes on past errors so that one bad statement does
//! not hide the verdicts on the others.

use super::ast::*;
use crate::source::Span;
use crate::value::{Hole, Kind, Member, Node, PString};

/// Something AWS would reject in a policy document, at the element that is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyError {
    /// The offending element.
    pub span: Span,
    /// What is wrong and what AWS expects instead.
    pub message: String,
}

const POLICY_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Parses `doc` as a policy of `kind`. Returns the policy (its valid statements) when the
/// document is an object at all, and every problem found.
pub fn parse_policy(doc: &Node, kind: PolicyKind) -> (Option<Policy>, Vec<PolicyError>) {
    let mut p = Parser {
        errors: Vec::new(),
        kind,
    };
    let policy = p.policy(doc);
    (policy, p.errors)
}

struct Parser {
    errors: Vec<PolicyError>,
    kind: PolicyKind,
}

impl Parser {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(PolicyError {
            span,
            message: message.into(),
        });
    }

    /// Members of an object, reporting duplicate and unknown keys. Also returns the allowed
    /// names that an unknown key was taken for a misspelling of (so that the element is not
    /// reported missing a second time).
    fn members<'a>(
        &mut self,
        node: &'a Node,
        allowed: &[&'static str],
        what: &str,
    ) -> (&'a [Member], Vec<&'static str>) {
        let members = node.as_object().unwrap_or(&[]);
        let mut hinted = Vec::new();
        for (i, m) in members.iter().enumerate() {
            if members[..i].iter().any(|prev| prev.key == m.key) {
                self.error(
                    m.key_span,
                    format!(
                        "duplicate element `{}` in {what}: AWS rejects the document; each element may appear only once",
                        m.key
                    ),
                );
            }
            if !allowed.contains(&m.key.as_str()) {
                let suggestion = closest(allowed, &m.key, 2);
                if let Some(a) = suggestion {
                    hinted.push(a);
                }
                let hint = suggestion
                    .map(|a| format!(" (did you mean `{a}`?)"))
                    .unwrap_or_default();
                self.error(
                    m.key_span,
                    format!(
                        "unknown element `{}` in {what}{hint}; AWS expects only {}",
                        m.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
        (members, hinted)
    }

    fn policy(&mut self, doc: &Node) -> Option<Policy> {
        if let Kind::Str(s) = &doc.kind
            && s.is_known()
        {
            self.error(
                doc.span,
                "expected a policy document (a JSON object), found a string",
            );
            return None;
        }
        if doc.as_object().is_none() {
            self.error(
                doc.span,
                format!(
                    "expected a policy document (a JSON object), found {}",
                    doc.shape()
                ),
            );
            return None;
        }
        let (members, hinted) = self.members(doc, POLICY_KEYS, "the policy");
        let mut version = None;
        let mut statements_node = None;
        for m in members {
            match m.key.as_str() {
                "Version" => version = self.version(&m.value),
                "Statement" => statements_node = Some(&m.value),
                "Id" if !matches!(m.value.kind, Kind::Str(_) | Kind::Unknown(_)) => {
                    self.error(
                        m.value.span,
                        format!("`Id` must be a string, found {}", m.value.shape()),
                    );
                }
                _ => {}
            }
        }
        let variables_enabled = version
            .as_ref()
            .is_some_and(|v: &Located<String>| v.value == "2012-10-17");
        let mut statements = Vec::new();
        let mut unknown_statements = Vec::new();
        match statements_node {
            // A misspelt `Statement` was reported already.
            None if hinted.contains(&"Statement") => {}
            None => self.error(
                doc.span,
                "the policy has no `Statement` element; AWS expects `\"Statement\": [ … ]` with at least one statement",
            ),
            Some(node) => {
                let items: Vec<&Node> = match &node.kind {
                    Kind::Array(items) => items.iter().collect(),
                    Kind::Object(_) => vec![node],
                    Kind::Unknown(h) => {
                        unknown_statements.push(Located::new(h.clone(), node.span));
                        vec![]
                    }
                    _ => {
                        self.error(
                            node.span,
                            format!(
                                "`Statement` must be an object or a list of objects, found {}",
                                node.shape()
                            ),
                        );
                        vec![]
                    }
                };
                if items.is_empty() && matches!(node.kind, Kind::Array(_)) {
                    self.error(
                        node.span,
                        "`Statement` is an empty list; AWS expects at least one statement",
                    );
                }
                for (index, item) in items.into_iter().enumerate() {
                    if let Kind::Unknown(h) = &item.kind {
                        unknown_statements.push(Located::new(h.clone(), item.span));
                    }
                    statements.extend(self.statement(item, index));
                }
            }
        }
        Some(Policy {
            version,
            variables_enabled,
            statements,
            unknown_statements,
            span: doc.span,
        })
    }

    fn version(&mut self, node: &Node) -> Option<Located<String>> {
        let text = node.as_pstr().and_then(|s| s.as_known());
        match text {
            Some(v @ ("2012-10-17" | "2008-10-17")) => Some(Located::new(v.to_string(), node.span)),
            Some(other) => {
                self.error(
                    node.span,
                    format!("`Version` must be \"2012-10-17\" (or the old \"2008-10-17\"), found \"{other}\""),
                );
                None
            }
            None if matches!(node.kind, Kind::Unknown(_)) => None,
            None => {
                self.error(
                    node.span,
                    format!("`Version` must be a string, found {}", node.shape()),
                );
                None
            }
        }
    }

    /// One statement; a statement whose `Effect` is known only after apply becomes an Allow
    /// and a Deny, each guarded by that unknown, so that it "may" apply either way.
    fn statement(&mut self, node: &Node, index: usize) -> Vec<Statement> {
        if node.as_object().is_none() {
            if !matches!(node.kind, Kind::Unknown(_)) {
                self.error(
                    node.span,
                    format!("a statement must be an object, found {}", node.shape()),
                );
            }
            return Vec::new();
        }
        let mut unknown_effect = None;
        let Some(st) = self.statement_of(node, index, &mut unknown_effect) else {
            return Vec::new();
        };
        match unknown_effect {
            None => vec![st],
            Some((hole, span)) => [Effect::Allow, Effect::Deny]
                .into_iter()
                .map(|effect| {
                    let mut variant = st.clone();
                    variant.effect = Located::new(effect, span);
                    variant.conditions.push(guard(hole.clone(), span));
                    variant
                })
                .collect(),
        }
    }

    fn statement_of(
        &mut self,
        node: &Node,
        index: usize,
        unknown_effect: &mut Option<(Hole, Span)>,
    ) -> Option<Statement> {
        let errors_before = self.errors.len();
        let (members, hinted) = self.members(node, STATEMENT_KEYS, "a statement");
        let get = |key: &str| members.iter().find(|m| m.key == key);

        let sid = get("Sid").and_then(|m| match m.value.as_pstr() {
            Some(s) => Some(Located::new(s.to_string(), m.value.span)),
            None => {
                self.error(
                    m.value.span,
                    format!("`Sid` must be a string, found {}", m.value.shape()),
                );
                None
            }
        });

        let effect = match get("Effect") {
            None if hinted.contains(&"Effect") => None,
            None => {
                self.error(
                    node.span,
                    "the statement has no `Effect`; it must be \"Allow\" or \"Deny\"",
                );
                None
            }
            Some(m) => match m.value.as_pstr().and_then(|s| s.as_known()) {
                Some("Allow") => Some(Located::new(Effect::Allow, m.value.span)),
                Some("Deny") => Some(Located::new(Effect::Deny, m.value.span)),
                Some(other) => {
                    self.error(
                        m.value.span,
                        format!("`Effect` must be \"Allow\" or \"Deny\" (case-sensitive), found \"{other}\""),
                    );
                    None
                }
                None => match unknown_of(&m.value) {
                    Some(hole) => {
                        *unknown_effect = Some((hole, m.value.span));
                        // A placeholder: the caller makes an Allow and a Deny of it.
                        Some(Located::new(Effect::Deny, m.value.span))
                    }
                    None => {
                        self.error(
                            m.value.span,
                            format!("`Effect` must be a string, found {}", m.value.shape()),
                        );
                        None
                    }
                },
            },
        };

        let misspelt = |name: &str| hinted.iter().any(|h| h.ends_with(name));
        let action = self.pair(
            node,
            get("Action"),
            get("NotAction"),
            "Action",
            !misspelt("Action"),
        );
        let resource = self.pair(
            node,
            get("Resource"),
            get("NotResource"),
            "Resource",
            self.kind != PolicyKind::Key && !misspelt("Resource"),
        );
        let principal = self.principal(
            node,
            get("Principal"),
            get("NotPrincipal"),
            misspelt("Principal"),
        );
        if let (Some(p), Some(e)) = (&principal, &effect)
            && p.negated
            && e.value == Effect::Allow
        {
            self.error(
                    p.span,
                    "`NotPrincipal` with \"Effect\": \"Allow\" is not supported by AWS; name the principals to allow with `Principal`",
                );
        }
        if let Some(action) = &action {
            for item in &action.items {
                self.check_action(item);
            }
        }
        if let Some(resource) = &resource {
            for item in &resource.items {
                self.check_resource(item);
            }
        }
        let conditions = match get("Condition") {
            Some(m) => self.conditions(&m.value),
            None => Vec::new(),
        };
        if self.errors.len() > errors_before {
            // AWS rejects the whole document; evaluating a half-understood statement would
            // only guess.
            return None;
        }
        Some(Statement {
            index,
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            conditions,
            span: node.span,
        })
    }

    /// `Action`/`NotAction` or `Resource`/`NotResource`: exactly one of them.
    fn pair(
        &mut self,
        stmt: &Node,
        pos: Option<&Member>,
        neg: Option<&Member>,
        name: &str,
        required: bool,
    ) -> Option<Element> {
        match (pos, neg) {
            (Some(_), Some(n)) => {
                self.error(
                    n.key_span,
                    format!(
                        "the statement has both `{name}` and `Not{name}`; AWS expects exactly one of them"
                    ),
                );
                None
            }
            (None, None) => {
                if required {
                    let example = if name == "Action" {
                        "\"Action\": \"s3:GetObject\""
                    } else {
                        "\"Resource\": \"arn:aws:s3:::BUCKET/*\""
                    };
                    let whose = match self.kind {
                        PolicyKind::Bucket => "a bucket-policy statement",
                        PolicyKind::Key => "a key-policy statement",
                        PolicyKind::Generic => "every statement",
                    };
                    self.error(
                        stmt.span,
                        format!(
                            "the statement has neither `{name}` nor `Not{name}`; AWS requires one of them in {whose} (for example {example})"
                        ),
                    );
                }
                None
            }
            (Some(m), None) | (None, Some(m)) => {
                let negated = m.key.starts_with("Not");
                let items = self.string_list(&m.value, &m.key)?;
                if items.is_empty() {
                    let what = if name == "Action" {
                        "action"
                    } else {
                        "resource ARN"
                    };
                    self.error(
                        m.value.span,
                        format!(
                            "`{}` is an empty list; AWS expects at least one {what}",
                            m.key
                        ),
                    );
                    return None;
                }
                Some(Element {
                    negated,
                    items,
                    span: m.value.span,
                })
            }
        }
    }

    /// A string or a list of strings (unknown values become unknown strings).
    fn string_list(&mut self, node: &Node, what: &str) -> Option<Vec<Located<PString>>> {
        let mut out = Vec::new();
        let singles: Vec<&Node> = match &node.kind {
            Kind::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        for item in singles {
            match &item.kind {
                Kind::Str(s) => out.push(Located::new(s.clone(), item.span)),
                Kind::Unknown(h) => out.push(Located::new(PString::hole(h.clone()), item.span)),
                _ => {
                    self.error(
                        item.span,
                        format!(
                            "`{what}` must be a string or a list of strings, found {}",
                            item.shape()
                        ),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn check_action(&mut self, item: &Located<PString>) {
        let Some(text) = item.value.as_known() else {
            return;
        };
        if text == "*" {
            return;
        }
        let ok = text.split_once(':').is_some_and(|(svc, name)| {
            !svc.is_empty()
                && !name.is_empty()
                && svc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !name.contains(':')
        });
        if !ok {
            self.error(
                item.span,
                format!("action \"{text}\" is not of the form `service:ActionName` (for example \"s3:GetObject\")"),
            );
        }
    }

    fn check_resource(&mut self, item: &Located<PString>) {
        let s = &item.value;
        if s.as_known() == Some("*") {
            return;
        }
        let prefix = s.known_prefix();
        let complete = s.is_known();
        if !"arn:".starts_with(prefix) && !prefix.starts_with("arn:") {
            self.error(
                item.span,
                format!("resource \"{s}\" is not an ARN (`arn:partition:service:region:account:resource`) or \"*\""),
            );
            return;
        }
        if complete {
            let text = s.as_known().unwrap_or_default();
            let parts: Vec<&str> = text.splitn(6, ':').collect();
            if parts.len() < 6 {
                self.error(
                    item.span,
                    format!(
                        "resource \"{text}\" is a malformed ARN: AWS expects six `:`-separated parts, `arn:partition:service:region:account:resource` (for example \"arn:aws:s3:::BUCKET/*\")"
                    ),
                );
            } else if parts[2].contains(['*', '?']) || parts[2].is_empty() {
                self.error(
                    item.span,
                    format!(
                        "resource \"{text}\": the service part of an ARN cannot be empty or hold wildcards; AWS expects a service name such as `s3` or `kms`"
                    ),
                );
            }
        }
    }

    fn principal(
        &mut self,
        stmt: &Node,
        pos: Option<&Member>,
        neg: Option<&Member>,
        misspelt: bool,
    ) -> Option<PrincipalElement> {
        let m = match (pos, neg) {
            (Some(_), Some(n)) => {
                self.error(
                    n.key_span,
                    "the statement has both `Principal` and `NotPrincipal`; AWS expects exactly one of them",
                );
                return None;
            }
            (None, None) => {
                if self.kind != PolicyKind::Generic && !misspelt {
                    let what = if self.kind == PolicyKind::Key {
                        "a key policy"
                    } else {
                        "a bucket policy"
                    };
                    self.error(
                        stmt.span,
                        format!(
                            "the statement has no `Principal`; AWS requires one in {what} (for example \"Principal\": {{\"AWS\": \"arn:aws:iam::111122223333:root\"}}, or \"*\")"
                        ),
                    );
                }
                return None;
            }
            (Some(m), None) | (None, Some(m)) => m,
        };
        let negated = m.key == "NotPrincipal";
        let mut entries = Vec::new();
        match &m.value.kind {
            Kind::Str(s) if s.as_known() == Some("*") => entries.push(PrincipalEntry {
                kind: PrincipalKind::Everyone,
                value: Located::new(s.clone(), m.value.span),
            }),
            Kind::Object(members) => {
                for pm in members {
                    let kind = match pm.key.as_str() {
                        "AWS" => PrincipalKind::Aws,
                        "Service" => PrincipalKind::Service,
                        "Federated" => PrincipalKind::Federated,
                        "CanonicalUser" => PrincipalKind::CanonicalUser,
                        other => {
                            self.error(
                                pm.key_span,
                                format!("unknown principal type `{other}`; AWS expects AWS, Service, Federated or CanonicalUser"),
                            );
                            continue;
                        }
                    };
                    let Some(values) = self.string_list(&pm.value, &pm.key) else {
                        continue;
                    };
                    for v in values {
                        if kind == PrincipalKind::Aws {
                            self.check_aws_principal(&v);
                        }
                        entries.push(PrincipalEntry { kind, value: v });
                    }
                }
            }
            Kind::Unknown(h) => entries.push(PrincipalEntry {
                kind: PrincipalKind::Aws,
                value: Located::new(PString::hole(h.clone()), m.value.span),
            }),
            _ => {
                let found = match m.value.as_pstr().and_then(|s| s.as_known()) {
                    Some(text) => format!("\"{text}\""),
                    None => m.value.shape().to_string(),
                };
                self.error(
                    m.value.span,
                    format!(
                        "`{}` must be \"*\" or an object such as {{\"AWS\": \"arn:aws:iam::111122223333:root\"}}, found {found}",
                        m.key,
                    ),
                );
                return None;
            }
        }
        if entries.is_empty()
            && m.value.as_object().is_some_and(|o| {
                o.iter()
                    .all(|pm| matches!(&pm.value.kind, Kind::Array(items) if items.is_empty()))
            })
        {
            self.error(
                m.value.span,
                format!(
                    "`{}` names no principal; AWS expects at least one (for example {{\"AWS\": \"arn:aws:iam::111122223333:root\"}})",
                    m.key
                ),
            );
            return None;
        }
        Some(PrincipalElement {
            negated,
            entries,
            span: m.value.span,
        })
    }

    fn check_aws_principal(&mut self, v: &Located<PString>) {
        let Some(text) = v.value.as_known() else {
            return;
        };
        let is_account = text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit());
        let is_unique_id = text.len() >= 16
            && text.starts_with('A')
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let is_arn = {
            let parts: Vec<&str> = text.splitn(6, ':').collect();
            parts.len() == 6
                && parts[0] == "arn"
                && matches!(parts[2], "iam" | "sts")
                && !parts[5].is_empty()
        };
        if !(text == "*" || is_account || is_unique_id || is_arn) {
            self.error(
                v.span,
                format!(
                    "invalid AWS principal \"{text}\": AWS expects \"*\", a 12-digit account id, or an IAM/STS ARN (`arn:aws:iam::ACCOUNT:role/NAME`)"
                ),
            );
        }
    }

    fn conditions(&mut self, node: &Node) -> Vec<Condition> {
        if let Some(hole) = unknown_of(node) {
            return vec![guard(hole, node.span)];
        }
        let Some(ops) = node.as_object() else {
            if !matches!(node.kind, Kind::Unknown(_)) {
                self.error(
                    node.span,
                    format!("`Condition` must be an object, found {}", node.shape()),
                );
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, om) in ops.iter().enumerate() {
            if ops[..i].iter().any(|prev| prev.key == om.key) {
                self.error(
                    om.key_span,
                    format!("duplicate condition operator `{}`", om.key),
                );
            }
            let Some(operator) = Operator::parse(&om.key) else {
                self.error(om.key_span, unknown_operator_message(&om.key));
                continue;
            };
            if let Some(hole) = unknown_of(&om.value) {
                out.push(guard(hole, om.value.span));
                continue;
            }
            let Some(keys) = om.value.as_object() else {
                self.error(
                    om.value.span,
                    format!(
                        "the `{}` block must be an object of condition keys and values (for example {{\"aws:SourceVpc\": \"vpc-0a1b2c3d\"}}), found {}",
                        om.key,
                        om.value.shape()
                    ),
                );
                continue;
            };
            for km in keys {
                let Some(values) = self.condition_values(&km.value, &om.key, &km.key) else {
                    continue;
                };
                let cond = Condition {
                    operator,
                    operator_span: om.key_span,
                    key: Located::new(km.key.clone(), km.key_span),
                    values,
                    span: km.key_span.to(km.value.span),
                };
                self.check_condition(&cond);
                out.push(cond);
            }
        }
        out
    }

    fn condition_values(
        &mut self,
        node: &Node,
        operator: &str,
        key: &str,
    ) -> Option<Vec<Located<PString>>> {
        let singles: Vec<&Node> = match &node.kind {
            Kind::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        for item in singles {
            let text = match &item.kind {
                Kind::Str(s) => s.clone(),
                Kind::Bool(b) => PString::known(b.to_string()),
                Kind::Number(n) => PString::known(n.clone()),
                Kind::Unknown(h) => PString::hole(h.clone()),
                _ => {
                    self.error(
                        item.span,
                        format!(
                            "the value of `{key}` under `{operator}` is {}; AWS expects a string, number or boolean, or a list of them",
                            item.shape()
                        ),
                    );
                    return None;
                }
            };
            out.push(Located::new(text, item.span));
        }
        if out.is_empty() {
            self.error(
                node.span,
                format!("`{key}` under `{operator}` has no value; AWS expects at least one"),
            );
            return None;
        }
        Some(out)
    }

    fn check_condition(&mut self, cond: &Condition) {
        let name = cond.operator.name();
        for v in &cond.values {
            let Some(text) = v.value.as_known() else {
                continue;
            };
            if !cond.operator.base.allows_variables() && text.contains("${") {
                let literal = match cond.operator.base.comparison() {
                    Comparison::Numeric(_) => "a literal number",
                    Comparison::Date(_) => "a literal date",
                    Comparison::Bool | Comparison::Null => "a literal \"true\" or \"false\"",
                    Comparison::Ip => "a literal IP address or CIDR block",
                    _ => "a literal value",
                };
                self.error(
                    v.span,
                    format!(
                        "`{name}` on `{}` does not allow policy variables, found \"{text}\"; AWS expects {literal}",
                        cond.key.value
                    ),
                );
                continue;
            }
            let bad = match cond.operator.base.comparison() {
                Comparison::Numeric(_) => text.trim().parse::<f64>().is_err().then_some("a number"),
                Comparison::Date(_) => super::decision::parse_date(text)
                    .is_none()
                    .then_some("a date (ISO 8601, e.g. 2024-01-31T00:00:00Z, or epoch seconds)"),
                Comparison::Bool => (!text.eq_ignore_ascii_case("true")
                    && !text.eq_ignore_ascii_case("false"))
                .then_some("\"true\" or \"false\""),
                Comparison::Null => (!text.eq_ignore_ascii_case("true")
                    && !text.eq_ignore_ascii_case("false"))
                .then_some("\"true\" (key absent) or \"false\" (key present)"),
                Comparison::Ip => super::decision::parse_cidr(text)
                    .is_none()
                    .then_some("an IP address or CIDR block (e.g. 203.0.113.0/24)"),
                _ => None,
            };
            if let Some(expected) = bad {
                self.error(
                    v.span,
                    format!(
                        "`{name}` on `{}` expects {expected}, found \"{text}\"",
                        cond.key.value
                    ),
                );
            }
        }
    }
}

/// The allowed name closest to `found` (ignoring case), if within `max` edits.
fn closest(allowed: &[&'static str], found: &str, max: usize) -> Option<&'static str> {
    allowed
        .iter()
        .map(|a| (edit_distance(a, found), *a))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// What is wrong with condition operator `key`, which [`Operator::parse`] rejected, with a
/// "did you mean" hint built from its qualifier, base and `IfExists` suffix.
fn unknown_operator_message(key: &str) -> String {
    const QUALIFIERS: &[&str] = &["ForAnyValue", "ForAllValues"];
    let (qualifier, rest) = match key.split_once(':') {
        Some((q, rest)) => (Some(q), rest),
        None => (None, key),
    };
    let (base, if_exists) = match rest.len().checked_sub(8) {
        Some(i) if rest.is_char_boundary(i) && rest[i..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..i], true)
        }
        _ => (rest, false),
    };
    let names: Vec<&'static str> = OPERATORS.iter().map(|(n, _)| *n).collect();
    let base_is_null = base.eq_ignore_ascii_case("Null");
    if if_exists && base_is_null {
        return format!(
            "`{key}` is not a condition operator: `Null` already tests whether the key is present and takes no `IfExists` suffix; use `Null`"
        );
    }
    let fixed_base = if base.is_empty() {
        None
    } else {
        closest(&names, base, 3)
    };
    let fixed_qualifier = match qualifier {
        None => Some(None),
        Some(q) => closest(QUALIFIERS, q, 3).map(Some),
    };
    let hint = match (fixed_qualifier, fixed_base) {
        (Some(q), Some(b)) => {
            let q = q.map(|q| format!("{q}:")).unwrap_or_default();
            let suffix = if if_exists && b != "Null" {
                "IfExists"
            } else {
                ""
            };
            let suggestion = format!("{q}{b}{suffix}");
            (suggestion != key).then(|| format!(" (did you mean `{suggestion}`?)"))
        }
        _ => None,
    }
    .unwrap_or_default();
    format!(
        "unknown condition operator `{key}`{hint}; AWS expects a String…, Numeric…, Date…, Arn… operator, Bool, BinaryEquals, IpAddress, NotIpAddress or Null, optionally with `IfExists` and a `ForAnyValue:`/`ForAllValues:` prefix"
    )
}

/// The unknown a value is, when it is wholly unknown (an unknown, or a string with an
/// unknown part where a structure or a keyword is expected).
fn unknown_of(node: &Node) -> Option<Hole> {
    match &node.kind {
        Kind::Unknown(h) => Some(h.clone()),
        Kind::Str(s) => s.holes().next().cloned(),
        _ => None,
    }
}

/// A condition that holds or not depending on `hole`: `Null` on a key every request has a
/// known presence of, compared with the unknown, is "depends" whatever the request.
fn guard(hole: Hole, span: Span) -> Condition {
    Condition {
        operator: Operator {
            base: OpBase::Null,
            if_exists: false,
            set: None,
        },
        operator_span: span,
        key: Located::new("aws:SecureTransport".into(), span),
        values: vec![Located::new(PString::hole(hole), span)],
        span,
    }
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
