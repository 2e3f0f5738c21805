//! The request side of an evaluation: who asks, for what, and what its condition keys hold
//! (present, absent, unknown, or one of a known set).

use crate::value::PString;

/// What the request context holds for one condition key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyState {
    /// The key is present with these values (one for single-valued keys).
    Present(Vec<PString>),
    /// The key is not in the request.
    Absent,
    /// Whether and with what value the key is present is not known; the text says why.
    Unknown(String),
}

/// The id of a [`Hole`](crate::value::Hole) that stands for a public IP address nobody knows, such as the
/// `aws:SourceIp` of Clumio's direct calls: its public egress address, since a request
/// through a VPC endpoint carries no `aws:SourceIp` at all (AWS-SEMANTICS.md 1.2). Such an
/// address is never inside a private, loopback or link-local block.
pub const PUBLIC_IP_HOLE: &str = "public-ip";

/// The condition keys of a request. Key names compare ignoring case. A request has a few
/// dozen keys at most, so they are kept in order and looked up by a scan (no hashing, no
/// allocation per lookup).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    keys: Vec<(String, KeyState)>,
    /// For keys whose state is [`KeyState::Unknown`]: the values they hold when present.
    if_present: Vec<(String, Vec<PString>)>,
    /// For keys whose state is [`KeyState::Unknown`]: the documented set of values the key
    /// takes (it is present with exactly one of them).
    one_of: Vec<(String, Vec<PString>)>,
    /// What a key that was never set holds.
    pub(crate) default: KeyState,
    /// Why a key holds what it holds, for explanations (e.g. why it is absent).
    reasons: Vec<(String, String)>,
}

impl RequestContext {
    /// A context in which every key not set is `default`.
    pub fn new(default: KeyState) -> Self {
        RequestContext {
            keys: Vec::new(),
            if_present: Vec::new(),
            one_of: Vec::new(),
            default,
            reasons: Vec::new(),
        }
    }

    /// Records why `key` holds what it holds; explanations quote it.
    pub fn explain(&mut self, key: &str, why: impl Into<String>) {
        self.reasons.push((key.to_string(), why.into()));
    }

    /// Why `key` holds what it holds, when recorded.
    pub(crate) fn reason(&self, key: &str) -> Option<&str> {
        self.reasons
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, w)| w.as_str())
    }

    fn slot(&self, key: &str) -> Option<usize> {
        self.keys
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    /// Sets `key` to `state`.
    pub fn set(&mut self, key: &str, state: KeyState) {
        self.forget_alternatives(key);
        match self.slot(key) {
            Some(i) => self.keys[i].1 = state,
            None => self.keys.push((key.to_string(), state)),
        }
    }

    /// Makes `key` unknown in a known way: either absent, or present with `values` (which
    /// may hold holes); `why` says what settles it. A condition that comes out the same
    /// either way is decided.
    pub fn set_absent_or(&mut self, key: &str, values: Vec<PString>, why: impl Into<String>) {
        self.set(key, KeyState::Unknown(why.into()));
        self.if_present.push((key.to_string(), values));
    }

    /// For a key set with [`RequestContext::set_absent_or`], the values it holds when present.
    pub(crate) fn if_present(&self, key: &str) -> Option<&[PString]> {
        self.if_present
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    fn forget_alternatives(&mut self, key: &str) {
        self.if_present
            .retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.one_of.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    /// Makes `key` present with one value out of a known set (`values`, e.g. the TLS versions
    /// AWS endpoints accept); `why` says what settles which. A condition that comes out the
    /// same for every value is decided.
    pub fn set_one_of(&mut self, key: &str, values: Vec<PString>, why: impl Into<String>) {
        self.set(key, KeyState::Unknown(why.into()));
        self.one_of.push((key.to_string(), values));
    }

    /// For a key set with [`RequestContext::set_one_of`], the values it may take.
    pub(crate) fn one_of(&self, key: &str) -> Option<&[PString]> {
        self.one_of
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    /// Adds one value to `key`, making it multi-valued when it already has one.
    pub fn add_value(&mut self, key: &str, value: PString) {
        self.forget_alternatives(key);
        match self.slot(key) {
            Some(i) => match &mut self.keys[i].1 {
                KeyState::Present(values) => values.push(value),
                other => *other = KeyState::Present(vec![value]),
            },
            None => self
                .keys
                .push((key.to_string(), KeyState::Present(vec![value]))),
        }
    }

    /// Sets `key` to one present value.
    pub fn set_value(&mut self, key: &str, value: PString) {
        self.set(key, KeyState::Present(vec![value]));
    }

    /// What the request holds for `key`.
    pub fn get(&self, key: &str) -> &KeyState {
        self.slot(key).map_or(&self.default, |i| &self.keys[i].1)
    }
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPrincipal {
    /// The caller's ARN (for a role session: `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`).
    pub arn: PString,
    /// The account the caller belongs to.
    pub account: PString,
    /// For a role session, the role's ARN with its path (`arn:aws:iam::ACCT:role/PATH/NAME`).
    pub role_arn: Option<PString>,
    /// Whether the caller carries a permissions boundary; `None` when unknown.
    pub permissions_boundary: Option<bool>,
    /// What settles an unknown permissions boundary (e.g. the flag to pass).
    pub boundary_why: String,
}

impl RequestPrincipal {
    /// Derives account and role from a known principal ARN (session, role, user or root).
    pub fn from_arn(arn: &str) -> RequestPrincipal {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let account = parts.get(4).copied().unwrap_or_default().to_string();
        let partition = parts.get(1).copied().unwrap_or("aws");
        let resource = parts.get(5).copied().unwrap_or_default();
        let role_arn = resource
            .strip_prefix("assumed-role/")
            .and_then(|rest| rest.split_once('/'))
            .map(|(role, _)| PString::known(format!("arn:{partition}:iam::{account}:role/{role}")))
            .or_else(|| resource.starts_with("role/").then(|| PString::known(arn)));
        RequestPrincipal {
            arn: PString::known(arn),
            account: PString::known(account),
            role_arn,
            permissions_boundary: Some(false),
            boundary_why: "whether the role has a permissions boundary (--permissions-boundary)"
                .into(),
        }
    }

    pub(super) fn is_session(&self) -> bool {
        self.arn.known_prefix().contains(":assumed-role/")
            || self.arn.contains_known(":assumed-role/")
    }
}

/// One request to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The caller.
    pub principal: RequestPrincipal,
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN (an object ARN may end in the "any object key" hole).
    pub resource: PString,
    /// The condition keys.
    pub context: RequestContext,
}
