//! The normalized model every rule reads: buckets, their policies (and, later, keys,
//! encryption and ownership), linked across resources, whichever front end they came from.

use crate::embedded::EmbeddedError;
use crate::policy::ast::Policy;
use crate::policy::parse::PolicyError;
use crate::resource::Lifecycle;
use crate::source::Span;
use crate::value::{Hole, PString};

/// How a policy document is written, so that a fix can be shown in the same syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySyntax {
    /// JSON text (a `.json` file, a heredoc, a JSON string in a template or plan).
    Json,
    /// Terraform `jsonencode({ … })`.
    HclJsonencode,
    /// Terraform `data "aws_iam_policy_document"` blocks.
    PolicyDocument,
    /// A CloudFormation YAML map.
    Yaml,
}

/// A policy document as far as it could be read.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyDoc {
    /// Parsed; `errors` lists what AWS would reject (the policy holds the valid statements).
    Parsed {
        /// The policy.
        policy: Policy,
        /// What AWS would reject.
        errors: Vec<PolicyError>,
    },
    /// Not a policy at all (syntax error, not an object): only errors.
    Invalid(Vec<PolicyError>),
    /// Known only after apply.
    Unknown(Hole),
}

impl PolicyDoc {
    /// Builds a document from the outcome of parsing embedded JSON and then the policy.
    pub fn from_parse(
        result: Result<(Option<Policy>, Vec<PolicyError>), EmbeddedError>,
    ) -> PolicyDoc {
        match result {
            Ok((Some(policy), errors)) => PolicyDoc::Parsed { policy, errors },
            Ok((None, errors)) => PolicyDoc::Invalid(errors),
            Err(EmbeddedError::Json(e)) => PolicyDoc::Invalid(vec![PolicyError {
                span: e.span,
                message: format!("the policy is not valid JSON: {}", e.message),
            }]),
            Err(EmbeddedError::UnknownShape(h)) => PolicyDoc::Unknown(h),
        }
    }
}

/// Where a bucket policy comes from and which bucket it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketPolicy {
    /// The resource that sets it (`aws_s3_bucket_policy.data`, or the bucket itself for an
    /// inline `policy`).
    pub resource: String,
    /// The index of the bucket in [`Inventory::buckets`], when the bucket is in the code.
    pub bucket: Option<usize>,
    /// The bucket's name as written (`aws_s3_bucket.data.id`, a literal…), for buckets
    /// outside the code.
    pub bucket_expr: PString,
    /// The policy attribute (for notes and duplicates).
    pub span: Span,
    /// The document.
    pub doc: PolicyDoc,
    /// How it is written.
    pub syntax: PolicySyntax,
}

/// An S3 bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// Its resource address or logical id.
    pub resource: String,
    /// Its name, possibly unknown.
    pub name: PString,
    /// The resource block.
    pub span: Span,
    /// The resource header.
    pub header: Span,
    /// Whether this change creates it.
    pub lifecycle: Lifecycle,
}

/// Everything the rules look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The buckets.
    pub buckets: Vec<Bucket>,
    /// The bucket policies, each linked to its bucket where possible.
    pub policies: Vec<BucketPolicy>,
}

impl Inventory {
    /// What a policy's bucket is called in messages: the bucket's resource, or the
    /// expression naming a bucket outside the code.
    pub fn target_of(&self, policy: &BucketPolicy) -> String {
        match policy.bucket {
            Some(i) => self.buckets[i].resource.clone(),
            None => policy.bucket_expr.to_string(),
        }
    }

    /// The bucket name a policy applies to (possibly unknown).
    pub fn bucket_name_of(&self, policy: &BucketPolicy) -> PString {
        match policy.bucket {
            Some(i) => self.buckets[i].name.clone(),
            None => policy.bucket_expr.clone(),
        }
    }
}
