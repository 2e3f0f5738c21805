//! One `--fix` run: check, choose the fixes, apply them to the texts in memory, check the
//! edited texts again in the same run (through the boundary's overlay) and keep only the
//! fixes the checker vouches for; repeat until nothing is left to fix; then write the files
//! (or, for `--diff`, only describe the change).

use super::apply::{Selection, apply_edits};
use super::verify::{self, FindingKey};
use super::write;
use crate::fsbound::{Boundary, Overlay};
use crate::pipeline::{Options, Outcome as Checked};
use crate::report::Report;
use crate::source::FileId;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// How many times the fixer checks, fixes and checks again before it stops.
const MAX_ROUNDS: usize = 12;

/// A finding a fix was applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Where the finding was, `file:line` as the reports show it.
    pub at: String,
    /// The rule.
    pub code: &'static str,
    /// The resource.
    pub resource: String,
    /// What the fix did.
    pub description: String,
}

/// A finding with a fix that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplied {
    /// Where the finding is, `file:line`.
    pub at: String,
    /// The rule.
    pub code: &'static str,
    /// The resource.
    pub resource: String,
    /// Why.
    pub why: String,
}

/// What a `--fix` run did.
#[derive(Debug)]
pub struct FixOutcome {
    /// The checker's outcome on the fixed files (what remains to do by hand, the exit
    /// status).
    pub outcome: Checked,
    /// The fixes applied (and, with `write`, written).
    pub applied: Vec<Applied>,
    /// The fixes not applied, with why.
    pub not_applied: Vec<NotApplied>,
    /// The unified diff of every file changed.
    pub diff: String,
    /// The files changed, as shown.
    pub files: Vec<String>,
    /// Files that could not be written (with `write`), with why.
    pub write_errors: Vec<String>,
}

/// What one round did.
enum Round {
    /// Nothing is left to try.
    Stop,
    /// Fixes were rolled back; the others are tried again.
    Again,
    /// Fixes were applied: the report of the edited texts.
    Changed(Box<Checked>),
}

/// A file the fixer edited: how it is shown, and what it held on disk.
struct Original {
    shown: String,
    bytes: Vec<u8>,
}

/// The state kept between rounds.
struct Fixer<'a> {
    options: &'a Options,
    scan: &'a dyn Fn(&Options) -> Checked,
    boundary: Boundary,
    overlay: Overlay,
    originals: BTreeMap<PathBuf, Original>,
    rejected: HashSet<(FindingKey, String)>,
    applied: Vec<Applied>,
    not_applied: Vec<NotApplied>,
}

/// `file:line` of a finding.
fn at(report: &Report, d: &crate::diagnostics::Diagnostic) -> String {
    let file = report.sources.file(d.span.file);
    format!(
        "{}:{}",
        crate::report::display_path(&file.name),
        file.line_col(d.span.start as usize).line
    )
}

/// Whether the text is a plan, a plan's text or a state (whose fixes belong in the sources).
pub(crate) fn is_plan(text: &str) -> bool {
    crate::terraform::plan::is_plan_json(text)
        || crate::terraform::plan::is_state_json(text)
        || crate::terraform::text_plan::is_text_plan(text)
}

