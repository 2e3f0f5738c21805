//! Policy variables (`${aws:username}`, …) in patterns: resolved from the request's keys, and
//! decided over every value a key may hold when it may be absent or is one of a known set.

use super::*;
use crate::policy::glob::VarValue;
use crate::policy::tri::Tri;
use crate::value::{Hole, PString};
use std::collections::BTreeSet;

/// Decides with the request's variable values; when a variable's key may also be absent
/// ([`RequestContext::set_absent_or`]), the answer stands only if it is the same without a value.
pub(super) fn maybe_absent_vars(
    ctx: &RequestContext,
    text: &PString,
    decide: impl Fn(Option<&dyn Fn(&str) -> VarValue>) -> Tri,
) -> Tri {
    let vars = var_resolver(ctx);
    if !text.contains_known("${") {
        return decide(Some(&vars));
    }
    let names = variable_names(text);
    if let Some(answer) = over_one_of(ctx, &names, &vars, &decide) {
        return answer;
    }
    let with_values = decide(Some(&vars));
    // Keys that may be missing: unknown ones, and those set "absent or present".
    let maybe_absent: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|k| matches!(ctx.get(k), KeyState::Unknown(_)) || ctx.if_present(k).is_some())
        .collect();
    if maybe_absent.is_empty() {
        return with_values;
    }
    let without = |name: &str| {
        if maybe_absent.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            VarValue::NoValue
        } else {
            vars(name)
        }
    };
    let without_values = decide(Some(&without));
    if with_values == without_values {
        return with_values;
    }
    let mut why: std::collections::BTreeSet<String> = with_values.unknowns().into_iter().collect();
    why.extend(without_values.unknowns());
    for k in maybe_absent {
        if let KeyState::Unknown(w) = ctx.get(k) {
            why.insert(format!("{k}: {w}"));
        }
    }
    Tri::Depends(why)
}

/// Decides a match given how policy variables resolve.
type Decider<'a> = dyn Fn(Option<&dyn Fn(&str) -> VarValue>) -> Tri + 'a;

/// For variables whose keys hold one value of a known set ([`RequestContext::set_one_of`]): the
/// answer for every combination of their values, decided when all agree. `None` when no
/// variable is such a key.
fn over_one_of(
    ctx: &RequestContext,
    names: &[String],
    vars: &dyn Fn(&str) -> VarValue,
    decide: &Decider,
) -> Option<Tri> {
    let mut sets: Vec<(&str, &[PString])> = Vec::new();
    for name in names {
        if let Some(values) = ctx.one_of(name)
            && !sets.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            sets.push((name.as_str(), values));
        }
    }
    if sets.is_empty() {
        return None;
    }
    let combinations: usize = sets.iter().map(|(_, v)| v.len().max(1)).product();
    let mut answers: Vec<Tri> = Vec::new();
    for mut n in 0..combinations.min(64) {
        let mut chosen: Vec<(&str, &PString)> = Vec::new();
        for (key, values) in &sets {
            if let Some(v) = values.get(n % values.len().max(1)) {
                chosen.push((key, v));
            }
            n /= values.len().max(1);
        }
        let with = |name: &str| match chosen.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            Some((_, v)) => VarValue::Value((*v).clone()),
            None => vars(name),
        };
        answers.push(decide(Some(&with)));
    }
    Some(match answers.first() {
        Some(first)
            if combinations <= 64
                && !matches!(first, Tri::Depends(_))
                && answers.iter().all(|a| a == first) =>
        {
            first.clone()
        }
        _ => {
            let mut why: BTreeSet<String> = answers.iter().flat_map(Tri::unknowns).collect();
            for (key, _) in &sets {
                if let KeyState::Unknown(w) = ctx.get(key) {
                    why.insert(format!("{key}: {w}"));
                }
            }
            Tri::Depends(why)
        }
    })
}

/// The keys of the `${key}` / `${key, 'default'}` policy variables in the known text.
fn variable_names(text: &PString) -> Vec<String> {
    let mut names = Vec::new();
    for part in text.parts() {
        let crate::value::Part::Lit(lit) = part else {
            continue;
        };
        let mut rest = lit.as_str();
        while let Some(i) = rest.find("${") {
            let after = &rest[i + 2..];
            let Some(close) = after.find('}') else { break };
            let name = after[..close].split(',').next().unwrap_or_default().trim();
            if !matches!(name, "*" | "?" | "$") {
                names.push(name.to_string());
            }
            rest = &after[close + 1..];
        }
    }
    names
}

pub(super) fn var_resolver(ctx: &RequestContext) -> impl Fn(&str) -> VarValue + '_ {
    move |name: &str| match ctx.get(name) {
        KeyState::Present(values) if values.len() == 1 => VarValue::Value(values[0].clone()),
        KeyState::Present(_) | KeyState::Absent => VarValue::NoValue,
        KeyState::Unknown(why) => VarValue::Value(PString::hole(Hole::unknown(
            format!("key:{}", name.to_ascii_lowercase()),
            why.clone(),
        ))),
    }
}
