//! `Condition` blocks: each operator against the request's keys, with missing keys, `…IfExists`,
//! `Null`, set qualifiers, dates, IP ranges and the reasons that decided each one.

use super::*;
use crate::policy::ast::*;
use crate::policy::glob::{CompileError, Pattern, PatternOptions, VarValue};
use crate::policy::tri::Tri;
use crate::value::PString;
use std::collections::BTreeSet;

pub(super) fn conditions_apply(
    policy: &Policy,
    st: &Statement,
    request: &Request,
    because: &mut Why,
) -> Tri {
    let mut result = Tri::Yes;
    for cond in &st.conditions {
        let (tri, seen) = condition_verdict(policy, cond, &request.context);
        because.push(|| describe(cond, &tri, &seen, request.context.reason(&cond.key.value)));
        result = result.and(tri);
        if result == Tri::No {
            break;
        }
    }
    if matches!(result, Tri::Depends(_))
        && let Some((key, decided)) = correlated(policy, st, &request.context)
    {
        because.push(|| {
            format!(
                "the tests on {key} give one answer for each value the key can take → {}",
                decided.word()
            )
        });
        return decided;
    }
    result
}

/// For a statement with several tests on one key that holds one of a known set of values (or
/// is absent or holds known values): the tests are not independent, so they are decided
/// together, once for each alternative. Returns the key and the answer when every
/// alternative gives the same certain answer.
fn correlated(policy: &Policy, st: &Statement, ctx: &RequestContext) -> Option<(String, Tri)> {
    for (i, cond) in st.conditions.iter().enumerate() {
        let key = &cond.key.value;
        let repeated = st.conditions[i + 1..]
            .iter()
            .any(|c| c.key.value.eq_ignore_ascii_case(key));
        if !repeated || !matches!(ctx.get(key), KeyState::Unknown(_)) {
            continue;
        }
        let alternatives: Vec<KeyState> = if let Some(values) = ctx.one_of(key) {
            values
                .iter()
                .map(|v| KeyState::Present(vec![v.clone()]))
                .collect()
        } else if let Some(values) = ctx.if_present(key) {
            vec![KeyState::Absent, KeyState::Present(values.to_vec())]
        } else {
            continue;
        };
        let answers: Vec<Tri> = alternatives
            .into_iter()
            .map(|state| {
                let mut one = ctx.clone();
                one.set(key, state);
                st.conditions.iter().fold(Tri::Yes, |acc, c| {
                    acc.and(condition_verdict(policy, c, &one).0)
                })
            })
            .collect();
        if let Some(first) = answers.first()
            && !matches!(first, Tri::Depends(_))
            && answers.iter().all(|a| a == first)
        {
            return Some((key.clone(), first.clone()));
        }
    }
    None
}

