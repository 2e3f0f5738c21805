//! How reports say which `module` calls reached a finding inside a module: "via
//! module.app at main.tf:3 → module.logs at modules/app/main.tf:12".

use super::Report;
use crate::rules::{Caller, Diagnostic};
use crate::source::Span;

/// "via module.app at main.tf:3 → module.logs at modules/app/main.tf:12", one line per
/// chain; empty for a finding outside modules.
pub fn via(report: &Report, d: &Diagnostic) -> Vec<String> {
    d.callers
        .iter()
        .map(|chain| {
            let steps: Vec<String> = chain
                .iter()
                .map(|c| {
                    let (at, _) = report.sources.range(c.span);
                    format!(
                        "{} at {}:{}",
                        c.module,
                        report.sources.file(c.span.file).name,
                        at.line
                    )
                })
                .collect();
            format!("via {}", steps.join(" → "))
        })
        .collect()
}

/// The calls as related locations: each `module` block with "called as module.x (call 2 of
/// 3)" when there are several chains.
pub fn related(d: &Diagnostic) -> impl Iterator<Item = (Span, String)> + '_ {
    let chains = d.callers.len();
    d.callers.iter().enumerate().flat_map(move |(i, chain)| {
        chain.iter().map(move |c: &Caller| {
            let which = if chains > 1 {
                format!(" (way {} of {chains})", i + 1)
            } else {
                String::new()
            };
            (
                c.span,
                format!("reached through this call, {}{which}", c.module),
            )
        })
    })
}
