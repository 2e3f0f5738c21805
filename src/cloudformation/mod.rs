//! The CloudFormation front end: templates in YAML or JSON → [`Resource`]s.
//!
//! - [`yaml`] builds located nodes from YAML without recursion; short tags (`!Ref`, `!Sub`, …)
//!   become their long forms; aliases are rejected (CloudFormation does not accept them).
//! - [`template`] reads the sections (`Parameters`, `Mappings`, `Conditions`, `Resources`,
//!   `Transform`) and produces one resource per logical id: `rtype` is the `Type`, `address`
//!   the logical id, `attributes` the resolved `Properties` (an empty map when absent), `span`
//!   the whole entry and `header` the logical id. A resource whose `Condition` is decidably
//!   false is left out; one whose condition cannot be decided is kept.
//! - `intrinsics` resolves what is knowable (parameters, pseudo parameters, `Fn::Sub`,
//!   `Fn::Join`, `Fn::If` with decidable conditions, …); references to resources become holes
//!   `LOGICALID.Ref` / `LOGICALID.ATTR` for the model to fill in. An undecidable `Fn::If` stays
//!   the object `{"Fn::If": [condition, if-true, if-false, why]}` with both branches resolved
//!   and `why` the text of what the condition rests on (the parameters or pseudo parameters it
//!   reads, with the flag that settles each). A bucket policy whose own `Condition` cannot be
//!   decided gets its `PolicyDocument` wrapped the same way (`!If [Condition, document,
//!   AWS::NoValue]`): its statements apply only when the condition holds.
//! - [`aws`] maps the resources to the model; there an undecided `Fn::If` makes the
//!   statements it chooses conditional ("may block"), and a bucket's settings are read for
//!   each outcome of the conditions they depend on.
//!
//! A template is JSON when it starts with `{` and parses as strict JSON; otherwise (also a YAML
//! flow mapping that starts with `{`) it is YAML. A policy document given as a string
//! (`PolicyDocument: '{"Statement": …}'`) stays a string node spanning its literal, for
//! [`crate::embedded`] to parse with offsets mapped through the quoting.
//!
//! Transforms: SAM (`AWS::Serverless-2016-10-31`) is read as written (buckets stay
//! `AWS::S3::Bucket`); `AWS::LanguageExtensions` is evaluated (`Fn::ForEach` over a collection
//! known statically is expanded, `Fn::Length`, `Fn::ToJsonString`, `Fn::FindInMap`'s
//! `DefaultValue`); any other transform, and any `Fn::ForEach` that cannot be expanded, gives a
//! note (see [`load_template_with_notes`]).

pub mod aws;
pub mod compact;
pub mod prefilter;
pub mod prefilter_json;
pub mod template;
pub mod types;
pub mod yaml;

mod intrinsics;

pub use intrinsics::MAX_RESOLVE_DEPTH;
pub use template::{
    Level, SubTexts, TemplateLoad, is_template, load_template_at, load_template_with_notes,
    parse_document,
};

use crate::resource::{LoadError, Resource};
use crate::source::{FileId, Sources};

/// What the user told us about the stack.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CfnOptions {
    /// `--account-id`: the value of `AWS::AccountId` (else the account hole).
    pub account_id: Option<String>,
    /// `--region`: the value of `AWS::Region` (else a hole).
    pub region: Option<String>,
    /// `--partition`: the value of `AWS::Partition` (else derived from the region, else `aws`).
    pub partition: Option<String>,
    /// `--parameter Key=Value`, overriding parameter defaults (the last one given wins).
    pub parameters: Vec<(String, String)>,
}

/// What only the CloudFormation front end produces.
#[derive(Debug, Default)]
pub struct TemplateFacts {
    /// The names in the `Parameters` section, to tell a `--parameter` nothing declares
    /// (`None` when the template could not be read at all).
    pub parameters: Option<Vec<String>>,
    /// Where the template string of each `Fn::Sub` call resolved is written, for a policy
    /// written as a `Fn::Sub` string to be located without parsing the template again.
    pub sub_texts: SubTexts,
}

/// Parses and resolves one template already added to `sources`: the front-end contract
/// ([`crate::front_end::Loaded`]). Limits hit while resolving are errors; constructs that
/// leave part of the template unchecked are located notes; a template that cannot be read at
/// all is an error and no resources.
pub fn load(
    sources: &Sources,
    file: FileId,
    opts: &CfnOptions,
) -> crate::front_end::Loaded<TemplateFacts> {
    match load_template_with_notes(sources, file, opts) {
        Ok(loaded) => crate::front_end::Loaded {
            resources: loaded.resources,
            errors: loaded.limits,
            notes: loaded.notes,
            account: None,
            suppressions: loaded.suppressions,
            extra: TemplateFacts {
                parameters: Some(loaded.parameters),
                sub_texts: loaded.sub_texts,
            },
        },
        Err(e) => crate::front_end::Loaded {
            errors: vec![e],
            ..Default::default()
        },
    }
}

/// Parses and resolves one template already added to `sources`.
///
/// This is the strict form of [`load_template_with_notes`]: a template that can only be partly
/// checked is an error (the first limit hit or note, with how many more there are) rather than a list of
/// resources that silently misses some. Callers that can report notes beside results (the
/// pipeline) should call [`load_template_with_notes`].
pub fn load_template(
    sources: &Sources,
    file: FileId,
    opts: &CfnOptions,
) -> Result<Vec<Resource>, LoadError> {
    let TemplateLoad {
        resources,
        limits,
        notes,
        ..
    } = load_template_with_notes(sources, file, opts)?;
    let mut notes: Vec<LoadError> = limits.into_iter().chain(notes).collect();
    if notes.is_empty() {
        return Ok(resources);
    }
    let more = notes.len() - 1;
    let mut first = notes.swap_remove(0);
    if more > 0 {
        first.message = format!("{} (and {more} more such notes)", first.message);
    }
    Err(first)
}
