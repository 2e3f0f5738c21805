//! What every front end hands to the model: one [`Resource`] per Terraform resource or data
//! source instance, or CloudFormation resource, with its attributes as located values.
//!
//! Conventions all front ends follow:
//! - `attributes` is an object [`Node`]; nested blocks (`rule { … }`) become a list of objects
//!   under the block's name, even when there is one block.
//! - A value known only after apply is [`Kind::Unknown`](crate::value::Kind::Unknown) or a
//!   partly known string. A reference to another resource's attribute becomes a
//!   [`Hole`](crate::value::Hole) whose `id` is the full address of the attribute
//!   (`module.logs.aws_s3_bucket.this.arn`, `data.aws_iam_policy_document.p.json`), so the
//!   model can link resources and fill in what it knows.
//! - The account id (`data.aws_caller_identity.*.account_id`, `AWS::AccountId`) is the hole
//!   [`profile::account_hole`](crate::profile::account_hole) unless `--account-id` is given.

use crate::source::{FileId, Span};
use crate::value::Node;

/// Managed resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `resource "…" "…"`, or a CloudFormation resource.
    Managed,
    /// `data "…" "…"`.
    Data,
}

/// What a plan says will happen to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Unknown (source code: the resource may already exist).
    Unknown,
    /// The change creates it.
    Created,
    /// It exists and stays (updated or not).
    Existing,
    /// The change deletes it.
    Deleted,
}

/// One resource instance, as a front end read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Managed or data.
    pub mode: Mode,
    /// `aws_s3_bucket`, `AWS::S3::Bucket`, …
    pub rtype: String,
    /// `aws_s3_bucket.data`, `module.logs.aws_s3_bucket.this["a"]`, or a logical id.
    pub address: String,
    /// The module path prefix of `address` (`module.logs.`), empty at the root.
    pub module: String,
    /// The evaluated attributes and nested blocks.
    pub attributes: Node,
    /// The whole block.
    pub span: Span,
    /// The block's header (`resource "aws_s3_bucket" "data"`), or the logical id.
    pub header: Span,
    /// What a plan says will happen to it.
    pub lifecycle: Lifecycle,
}

/// A file that could not be read or parsed, or a construct that could not be evaluated in a
/// way that matters; reported, never skipped in silence.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// The file.
    pub file: Option<FileId>,
    /// Where, when a location is known.
    pub span: Option<Span>,
    /// The path, when the file could not even be loaded.
    pub path: Option<String>,
    /// What went wrong and what was expected.
    pub message: String,
}
