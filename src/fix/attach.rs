//! Attaching fixes to findings once the rules have run: the generators need the text of the
//! files (indentation, the brackets around an element), which the rules do not see. A
//! finding whose repair is not safe loses its fix, and its help says why.

use crate::diagnostics::{Diagnostic, Fix, Help, HelpPart, SnippetKind};
use crate::model::Inventory;
use crate::profile::Profile;
use crate::source::Sources;

/// The rules that offer a fix where a safe one exists.
pub(crate) const FIXABLE: &[&str] = &[
    "CP101", "CP102", "CP103", "CP104", "CP105", "CP201", "CP206", "CP301", "CP302", "CP304",
];

/// The words of a generator's help (what to change, before the text to paste), ending with
/// where the exact text is; and the rule help's `marker` from which they replace it.
struct Words {
    marker: &'static str,
    text: String,
}

/// The words of `help` (up to the text to paste), said of the fix shown under the help.
fn in_words(help: &str, marker: &'static str) -> Words {
    let prose = help.split(":\n").next().unwrap_or(help);
    let prose = prose
        .replace("add this to", "add the condition to")
        .replace("add this operator", "add the ArnNotLike operator")
        .replace("add this key", "add the aws:PrincipalArn key")
        .replace("add this block", "add a condition block")
        .replace("add this ", "add the ");
    Words {
        marker,
        text: format!("{prose}: the fix below shows the exact text (--fix applies it)"),
    }
}

/// Replaces `d`'s help from the rule's `words.marker` on (its generic snippet and the words
/// on how to merge it) with `words.text`; a help without the marker is left as it is.
fn say_fix(d: &mut Diagnostic, words: Words) {
    if d.help_parts.is_empty() {
        if let Some(at) = d.help.find(words.marker) {
            d.help.truncate(at);
            d.help.push_str(&words.text);
        }
        return;
    }
    let Some(at) = d
        .help_parts
        .iter()
        .position(|p| matches!(p, HelpPart::Text(t) if t.contains(words.marker)))
    else {
        return;
    };
    d.help_parts.truncate(at + 1);
    if let Some(HelpPart::Text(t)) = d.help_parts.last_mut() {
        let keep = t.find(words.marker).unwrap_or(t.len());
        t.truncate(keep);
        t.push_str(&words.text);
    }
    d.help = Help {
        parts: d.help_parts.clone(),
    }
    .to_string();
}

/// A help pasted by hand must be valid where it goes: when the statement of a Deny finding
/// already has a `Condition`, its exemption snippet becomes the operator entry to add inside
/// it (a second `Condition` key would be a duplicate).
fn entry_inside_condition(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    d: &mut Diagnostic,
) {
    if !matches!(d.rule.code, "CP101" | "CP102") {
        return;
    }
    let Ok(loc) = super::exempt::locate(sources, inv, d) else {
        return;
    };
    if loc.st.conditions.is_empty() {
        return;
    }
    let mut changed = false;
    for part in &mut d.help_parts {
        if let HelpPart::Snippet(snippet) = part
            && snippet.kind == SnippetKind::Exemption
        {
            *snippet =
                crate::rules::fix::snippet(SnippetKind::ExemptionEntry, profile, snippet.syntax);
            changed = true;
        }
    }
    if changed {
        d.help = Help {
            parts: d.help_parts.clone(),
        }
        .to_string();
    }
}

/// A fix for `d` (with the help that says it in words, when the rule's shows a snippet), the reason there is none, or `None` when the rule offers no fix here.
fn generate(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    d: &Diagnostic,
) -> Option<Result<(Fix, Option<Words>), String>> {
    match d.rule.code {
        "CP301" | "CP302" => {
            let o = inv
                .ownerships
                .iter()
                .find(|o| o.span == d.span && o.resource == d.resource)?;
            let fix = d.fix.clone()?;
            Some(
                match super::ownership::acl_needed(inv, o.bucket, &o.bucket_expr) {
                    Some(why) => Err(why),
                    None => Ok((fix, None)),
                },
            )
        }
        "CP101" | "CP102" => Some(
            super::exempt::exempt(sources, inv, profile, d)
                .map(|g| (g.fix, Some(in_words(&g.help, "exempt the Clumio role")))),
        ),
        "CP103" | "CP104" | "CP105" => Some(
            super::notprincipal::replace(sources, inv, profile, d)
                .map(|g| (g.fix, Some(in_words(&g.help, "replace `NotPrincipal`")))),
        ),
        // The key rules' help is the statement the fix adds: it pastes as it stands.
        "CP201" | "CP206" => {
            Some(super::key_statement::add(sources, inv, profile, d).map(|g| (g.fix, None)))
        }
        "CP304" => Some(super::ownership_controls::declare(sources, inv, d).map(|g| (g.fix, None))),
        _ => None,
    }
}

/// Sets the fix of every finding of `found` (made on `inv`) that has a safe repair, and
/// explains in the help of the others why there is none. `is_plan` tells the files that are
/// plans (JSON, state or text), whose findings are fixed in their sources instead.
pub fn attach(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    found: &mut [Diagnostic],
    is_plan: &dyn Fn(crate::source::FileId) -> bool,
) {
    for d in found.iter_mut() {
        // A plan's findings are fixed in its sources (plan mapping moves what it can).
        if is_plan(d.span.file) {
            continue;
        }
        match generate(sources, inv, profile, d) {
            Some(Ok((fix, words))) => {
                // The help says in words what the fix does; the fix, shown under it by
                // every reporter, is the exact text (no second snippet to contradict it).
                if let Some(words) = words {
                    say_fix(d, words);
                }
                d.fix = Some(fix);
            }
            Some(Err(why)) => {
                d.fix = None;
                entry_inside_condition(sources, inv, profile, d);
                let why = format!("\nno automatic fix (--fix): {why}");
                if d.help_parts.is_empty() {
                    d.help.push_str(&why);
                } else {
                    d.help_parts.push(HelpPart::Text(why));
                    d.help = Help {
                        parts: d.help_parts.clone(),
                    }
                    .to_string();
                }
            }
            None => {}
        }
    }
}
