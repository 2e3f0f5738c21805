//! The IAM policy language as data: every element keeps the span it was written at.

use crate::source::Span;
use crate::value::PString;

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: Span,
}

impl<T> Located<T> {
    /// `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}

/// Which kind of policy a document is; decides which elements are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A resource policy such as an S3 bucket policy: `Principal` and `Resource` required.
    Bucket,
    /// A KMS key policy: `Principal` required; a statement without `Resource` is accepted
    /// by KMS but never applies.
    Key,
    /// Any policy (used by `simulate`): `Principal` optional, `Resource` required.
    Generic,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The `Version` element, when present.
    pub version: Option<Located<String>>,
    /// Whether `${…}` policy variables are expanded (only with `Version` 2012-10-17).
    pub variables_enabled: bool,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// Statements known only after apply (an unknown element of `Statement`, or an unknown
    /// `Statement`): the known ones are still evaluated (an explicit Deny applies whatever
    /// its siblings are), and these are reported as not checked.
    pub unknown_statements: Vec<Located<crate::value::Hole>>,
    /// The whole document.
    pub span: Span,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl Effect {
    /// The spelling used in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Zero-based position in the written `Statement` list (for labels such as `#2`). Not an
    /// index into [`Policy::statements`], which leaves out unknown and invalid elements and
    /// holds a statement with an unknown `Effect` twice.
    pub index: usize,
    /// The `Sid`, when present.
    pub sid: Option<Located<String>>,
    /// The effect.
    pub effect: Located<Effect>,
    /// `Principal` / `NotPrincipal`; `None` when the statement has neither.
    pub principal: Option<PrincipalElement>,
    /// `Action` / `NotAction`.
    pub action: Element,
    /// `Resource` / `NotResource`; `None` when the statement has neither.
    pub resource: Option<Element>,
    /// The conditions, all of which must hold (AND).
    pub conditions: Vec<Condition>,
    /// The whole statement object.
    pub span: Span,
}

impl Statement {
    /// Whether the answer for this statement can differ between two callers of one account
    /// that differ in their role (`.0`) or only in their session name (`.1`): through a
    /// principal that names roles or sessions, `NotPrincipal` (which checks the session),
    /// `aws:PrincipalArn` (the role) or `aws:userid` (role id and session), or a policy
    /// variable. Every other element and condition key is the same for all such callers, so
    /// one evaluation answers for all of them.
    pub fn caller_sensitivity(&self) -> (bool, bool) {
        let names_caller = self.principal.as_ref().is_some_and(|p| {
            p.negated
                || p.entries.iter().any(|e| {
                    let v = &e.value.value;
                    e.kind == PrincipalKind::Aws
                        && v.as_known() != Some("*")
                        && !v
                            .as_known()
                            .is_some_and(|t| t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()))
                        && !v.to_string().ends_with(":root")
                })
        });
        let variables = self
            .action
            .items
            .iter()
            .chain(self.resource.iter().flat_map(|r| &r.items))
            .chain(self.conditions.iter().flat_map(|c| &c.values))
            .any(|i| i.value.contains_known("${"));
        let key = |name: &str| {
            self.conditions
                .iter()
                .any(|c| c.key.value.eq_ignore_ascii_case(name))
        };
        let userid = key("aws:userid");
        let role = names_caller || variables || userid || key("aws:PrincipalArn");
        let session = names_caller || variables || userid;
        (role, session)
    }

    /// `Sid` text, or `#N` (1-based) when the statement has none.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.value.is_empty() => sid.value.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a list of patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// `true` for the `Not…` form.
    pub negated: bool,
    /// The patterns.
    pub items: Vec<Located<PString>>,
    /// The element's value.
    pub span: Span,
}

/// The kinds of principal a policy can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `"Principal": "*"`: everyone.
    Everyone,
    /// `{"AWS": …}`: accounts, users, roles, sessions, or `*`.
    Aws,
    /// `{"Service": …}`.
    Service,
    /// `{"Federated": …}`.
    Federated,
    /// `{"CanonicalUser": …}`.
    CanonicalUser,
}

