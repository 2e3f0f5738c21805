//! The scan pipeline as one function a test can call: inputs → front ends → model → rules.

use crate::profile::Profile;
use crate::report::Report;
use crate::resource::LoadError;
use crate::rules;
use crate::source::Sources;
use crate::terraform::{self, TerraformOptions};
use std::path::PathBuf;

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or directory.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files, directories and standard input, as named.
    pub inputs: Vec<Input>,
    /// The text of standard input, when it is one of the inputs.
    pub stdin: Option<String>,
    /// Terraform evaluation options.
    pub terraform: TerraformOptions,
}

/// Scans the inputs and runs every rule.
pub fn check(options: &CheckOptions, profile: &Profile) -> Report {
    let mut sources = Sources::new();
    let mut load_errors = Vec::new();
    let paths: Vec<PathBuf> = options
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::Path(p) => Some(p.clone()),
            Input::Stdin => None,
        })
        .collect();
    if let Some(text) = &options.stdin {
        let file = sources.add("<stdin>", text.clone());
        load_errors.push(LoadError {
            file: Some(file),
            span: None,
            path: None,
            message: "standard input holds no input this version reads (expected a Terraform plan or a CloudFormation \
                      template)"
                .into(),
        });
    }
    let loaded = terraform::load(&paths, &options.terraform, &mut sources);
    load_errors.extend(loaded.errors);
    let mut diagnostics = Vec::new();
    for root in &loaded.roots {
        let resources = &loaded.resources[root.resources.clone()];
        let inventory = terraform::aws::inventory(resources, &sources);
        diagnostics.extend(rules::run(&inventory, profile));
    }
    diagnostics.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code).cmp(&(b.span.file, b.span.start, b.rule.code))
    });
    Report {
        sources,
        diagnostics,
        load_errors,
        files: loaded.files,
    }
}