impl Fixer<'_> {
    fn check(&self, overlay: &Overlay) -> Checked {
        let mut options = self.options.clone();
        options.overlay = Some(Arc::new(overlay.clone()));
        (self.scan)(&options)
    }

    fn reject(&mut self, report: &Report, i: usize, why: String) {
        let d = &report.diagnostics[i];
        self.rejected
            .insert((FindingKey::of(report, d), d.message.clone()));
        self.not_applied.push(NotApplied {
            at: at(report, d),
            code: d.rule.code,
            resource: d.resource.clone(),
            why,
        });
    }

    /// Why the file `id` of `report` must not be edited, if so (reading its disk bytes the
    /// first time).
    fn refusal(&mut self, report: &Report, id: FileId) -> Option<String> {
        let file = report.sources.file(id);
        let real = match write::writable(&self.boundary, &file.name) {
            Ok(real) => real,
            Err(why) => {
                return Some(format!(
                    "the fix edits a file the fixer does not write: {why}"
                ));
            }
        };
        if is_plan(&file.text) {
            return Some(format!(
                "{} is a plan or a state: fix the Terraform sources it was made from (run --fix on their \
                 folder, or give --source-dir so that findings point at them)",
                crate::report::display_path(&file.name)
            ));
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = self.originals.entry(real) {
            // Through the boundary: a regular file only, opened without blocking, size-capped.
            let bytes = self
                .boundary
                .read_bytes(slot.key(), crate::fsbound::MAX_INPUT_BYTES)
                .unwrap_or_default();
            if bytes != file.text.as_bytes() {
                return Some(format!(
                    "{} holds carriage returns that are not line endings (or changed during the run), so it \
                     cannot be edited byte for byte",
                    crate::report::display_path(&file.name)
                ));
            }
            slot.insert(Original {
                shown: file.name.clone(),
                bytes,
            });
        }
        None
    }

    /// The overlay with `selection`'s edits made on `report`'s texts.
    fn edited(&self, report: &Report, selection: &Selection) -> Overlay {
        let mut overlay = self.overlay.clone();
        for (&id, edits) in &selection.edits {
            let file = report.sources.file(id);
            if let Ok(real) = write::writable(&self.boundary, &file.name) {
                overlay.insert(real, apply_edits(&file.text, edits).into_bytes());
            }
        }
        overlay
    }

    fn record(&mut self, report: &Report, taken: &[usize]) {
        for &i in taken {
            let d = &report.diagnostics[i];
            let fix = d.fix.as_ref().expect("taken fixes exist");
            self.applied.push(Applied {
                at: at(report, d),
                code: d.rule.code,
                resource: d.resource.clone(),
                description: fix.description.clone(),
            });
        }
    }

    /// A plan's finding whose fix the plan mapping moved to a `.tf` source: the fix is made
    /// there and verified by checking the source folder alone (the plan keeps the old value
    /// until the next `terraform plan`). `Some` when the fix was applied.
    fn plan_finding(&mut self, report: &Report, i: usize) -> Option<Round> {
        let d = &report.diagnostics[i];
        let fix = d.fix.as_ref()?;
        let name = report.sources.file(d.span.file).name.clone();
        if !name.ends_with(".tf") {
            self.reject(
                report,
                i,
                "the finding comes from a plan and its fix is not in a .tf source".into(),
            );
            return None;
        }
        // The folder plan mapping read the sources from (a module's file is checked with its
        // root module, which gives the module its inputs).
        let folder = self
            .options
            .source_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("."));
        let mut sources_only = self.options.clone();
        sources_only.inputs = vec![crate::pipeline::Input::Path(folder)];
        sources_only.stdin = None;
        sources_only.source_dir = None;
        let check = |overlay: &Overlay| {
            let mut o = sources_only.clone();
            o.overlay = Some(Arc::new(overlay.clone()));
            (self.scan)(&o)
        };
        let before = check(&self.overlay);
        let same = |b: &crate::diagnostics::Diagnostic| {
            b.rule.code == d.rule.code && b.resource == d.resource
        };
        let Some(index) = before.report.diagnostics.iter().position(same) else {
            // Already fixed in the sources (an earlier round or run), or decided by the plan.
            self.rejected
                .insert((FindingKey::of(report, d), d.message.clone()));
            let why = if fix
                .edits
                .iter()
                .any(|e| report.sources.slice(e.span) != e.expected)
            {
                "already fixed in the Terraform sources; the plan shows the old value until the next `terraform plan`"
            } else {
                "the Terraform sources alone do not show the finding (the plan's values decide it), so the fixer cannot vouch for the fix"
            };
            self.not_applied.push(NotApplied {
                at: at(report, d),
                code: d.rule.code,
                resource: d.resource.clone(),
                why: why.into(),
            });
            return None;
        };
        let mut refuse = |id: FileId| self.refusal(report, id);
        let selection = Selection::choose(&report.sources, [(i, fix)], &mut refuse);
        if let Some((_, why)) = selection.left_out.first() {
            self.reject(report, i, why.clone());
            return None;
        }
        let trial = self.edited(report, &selection);
        let after = check(&trial);
        match verify::check(&before.report, &after.report, &[index]) {
            None => {
                self.record(report, &[i]);
                self.rejected
                    .insert((FindingKey::of(report, d), d.message.clone()));
                self.overlay = trial;
                let overlay = self.overlay.clone();
                Some(Round::Changed(Box::new(self.check(&overlay))))
            }
            Some(why) => {
                self.reject(report, i, format!("rolled back: {why}"));
                None
            }
        }
    }

    /// One round: what it changed.
    fn round(&mut self, checked: &Checked) -> Round {
        let report = &checked.report;
        let mut candidates = Vec::new();
        for (i, d) in report.diagnostics.iter().enumerate() {
            if d.fix.is_none()
                && super::attach::FIXABLE.contains(&d.rule.code)
                && is_plan(&report.sources.file(d.span.file).text)
                && !self
                    .rejected
                    .contains(&(FindingKey::of(report, d), d.message.clone()))
            {
                self.reject(
                    report,
                    i,
                    "the finding is in a plan and no .tf source of it was found: give --source-dir \
                     (or run from the folder of the Terraform sources), or run --fix on the sources"
                        .into(),
                );
                continue;
            }
            if d.fix.is_none()
                || self
                    .rejected
                    .contains(&(FindingKey::of(report, d), d.message.clone()))
            {
                continue;
            }
            if d.related
                .iter()
                .any(|r| is_plan(&report.sources.file(r.span.file).text))
            {
                if let Some(step) = self.plan_finding(report, i) {
                    return step;
                }
                continue;
            }
            candidates.push(i);
        }
        if candidates.is_empty() {
            return Round::Stop;
        }
        let mut refusals: HashMap<FileId, Option<String>> = HashMap::new();
        let selection = {
            let mut refuse = |id: FileId| {
                if let Some(r) = refusals.get(&id) {
                    return r.clone();
                }
                let r = self.refusal(report, id);
                refusals.insert(id, r.clone());
                r
            };
            Selection::choose(
                &report.sources,
                candidates
                    .iter()
                    .map(|&i| (i, report.diagnostics[i].fix.as_ref().unwrap())),
                &mut refuse,
            )
        };
        let overlapping: Vec<(usize, String)> = selection
            .left_out
            .iter()
            .filter(|(_, why)| why.contains("overlaps"))
            .cloned()
            .collect();
        for (i, why) in &selection.left_out {
            if !why.contains("overlaps") {
                self.reject(report, *i, why.clone());
            }
        }
        if selection.taken.is_empty() {
            for (i, why) in overlapping {
                self.reject(report, i, why);
            }
            return Round::Stop;
        }
        let trial = self.edited(report, &selection);
        let after = self.check(&trial);
        match verify::check(report, &after.report, &selection.taken) {
            None => {
                self.record(report, &selection.taken);
                self.overlay = trial;
                return Round::Changed(Box::new(after));
            }
            Some(why) if selection.taken.len() == 1 => {
                self.reject(report, selection.taken[0], format!("rolled back: {why}"));
                return Round::Again;
            }
            Some(_) => {}
        }
        // Together they fail: try each alone, keep the first that passes (the others are
        // proposed again, with fresh positions, in the next round).
        for &i in &selection.taken {
            let fix = report.diagnostics[i].fix.as_ref().unwrap();
            let alone = Selection::choose(&report.sources, [(i, fix)], &mut |_| None);
            let trial = self.edited(report, &alone);
            let after = self.check(&trial);
            match verify::check(report, &after.report, &[i]) {
                None => {
                    self.record(report, &[i]);
                    self.overlay = trial;
                    return Round::Changed(Box::new(after));
                }
                Some(why) => self.reject(report, i, format!("rolled back: {why}")),
            }
        }
        Round::Again
    }
}

