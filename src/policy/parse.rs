//! From a located JSON-shaped value to a [`Policy`], with what AWS would reject reported as
//! [`PolicyError`]s (rule CP901). Parsing goes on past errors so that one bad statement does
//! not hide the verdicts on the others.

use super::ast::*;
use crate::source::Span;
use crate::value::{Kind, Member, Node, PString};

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

    /// Members of an object, reporting duplicate and unknown keys.
    fn members<'a>(&mut self, node: &'a Node, allowed: &[&str], what: &str) -> &'a [Member] {
        let members = node.as_object().unwrap_or(&[]);
        for (i, m) in members.iter().enumerate() {
            if members[..i].iter().any(|prev| prev.key == m.key) {
                self.error(
                    m.key_span,
                    format!(
                        "duplicate key `{}` in {what}: AWS rejects the document",
                        m.key
                    ),
                );
            }
            if !allowed.contains(&m.key.as_str()) {
                let hint = allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(&m.key) || edit_distance(a, &m.key) <= 2)
                    .map(|a| format!(" (did you mean `{a}`?)"))
                    .unwrap_or_default();
                self.error(
                    m.key_span,
                    format!(
                        "unknown element `{}` in {what}{hint}; expected one of {}",
                        m.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
        members
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
        let members = self.members(doc, POLICY_KEYS, "the policy");
        let mut version = None;
        let mut statements_node = None;
        for m in members {
            match m.key.as_str() {
                "Version" => version = self.version(&m.value),
                "Statement" => statements_node = Some(&m.value),
                "Id" if !matches!(m.value.kind, Kind::Str(_) | Kind::Unknown(_)) => {
                    self.error(m.value.span, "`Id` must be a string");
                }
                _ => {}
            }
        }
        let variables_enabled = version
            .as_ref()
            .is_some_and(|v: &Located<String>| v.value == "2012-10-17");
        let mut statements = Vec::new();
        match statements_node {
            None => self.error(doc.span, "the policy has no `Statement` element"),
            Some(node) => {
                let items: Vec<&Node> = match &node.kind {
                    Kind::Array(items) => items.iter().collect(),
                    Kind::Object(_) => vec![node],
                    Kind::Unknown(_) => vec![],
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
                        "`Statement` is empty: AWS rejects a policy without statements",
                    );
                }
                for (index, item) in items.into_iter().enumerate() {
                    if let Some(st) = self.statement(item, index) {
                        statements.push(st);
                    }
                }
            }
        }
        Some(Policy {
            version,
            variables_enabled,
            statements,
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

    fn statement(&mut self, node: &Node, index: usize) -> Option<Statement> {
        if node.as_object().is_none() {
            if !matches!(node.kind, Kind::Unknown(_)) {
                self.error(
                    node.span,
                    format!("a statement must be an object, found {}", node.shape()),
                );
            }
            return None;
        }
        let errors_before = self.errors.len();
        let members = self.members(node, STATEMENT_KEYS, "a statement");
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
                None => {
                    if !matches!(m.value.kind, Kind::Unknown(_)) && m.value.as_pstr().is_none() {
                        self.error(
                            m.value.span,
                            format!("`Effect` must be a string, found {}", m.value.shape()),
                        );
                    }
                    None
                }
            },
        };

        let action = self.pair(node, get("Action"), get("NotAction"), "Action", true);
        let resource = self.pair(
            node,
            get("Resource"),
            get("NotResource"),
            "Resource",
            self.kind != PolicyKind::Key,
        );
        let principal = self.principal(node, get("Principal"), get("NotPrincipal"));
        if let (Some(p), Some(e)) = (&principal, &effect)
            && p.negated
            && e.value == Effect::Allow
        {
            self.error(
                    p.span,
                    "`NotPrincipal` with \"Effect\": \"Allow\" is not supported by AWS; name the principals with `Principal`",
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
                    format!("a statement cannot have both `{name}` and `Not{name}`"),
                );
                None
            }
            (None, None) => {
                if required {
                    self.error(
                        stmt.span,
                        format!("the statement has neither `{name}` nor `Not{name}`"),
                    );
                }
                None
            }
            (Some(m), None) | (None, Some(m)) => {
                let negated = m.key.starts_with("Not");
                let items = self.string_list(&m.value, &m.key)?;
                if items.is_empty() {
                    self.error(m.value.span, format!("`{}` is an empty list", m.key));
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
                        "resource \"{text}\" is a malformed ARN: it needs six `:`-separated parts"
                    ),
                );
            } else if parts[2].contains(['*', '?']) || parts[2].is_empty() {
                self.error(item.span, format!("resource \"{text}\": the service part of an ARN cannot be empty or hold wildcards"));
            }
        }
    }

    fn principal(
        &mut self,
        stmt: &Node,
        pos: Option<&Member>,
        neg: Option<&Member>,
    ) -> Option<PrincipalElement> {
        let m = match (pos, neg) {
            (Some(_), Some(n)) => {
                self.error(
                    n.key_span,
                    "a statement cannot have both `Principal` and `NotPrincipal`",
                );
                return None;
            }
            (None, None) => {
                if self.kind != PolicyKind::Generic {
                    let what = if self.kind == PolicyKind::Key {
                        "a key policy"
                    } else {
                        "a bucket policy"
                    };
                    self.error(
                        stmt.span,
                        format!("a statement of {what} needs a `Principal` (or `NotPrincipal`)"),
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
                                format!("unknown principal type `{other}`; expected AWS, Service, Federated or CanonicalUser"),
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
                self.error(
                    m.value.span,
                    format!(
                        "`{}` must be \"*\" or an object such as {{\"AWS\": …}}, found {}",
                        m.key,
                        m.value.shape()
                    ),
                );
                return None;
            }
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
                    "invalid AWS principal \"{text}\": expected \"*\", a 12-digit account id, or an IAM/STS ARN (`arn:aws:iam::ACCOUNT:role/NAME`)"
                ),
            );
        }
    }

    fn conditions(&mut self, node: &Node) -> Vec<Condition> {
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
                let hint = OPERATORS
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| edit_distance(n, om.key.trim_end_matches("IfExists")) <= 3)
                    .min_by_key(|n| edit_distance(n, &om.key))
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                self.error(
                    om.key_span,
                    format!("unknown condition operator `{}`{hint}", om.key),
                );
                continue;
            };
            let Some(keys) = om.value.as_object() else {
                self.error(
                    om.value.span,
                    format!(
                        "the `{}` block must be an object of condition keys, found {}",
                        om.key,
                        om.value.shape()
                    ),
                );
                continue;
            };
            for km in keys {
                let Some(values) = self.condition_values(&km.value) else {
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

    fn condition_values(&mut self, node: &Node) -> Option<Vec<Located<PString>>> {
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
                            "a condition value must be a string, number or boolean, found {}",
                            item.shape()
                        ),
                    );
                    return None;
                }
            };
            out.push(Located::new(text, item.span));
        }
        if out.is_empty() {
            self.error(node.span, "a condition key needs at least one value");
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
                self.error(
                    v.span,
                    format!("`{name}` does not allow policy variables such as \"{text}\""),
                );
                continue;
            }
            let bad = match cond.operator.base.comparison() {
                Comparison::Numeric(_) => text.trim().parse::<f64>().is_err().then_some("a number"),
                Comparison::Date(_) => super::eval::parse_date(text)
                    .is_none()
                    .then_some("a date (ISO 8601, e.g. 2024-01-31T00:00:00Z, or epoch seconds)"),
                Comparison::Bool => (!text.eq_ignore_ascii_case("true")
                    && !text.eq_ignore_ascii_case("false"))
                .then_some("\"true\" or \"false\""),
                Comparison::Null => (!text.eq_ignore_ascii_case("true")
                    && !text.eq_ignore_ascii_case("false"))
                .then_some("\"true\" (key absent) or \"false\" (key present)"),
                Comparison::Ip => super::eval::parse_cidr(text)
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
