//! Attaching fixes to findings once the rules have run: the generators need the text of the
//! files (indentation, the brackets around an element), which the rules do not see. A
//! finding whose repair is not safe loses its fix, and its help says why.

use crate::diagnostics::{Diagnostic, Fix, Help, HelpPart};
use crate::model::Inventory;
use crate::profile::Profile;
use crate::source::Sources;

/// The rules that offer a fix where a safe one exists.
pub(crate) const FIXABLE: &[&str] = &[
    "CP101", "CP102", "CP103", "CP104", "CP105", "CP201", "CP206", "CP301", "CP302", "CP304",
];

/// A fix for `d` (with the help that shows it, when the rule's does not), the reason there is none, or `None` when the rule offers no fix here.
fn generate(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    d: &Diagnostic,
) -> Option<Result<(Fix, Option<String>), String>> {
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
        "CP101" | "CP102" => Some(super::exempt::exempt(sources, inv, profile, d).map(|g| {
            let keep = d
                .help
                .find("exempt the Clumio role")
                .unwrap_or(d.help.len());
            (g.fix, Some(format!("{}{}", &d.help[..keep], g.help)))
        })),
        "CP103" | "CP104" | "CP105" => Some(
            super::notprincipal::replace(sources, inv, profile, d).map(|g| (g.fix, Some(g.help))),
        ),
        "CP201" | "CP206" => Some(
            super::key_statement::add(sources, inv, profile, d).map(|g| {
                let keep = d
                    .help
                    .find("add this statement to the key policy")
                    .unwrap_or(d.help.len());
                (g.fix, Some(format!("{}{}", &d.help[..keep], g.help)))
            }),
        ),
        "CP304" => Some(super::ownership_controls::declare(sources, inv, d).map(|g| (g.fix, None))),
        _ => None,
    }
}

/// Sets the fix of every finding of `found` (made on `inv`) that has a safe repair, and
/// explains in the help of the others why there is none.
pub fn attach(sources: &Sources, inv: &Inventory, profile: &Profile, found: &mut [Diagnostic]) {
    for d in found.iter_mut() {
        // A plan's findings are fixed in its sources (plan mapping moves what it can).
        if super::session::is_plan(&sources.file(d.span.file).text) {
            continue;
        }
        match generate(sources, inv, profile, d) {
            Some(Ok((fix, _))) => {
                // The help keeps the rule's words and snippet (the same as a plan finding
                // mapped here gets); every reporter shows the fix's exact edits under it.
                d.fix = Some(fix);
            }
            Some(Err(why)) => {
                d.fix = None;
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