/// Checks with `scan` (the checker with the run's suppressions and rule settings), applies
/// every fix it vouches for, and, when `write`, writes the changed files.
pub fn run(options: &Options, scan: &dyn Fn(&Options) -> Checked, write: bool) -> FixOutcome {
    let mut fixer = Fixer {
        options,
        scan,
        boundary: crate::pipeline::boundary(options),
        overlay: Overlay::new(),
        originals: BTreeMap::new(),
        rejected: HashSet::new(),
        applied: Vec::new(),
        not_applied: Vec::new(),
    };
    let mut checked = scan(options);
    let mut rounds = 0;
    loop {
        match fixer.round(&checked) {
            Round::Stop => break,
            Round::Again => {}
            Round::Changed(next) => checked = *next,
        }
        rounds += 1;
        if rounds == MAX_ROUNDS {
            for (i, d) in checked.report.diagnostics.iter().enumerate() {
                if d.fix.is_some() {
                    fixer.reject(
                        &checked.report,
                        i,
                        format!("the fixer stops after {MAX_ROUNDS} rounds; run --fix again"),
                    );
                }
            }
            break;
        }
    }
    let mut diff = String::new();
    let mut files = Vec::new();
    let mut write_errors = Vec::new();
    for (real, original) in &fixer.originals {
        let Some(new) = fixer.overlay.get(real) else {
            continue;
        };
        if *new == original.bytes {
            continue;
        }
        let shown = crate::report::display_path(&original.shown);
        diff.push_str(&super::diff::unified(
            &shown,
            &String::from_utf8_lossy(&original.bytes),
            &String::from_utf8_lossy(new),
        ));
        if write && let Err(e) = write::replace(&fixer.boundary, real, &original.bytes, new) {
            write_errors.push(e);
            continue;
        }
        files.push(shown);
    }
    FixOutcome {
        outcome: checked,
        applied: fixer.applied,
        not_applied: fixer.not_applied,
        diff,
        files,
        write_errors,
    }
}
