//! The one contract every front end's load meets: [`Loaded`].
//!
//! Terraform sources ([`crate::terraform::load`]), plan JSON and state
//! ([`crate::terraform::load_plan_json`]), the text of `terraform plan`
//! ([`crate::terraform::load_plan_text`]) and CloudFormation templates
//! ([`crate::cloudformation::load`]) all return a `Loaded`: the resources for the model, the
//! problems that leave part of the input unchecked, located notes, the account the input
//! says it ran in, and the inline suppressions read from the front end's own parse. What
//! only one front end knows (Terraform's root modules, a plan's variables, a template's
//! parameters) is its `extra`.

use crate::resource::{LoadError, Resource};
use crate::source::Sources;
use crate::suppress::Suppression;

/// What a front end's load returns.
#[derive(Debug, Default)]
pub struct Loaded<Extra = ()> {
    /// One resource per resource or data source instance (Terraform), or per resource
    /// (CloudFormation), following the conventions of [`crate::resource`].
    pub resources: Vec<Resource>,
    /// Inputs, or parts of them, that could not be read, parsed or resolved: errors of the
    /// run (what they leave unchecked may hide findings).
    pub errors: Vec<LoadError>,
    /// What the user should know about the input, located where the front end knows where
    /// (a note without file or path is about the input as a whole).
    pub notes: Vec<LoadError>,
    /// The account the input says it ran in (a plan's `aws_caller_identity`), if any.
    pub account: Option<String>,
    /// The inline suppressions written in the input.
    pub suppressions: Vec<Suppression>,
    /// What only this front end produces.
    pub extra: Extra,
}

impl<Extra> Loaded<Extra> {
    /// The same load with `extra` turned into something else.
    pub fn map_extra<Other>(self, f: impl FnOnce(Extra) -> Other) -> Loaded<Other> {
        Loaded {
            resources: self.resources,
            errors: self.errors,
            notes: self.notes,
            account: self.account,
            suppressions: self.suppressions,
            extra: f(self.extra),
        }
    }
}

/// A note as one line: `file:line:column: message`, `file: message`, or the message alone
/// for a note about the input as a whole.
pub fn note_line(sources: &Sources, note: &LoadError) -> String {
    let (name, at) = crate::report::load_error_location(sources, note);
    if name.is_empty() {
        return note.message.clone();
    }
    let at = at.map(|a| format!(":{a}")).unwrap_or_default();
    format!("{name}{at}: {}", note.message)
}
