//! The whole check as one library function: [`run`] takes what to scan and how ([`Options`])
//! and returns the report with its exit status ([`Outcome`]).
//!
//! The way of a diagnostic from file to report, in order:
//! 1. [`crate::inputs`] walks the named paths once (gitignore-aware, `exclude` applied before
//!    anything is opened, every read through [`crate::fsbound`]) and says what each file is;
//! 2. `scan` hands each input to its front end (Terraform sources, plan JSON or state, the
//!    text of `terraform plan`, CloudFormation), builds one model per root module, plan or
//!    template, runs the rules on it, and points a plan's findings at its Terraform sources;
//! 3. [`run`] applies inline suppressions, the `[rules]` severities (with the command line's
//!    changes), the baseline and the minimum severity, and computes the exit status from
//!    `fail_on`.
//!
//! The command line only parses arguments into [`Options`], calls [`run`] and prints.

mod scan;

pub use crate::inputs::Input;
pub use scan::boundary;

use crate::baseline::Baseline;
use crate::cloudformation::CfnOptions;
use crate::config::{Config, RuleLevel};
use crate::profile::Profile;
use crate::report::{self, AppliedConfig, FailOn, Report};
use crate::rules::{RuleInfo, Severity};
use crate::terraform::TerraformOptions;
use std::path::PathBuf;

/// What to scan and how: the inputs, the front ends' options, the configuration and the
/// command line's changes to it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files, directories and standard input, as named.
    pub inputs: Vec<Input>,
    /// The text of standard input, when it is one of the inputs.
    pub stdin: Option<String>,
    /// Terraform evaluation options.
    pub terraform: TerraformOptions,
    /// CloudFormation resolution options.
    pub cloudformation: CfnOptions,
    /// Where the Terraform sources of a plan are, to point findings at the `.tf` lines
    /// (`--source-dir`; by default the current directory when it holds `.tf` files).
    pub source_dir: Option<PathBuf>,
    /// The configuration file as read (its `[rules]`, `fail_on`, `exclude`), or the default.
    pub config: Config,
    /// The command line's changes to `[rules]`, in order, the last one for a rule winning:
    /// `Some(level)` for `--rule CODE=LEVEL` and `--disable` (`off`), `None` for `--enable`.
    pub rule_overrides: Vec<(&'static RuleInfo, Option<RuleLevel>)>,
    /// `--fail-on`, over the configuration's `fail_on` (default: error).
    pub fail_on: Option<FailOn>,
    /// Findings to leave out (`--baseline`).
    pub baseline: Option<Baseline>,
    /// The lowest severity reported (`--min-severity`).
    pub min_severity: Option<Severity>,
    /// Record every finding in [`Outcome::recorded`] (`--write-baseline`); findings then do
    /// not fail the run (exit status 1 becomes 0).
    pub record_baseline: bool,
    /// Edited texts read in place of the files on disk (`--fix` verifying its edits).
    pub overlay: Option<std::sync::Arc<crate::fsbound::Overlay>>,
}

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    /// What to print.
    pub report: Report,
    /// The exit status: 0 clean, 1 findings at or above `fail_on`, 2 an input unusable.
    pub status: u8,
    /// Every finding before the baseline and the minimum severity, when
    /// [`Options::record_baseline`] asked for it.
    pub recorded: Option<Baseline>,
}

/// Scans the inputs, runs every rule, and applies suppressions, `[rules]` severities, the
/// baseline, the minimum severity and `fail_on`.
pub fn run(options: &Options, profile: &Profile) -> Outcome {
    let file_turned_off = options.config.turned_off();
    let mut config = options.config.clone();
    for (rule, level) in &options.rule_overrides {
        config.set_rule(rule, *level);
    }
    let (mut report, suppressions) = scan::scan(options, &config, profile);
    let is_off = |code: &str| config.rule_level(code) == Some(RuleLevel::Off);
    crate::suppress::apply(&mut report, suppressions, &config.exclude, &is_off);
    config.apply_rules(&mut report);
    report.configuration = config.path.as_ref().map(|path| AppliedConfig {
        file: path.display().to_string(),
        turned_off: file_turned_off,
    });
    let recorded = options.record_baseline.then(|| Baseline::of(&report));
    if let Some(baseline) = &options.baseline {
        baseline.apply(&mut report);
    }
    if let Some(min) = options.min_severity {
        report::select::apply_min_severity(&mut report, min);
    }
    let fail_on = options.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let mut status = report::exit_status(&report, fail_on);
    if options.record_baseline && status == 1 {
        status = 0;
    }
    Outcome {
        report,
        status,
        recorded,
    }
}