/// One principal named by a `Principal`/`NotPrincipal` element.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    /// Which map key it was under.
    pub kind: PrincipalKind,
    /// The ARN, account id, service name, or `*`.
    pub value: Located<PString>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalElement {
    /// `true` for `NotPrincipal`.
    pub negated: bool,
    /// The principals named.
    pub entries: Vec<PrincipalEntry>,
    /// The element's value.
    pub span: Span,
}

/// The comparison families of condition operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum OpBase {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// Every operator family with its spelling.
pub const OPERATORS: &[(&str, OpBase)] = &[
    ("StringEquals", OpBase::StringEquals),
    ("StringNotEquals", OpBase::StringNotEquals),
    ("StringEqualsIgnoreCase", OpBase::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        OpBase::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OpBase::StringLike),
    ("StringNotLike", OpBase::StringNotLike),
    ("NumericEquals", OpBase::NumericEquals),
    ("NumericNotEquals", OpBase::NumericNotEquals),
    ("NumericLessThan", OpBase::NumericLessThan),
    ("NumericLessThanEquals", OpBase::NumericLessThanEquals),
    ("NumericGreaterThan", OpBase::NumericGreaterThan),
    ("NumericGreaterThanEquals", OpBase::NumericGreaterThanEquals),
    ("DateEquals", OpBase::DateEquals),
    ("DateNotEquals", OpBase::DateNotEquals),
    ("DateLessThan", OpBase::DateLessThan),
    ("DateLessThanEquals", OpBase::DateLessThanEquals),
    ("DateGreaterThan", OpBase::DateGreaterThan),
    ("DateGreaterThanEquals", OpBase::DateGreaterThanEquals),
    ("Bool", OpBase::Bool),
    ("BinaryEquals", OpBase::BinaryEquals),
    ("IpAddress", OpBase::IpAddress),
    ("NotIpAddress", OpBase::NotIpAddress),
    ("ArnEquals", OpBase::ArnEquals),
    ("ArnLike", OpBase::ArnLike),
    ("ArnNotEquals", OpBase::ArnNotEquals),
    ("ArnNotLike", OpBase::ArnNotLike),
    ("Null", OpBase::Null),
];

/// How an operator compares one request value with one policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Exact string equality.
    Equals,
    /// Equality ignoring case.
    EqualsIgnoreCase,
    /// Case-sensitive glob (`*`, `?`).
    Like,
    /// ARN glob, each of the six colon-separated parts on its own.
    Arn,
    /// Numeric comparison with the given ordering test.
    Numeric(Ordering),
    /// Date comparison with the given ordering test.
    Date(Ordering),
    /// `"true"` / `"false"`.
    Bool,
    /// Base64 bytes, compared as text.
    Binary,
    /// CIDR containment.
    Ip,
    /// Key presence.
    Null,
}

/// An ordering test of numeric and date operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Ordering {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl OpBase {
    /// The operator's spelling.
    pub(crate) fn name(self) -> &'static str {
        OPERATORS.iter().find(|(_, op)| *op == self).unwrap().0
    }

    /// Whether this is a negated operator (`…Not…`): true when the key is missing.
    pub fn is_negated(self) -> bool {
        use OpBase::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive comparison behind the operator (negated operators invert it).
    pub fn comparison(self) -> Comparison {
        use OpBase::*;
        match self {
            StringEquals | StringNotEquals => Comparison::Equals,
            StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => Comparison::EqualsIgnoreCase,
            StringLike | StringNotLike => Comparison::Like,
            NumericEquals | NumericNotEquals => Comparison::Numeric(Ordering::Equal),
            NumericLessThan => Comparison::Numeric(Ordering::Less),
            NumericLessThanEquals => Comparison::Numeric(Ordering::LessOrEqual),
            NumericGreaterThan => Comparison::Numeric(Ordering::Greater),
            NumericGreaterThanEquals => Comparison::Numeric(Ordering::GreaterOrEqual),
            DateEquals | DateNotEquals => Comparison::Date(Ordering::Equal),
            DateLessThan => Comparison::Date(Ordering::Less),
            DateLessThanEquals => Comparison::Date(Ordering::LessOrEqual),
            DateGreaterThan => Comparison::Date(Ordering::Greater),
            DateGreaterThanEquals => Comparison::Date(Ordering::GreaterOrEqual),
            Bool => Comparison::Bool,
            BinaryEquals => Comparison::Binary,
            IpAddress | NotIpAddress => Comparison::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Comparison::Arn,
            Null => Comparison::Null,
        }
    }

    /// Whether `${…}` policy variables are expanded in this operator's values.
    pub(crate) fn allows_variables(self) -> bool {
        matches!(
            self.comparison(),
            Comparison::Equals | Comparison::EqualsIgnoreCase | Comparison::Like | Comparison::Arn
        )
    }
}