/// What a condition test saw in the request, for its explanation.
enum Seen<'a> {
    /// A fixed sentence.
    Text(&'static str),
    /// The key's value(s).
    Values(&'a [PString]),
    /// The key's unknown presence or value.
    Unknown,
    /// The key is absent or holds its possible values, with the same answer either way.
    AbsentOr,
    /// The key holds one of a known set of values, with the same answer for each.
    OneOf(&'a [PString]),
    /// The key holds one of a known set of values, with different answers.
    OneOfDiffers(&'a [PString]),
}

fn describe(cond: &Condition, tri: &Tri, seen: &Seen, reason: Option<&str>) -> String {
    let head = format!(
        "{} {} [{}]",
        cond.operator.name(),
        cond.key.value,
        quote_list(&cond.values)
    );
    let what = match seen {
        Seen::Text(t) => t.to_string(),
        Seen::Values([v]) => format!("request value \"{v}\""),
        Seen::Values(vs) => format!("request values [{}]", join(vs)),
        Seen::Unknown => "its presence or value for this request is unknown".to_string(),
        Seen::AbsentOr => {
            "the same whether the key is absent or holds its possible values".to_string()
        }
        Seen::OneOf(vs) => format!("the same for each value the key can take ([{}])", join(vs)),
        Seen::OneOfDiffers(vs) => format!(
            "the answer differs between the values the key can take ([{}])",
            join(vs)
        ),
    };
    // The reason goes right after what was seen: "the key is absent (why), so …".
    let what = match (reason, what.split_once(", so ")) {
        (Some(why), Some((seen, so))) => format!("{seen} ({why}), so {so}"),
        (Some(why), None) => format!("{what} ({why})"),
        (None, _) => what,
    };
    format!("{head}: {what} → {}", tri.word())
}

fn condition_verdict<'c>(
    policy: &Policy,
    cond: &Condition,
    ctx: &'c RequestContext,
) -> (Tri, Seen<'c>) {
    let key = &cond.key.value;
    let state = ctx.get(key);
    if let (KeyState::Unknown(why), Some(values)) = (state, ctx.one_of(key)) {
        // Present with one value of a known set: decided when every value gives one answer.
        let answers: Vec<Tri> = values
            .iter()
            .map(|v| condition_on(policy, cond, ctx, &KeyState::Present(vec![v.clone()])).0)
            .collect();
        return match answers.first() {
            Some(first)
                if !matches!(first, Tri::Depends(_)) && answers.iter().all(|a| a == first) =>
            {
                (first.clone(), Seen::OneOf(values))
            }
            _ => {
                let mut set: BTreeSet<String> = answers.iter().flat_map(Tri::unknowns).collect();
                let listed: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                set.insert(format!("{key}: {why} (one of {})", listed.join(", ")));
                (Tri::Depends(set), Seen::OneOfDiffers(values))
            }
        };
    }
    if let (KeyState::Unknown(why), Some(values)) = (state, ctx.if_present(key)) {
        // Absent, or present with known-shaped values: decided when both agree.
        let (absent, _) = condition_on(policy, cond, ctx, &KeyState::Absent);
        let (present, _) = condition_on(policy, cond, ctx, &KeyState::Present(values.to_vec()));
        return match (absent, present) {
            (Tri::Yes, Tri::Yes) => (Tri::Yes, Seen::AbsentOr),
            (Tri::No, Tri::No) => (Tri::No, Seen::AbsentOr),
            _ => (Tri::depends(format!("{key}: {why}")), Seen::Unknown),
        };
    }
    condition_on(policy, cond, ctx, state)
}

/// Evaluates one condition test for the key in `state` (variables resolve from `ctx`).
fn condition_on<'c>(
    policy: &Policy,
    cond: &Condition,
    ctx: &RequestContext,
    state: &'c KeyState,
) -> (Tri, Seen<'c>) {
    let op = cond.operator;
    let key = &cond.key.value;
    let unknown = |why: &str| Tri::depends(format!("{key}: {why}"));
    if op.base == OpBase::Null {
        return match state {
            KeyState::Present(_) => (
                Tri::any(cond.values.iter().map(|v| bool_is(&v.value, false))),
                Seen::Text("the key is present"),
            ),
            KeyState::Absent => (
                Tri::any(cond.values.iter().map(|v| bool_is(&v.value, true))),
                Seen::Text("the key is absent"),
            ),
            KeyState::Unknown(why) => (unknown(why), Seen::Unknown),
        };
    }
    let vars = var_resolver(ctx);
    let vars_opt: Option<&dyn Fn(&str) -> VarValue> =
        (policy.variables_enabled && op.base.allows_variables()).then_some(&vars as _);
    let negated = op.base.is_negated();
    // "Request value v matches one of the policy values" for the positive comparison.
    let positive = |v: &PString| {
        Tri::any(cond.values.iter().map(|pv| match vars_opt {
            Some(_) => maybe_absent_vars(ctx, &pv.value, |vars| {
                compare(op.base, v, &pv.value, vars, negated)
            }),
            None => compare(op.base, v, &pv.value, None, negated),
        }))
    };
    let single = |v: &PString| if negated { !positive(v) } else { positive(v) };
    match (op.set, state) {
        (_, KeyState::Unknown(why)) => (unknown(why), Seen::Unknown),
        // `…IfExists` makes a missing key true, also under a set qualifier.
        (_, KeyState::Absent) if op.if_exists => (
            Tri::Yes,
            Seen::Text("the key is absent, so …IfExists is true"),
        ),
        (Some(SetQualifier::ForAnyValue), KeyState::Absent) => (
            Tri::No,
            Seen::Text("the key is absent, so ForAnyValue is false"),
        ),
        (Some(SetQualifier::ForAllValues), KeyState::Absent) => (
            Tri::Yes,
            Seen::Text("the key is absent, so ForAllValues is true"),
        ),
        (Some(SetQualifier::ForAnyValue), KeyState::Present(vs)) => {
            (Tri::any(vs.iter().map(single)), Seen::Values(vs))
        }
        (Some(SetQualifier::ForAllValues), KeyState::Present(vs)) => {
            (Tri::all(vs.iter().map(single)), Seen::Values(vs))
        }
        (None, KeyState::Absent) if negated => (
            Tri::Yes,
            Seen::Text("the key is absent, so a negated operator is true"),
        ),
        (None, KeyState::Absent) => (
            Tri::No,
            Seen::Text("the key is absent, so the operator is false"),
        ),
        (None, KeyState::Present(vs)) => {
            let hit = Tri::any(vs.iter().map(positive));
            (if negated { !hit } else { hit }, Seen::Values(vs))
        }
    }
}

fn join(vs: &[PString]) -> String {
    let v: Vec<String> = vs.iter().map(|s| format!("\"{s}\"")).collect();
    v.join(", ")
}

fn bool_is(v: &PString, expected: bool) -> Tri {
    match v.as_known() {
        Some(t) => Tri::from_bool(t.eq_ignore_ascii_case(if expected { "true" } else { "false" })),
        None => Tri::depends(
            v.holes()
                .map(|h| h.why.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

fn holes_why(values: &[&PString]) -> Tri {
    let set: BTreeSet<String> = values
        .iter()
        .flat_map(|v| v.holes().map(|h| h.why.to_string()))
        .collect();
    Tri::Depends(set)
}

/// Positive comparison of request value `v` with policy value `pv`.
fn compare(
    base: OpBase,
    v: &PString,
    pv: &PString,
    vars: Option<&dyn Fn(&str) -> VarValue>,
    negated: bool,
) -> Tri {
    // Known texts with nothing to substitute are compared as they are.
    let quick = |opts: PatternOptions, arn: bool| {
        Pattern::match_known_texts(pv, opts, vars.is_some(), v, arn).map(Tri::from_bool)
    };
    let pattern = |opts: PatternOptions| match Pattern::compile(pv, opts, vars) {
        Ok(p) => Ok(p),
        // A variable with no value: positive operators do not match; for negated ones AWS's
        // documents disagree, so the answer depends on undocumented behaviour.
        Err(CompileError::NoValue(name)) => Err(if negated {
            Tri::depends(format!(
                "policy variable ${{{name}}} has no value in this request (AWS behaviour undocumented)"
            ))
        } else {
            Tri::No
        }),
    };
    let known = |a: &PString| a.as_known().map(str::trim).map(str::to_string);
    match base.comparison() {
        Comparison::Equals => quick(PatternOptions::EXACT, false).unwrap_or_else(|| {
            pattern(PatternOptions::EXACT).map_or_else(|t| t, |p| p.matches(v, true))
        }),
        Comparison::EqualsIgnoreCase => {
            quick(PatternOptions::EXACT_NOCASE, false).unwrap_or_else(|| {
                pattern(PatternOptions::EXACT_NOCASE).map_or_else(|t| t, |p| p.matches(v, true))
            })
        }
        Comparison::Like => quick(PatternOptions::GLOB, false).unwrap_or_else(|| {
            pattern(PatternOptions::GLOB).map_or_else(|t| t, |p| p.matches(v, true))
        }),
        Comparison::Arn => quick(PatternOptions::GLOB, true).unwrap_or_else(|| {
            pattern(PatternOptions::GLOB).map_or_else(|t| t, |p| p.matches_arn(v, true))
        }),
        Comparison::Binary => Pattern::new(pv, PatternOptions::EXACT).matches(v, true),
        Comparison::Bool => match (known(v), known(pv)) {
            (Some(a), Some(b)) => Tri::from_bool(a.eq_ignore_ascii_case(&b)),
            _ => holes_why(&[v, pv]),
        },
        Comparison::Numeric(ord) => match (known(v), known(pv)) {
            (Some(a), Some(b)) => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(a), Ok(b)) => Tri::from_bool(ordered(a.partial_cmp(&b), ord)),
                _ => Tri::No,
            },
            _ => holes_why(&[v, pv]),
        },
        Comparison::Date(ord) => match (known(v), known(pv)) {
            (Some(a), Some(b)) => match (parse_date(&a), parse_date(&b)) {
                (Some(a), Some(b)) => Tri::from_bool(ordered(Some(a.cmp(&b)), ord)),
                _ => Tri::No,
            },
            _ => holes_why(&[v, pv]),
        },
        Comparison::Ip => match (known(v), known(pv)) {
            (Some(a), Some(b)) => match (a.parse::<std::net::IpAddr>(), parse_cidr(&b)) {
                (Ok(ip), Some(net)) => Tri::from_bool(net.contains(&ip)),
                _ => Tri::No,
            },
            (None, Some(b))
                if is_public_ip_hole(v) && parse_cidr(&b).is_some_and(|n| !is_public(&n)) =>
            {
                Tri::No
            }
            _ => holes_why(&[v, pv]),
        },
        Comparison::Null => Tri::No,
    }
}

/// Whether `v` is exactly the unknown public address ([`PUBLIC_IP_HOLE`]).
fn is_public_ip_hole(v: &PString) -> bool {
    matches!(v.parts(), [crate::value::Part::Hole(h)] if &*h.id == PUBLIC_IP_HOLE)
}

/// Whether a block may hold public addresses: false when it lies entirely inside the
/// private (RFC 1918, RFC 4193), loopback or link-local ranges.
fn is_public(net: &ipnet::IpNet) -> bool {
    const NON_PUBLIC: &[&str] = &[
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    ];
    !NON_PUBLIC
        .iter()
        .filter_map(|r| r.parse::<ipnet::IpNet>().ok())
        .any(|r| r.contains(net))
}

fn ordered(cmp: Option<std::cmp::Ordering>, ord: Ordering) -> bool {
    use std::cmp::Ordering as O;
    match (cmp, ord) {
        (None, _) => false,
        (Some(c), Ordering::Equal) => c == O::Equal,
        (Some(c), Ordering::Less) => c == O::Less,
        (Some(c), Ordering::LessOrEqual) => c != O::Greater,
        (Some(c), Ordering::Greater) => c == O::Greater,
        (Some(c), Ordering::GreaterOrEqual) => c != O::Less,
    }
}

/// Parses an IAM date: ISO 8601 / RFC 3339 timestamps, bare dates (midnight UTC), or epoch
/// seconds.
pub(crate) fn parse_date(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    if let Ok(secs) = text.parse::<i64>() {
        return jiff::Timestamp::from_second(secs).ok();
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return jiff::tz::TimeZone::UTC.to_timestamp(dt).ok();
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return jiff::tz::TimeZone::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok();
    }
    None
}

/// Parses a CIDR block; a bare address means /32 (IPv4) or /128 (IPv6).
pub(crate) fn parse_cidr(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>().ok().or_else(|| {
        text.parse::<std::net::IpAddr>()
            .ok()
            .map(ipnet::IpNet::from)
    })
}