/// `ForAnyValue:` / `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    /// True when any request value matches; false for a missing or empty key.
    ForAnyValue,
    /// True when every request value matches; true for a missing or empty key.
    ForAllValues,
}

/// A full condition operator such as `ForAllValues:StringNotEqualsIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    /// The comparison family.
    pub(crate) base: OpBase,
    /// The `…IfExists` suffix: a missing key makes the condition true.
    pub(crate) if_exists: bool,
    /// The set qualifier, if any.
    pub(crate) set: Option<SetQualifier>,
}

impl Operator {
    /// Parses an operator name; `None` when it is not one IAM knows. Names are matched
    /// ignoring case (IAM's own spelling is shown back in messages).
    pub(crate) fn parse(text: &str) -> Option<Operator> {
        let (set, rest) = if let Some(rest) = strip_prefix_ci(text, "ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = strip_prefix_ci(text, "ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, text)
        };
        let lookup = |name: &str| {
            OPERATORS
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, op)| *op)
        };
        if let Some(base) = lookup(rest) {
            return Some(Operator {
                base,
                if_exists: false,
                set,
            });
        }
        let len = rest.len();
        if len > 8
            && rest.is_char_boundary(len - 8)
            && rest[len - 8..].eq_ignore_ascii_case("IfExists")
        {
            let base = lookup(&rest[..len - 8])?;
            if base == OpBase::Null {
                return None;
            }
            return Some(Operator {
                base,
                if_exists: true,
                set,
            });
        }
        None
    }

    /// The canonical spelling, e.g. `ForAllValues:StringNotEqualsIfExists`.
    pub(crate) fn name(&self) -> String {
        let prefix = match self.set {
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            None => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{}{suffix}", self.base.name())
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// One `operator: { key: values }` test. A condition block with several operators or keys
/// becomes several of these, all ANDed.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub(crate) operator: Operator,
    /// Where the operator name is written.
    pub operator_span: Span,
    /// The condition key as written (matching ignores case).
    pub key: Located<String>,
    /// The values (ORed; "none of them" for negated operators).
    pub values: Vec<Located<PString>>,
    /// From the key to the end of its values.
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_with_qualifiers_and_suffix() {
        let op = Operator::parse("ForAllValues:StringNotEqualsIfExists").unwrap();
        assert_eq!(op.base, OpBase::StringNotEquals);
        assert!(op.if_exists);
        assert_eq!(op.set, Some(SetQualifier::ForAllValues));
        assert_eq!(op.name(), "ForAllValues:StringNotEqualsIfExists");
        assert_eq!(Operator::parse("Null").unwrap().base, OpBase::Null);
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("StringEqualz").is_none());
        assert!(Operator::parse("IfExists").is_none());
        assert_eq!(
            Operator::parse("stringequals").unwrap().base,
            OpBase::StringEquals
        );
    }

    #[test]
    fn every_operator_round_trips() {
        for (name, op) in OPERATORS {
            assert_eq!(Operator::parse(name).unwrap().base, *op);
            assert_eq!(op.name(), *name);
        }
    }
}
