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

/// The policy of a KMS key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyPolicy {
    /// No policy in the code: the default key policy (the account-root "enable IAM
    /// policies" statement) applies.
    Default,
    /// A policy written in the code.
    Written {
        /// The resource that sets it (the key, or `aws_kms_key_policy.x`).
        resource: String,
        /// The policy attribute.
        span: Span,
        /// The document.
        doc: PolicyDoc,
        /// How it is written.
        syntax: PolicySyntax,
    },
}

/// A customer-managed KMS key defined in the code.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Its resource address or logical id.
    pub resource: String,
    /// Its ARN (usually known only after apply).
    pub arn: PString,
    /// The ids under which other resources refer to it (hole ids and literal ids/ARNs).
    pub refs: Vec<String>,
    /// Its alias names (`alias/data`).
    pub aliases: Vec<PString>,
    /// Its policy.
    pub policy: KeyPolicy,
    /// The resource block.
    pub span: Span,
    /// The resource header.
    pub header: Span,
}

/// The canonical user id of `awslogsdelivery`, the account CloudFront delivers standard
/// (legacy) access logs with: CloudFront gives it `FULL_CONTROL` in the log bucket's ACL.
pub const AWSLOGSDELIVERY_CANONICAL_ID: &str =
    "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0";

/// Evidence that a bucket receives CloudFront standard (legacy) access logs, which
/// CloudFront writes through the bucket ACL (so the bucket needs ACLs enabled).
#[derive(Debug, Clone, PartialEq)]
pub struct CloudFrontLogs {
    /// Index of the bucket, when it is in the code.
    pub bucket: Option<usize>,
    /// The bucket as written.
    pub bucket_expr: PString,
    /// The resource that shows it (the distribution, or the ACL).
    pub resource: String,
    /// What shows it, as a phrase.
    pub evidence: String,
}

/// An encryption-context constraint of a KMS grant: the grant applies only to requests
/// whose encryption context equals the map (`Equals`) or contains every pair (`Subset`).
#[derive(Debug, Clone, PartialEq)]
pub enum ContextConstraint {
    /// `encryption_context_equals`: the context is exactly these pairs.
    Equals(Vec<(String, PString)>),
    /// `encryption_context_subset`: the context holds at least these pairs.
    Subset(Vec<(String, PString)>),
    /// A constraint whose pairs are known only after apply.
    Unknown(Hole),
}

/// A KMS grant (`aws_kms_grant`): lets its grantee principal use a key for the listed
/// operations alongside the key policy (AWS-SEMANTICS.md 3, 5).
#[derive(Debug, Clone, PartialEq)]
pub struct KmsGrant {
    /// Its resource address.
    pub resource: String,
    /// The resource header.
    pub header: Span,
    /// The key it is on, when that key is in the code.
    pub key: Option<usize>,
    /// The key as written (`key_id`).
    pub key_expr: PString,
    /// `grantee_principal`.
    pub grantee: PString,
    /// `operations` (`Decrypt`, `GenerateDataKey`, …); `Err` when known only after apply.
    pub operations: Result<Vec<PString>, Hole>,
    /// The `constraints` (all must hold).
    pub constraints: Vec<ContextConstraint>,
}

/// Which key encrypts a bucket's objects.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyRef {
    /// SSE-S3 (`AES256`): no KMS key involved.
    None,
    /// The AWS managed key `aws/s3`: usable by every same-account caller through S3.
    AwsManaged,
    /// A key defined in the code (index into [`Inventory::keys`]).
    Key(usize),
    /// A key named by a literal id, ARN or alias that is not in the code.
    External(PString),
    /// A key known only after apply.
    Unknown(Hole),
}

/// A bucket's default encryption setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Encryption {
    /// Index of the bucket, when it is in the code.
    pub bucket: Option<usize>,
    /// The bucket as written, for buckets outside the code.
    pub bucket_expr: PString,
    /// The resource that sets it.
    pub resource: String,
    /// The setting (the rule, or the key argument).
    pub span: Span,
    /// `AES256`, `aws:kms`, `aws:kms:dsse`, or unknown.
    pub algorithm: PString,
    /// The key.
    pub key: KeyRef,
    /// Whether S3 Bucket Keys are enabled (the encryption context is then the bucket ARN).
    pub bucket_key: bool,
}

/// A bucket's object ownership setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Ownership {
    /// Index of the bucket, when it is in the code.
    pub bucket: Option<usize>,
    /// The bucket as written.
    pub bucket_expr: PString,
    /// The resource that sets it.
    pub resource: String,
    /// The `object_ownership` / `ObjectOwnership` value.
    pub span: Span,
    /// `ObjectWriter`, `BucketOwnerPreferred`, `BucketOwnerEnforced`, or unknown.
    pub setting: PString,
}

/// An ACL set on a bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Acl {
    /// Index of the bucket, when it is in the code.
    pub bucket: Option<usize>,
    /// The bucket as written.
    pub bucket_expr: PString,
    /// The resource that sets it.
    pub resource: String,
    /// The ACL setting.
    pub span: Span,
    /// What it sets, e.g. `acl = "log-delivery-write"` or `grant`.
    pub what: String,
}

/// A module call whose code is not on disk, so nothing it creates is checked (rule CP904).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleNotLoaded {
    /// The call's address, e.g. `module.s3` or `module.app.module.logs`.
    pub address: String,
    /// The call's `source`.
    pub source: String,
    /// Why its code could not be read, with what to do.
    pub reason: String,
    /// The `module` block.
    pub span: Span,
}

/// Everything the rules look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The buckets.
    pub buckets: Vec<Bucket>,
    /// The bucket policies, each linked to its bucket where possible.
    pub policies: Vec<BucketPolicy>,
    /// The customer-managed KMS keys.
    pub keys: Vec<Key>,
    /// Default-encryption settings.
    pub encryptions: Vec<Encryption>,
    /// Object ownership settings.
    pub ownerships: Vec<Ownership>,
    /// ACLs.
    pub acls: Vec<Acl>,
    /// KMS grants.
    pub grants: Vec<KmsGrant>,
    /// Buckets that receive CloudFront standard (legacy) access logs.
    pub cloudfront_logs: Vec<CloudFrontLogs>,
    /// Module calls whose code could not be read (Terraform sources).
    pub modules_not_loaded: Vec<ModuleNotLoaded>,
    /// Bucket index by name (the first bucket of a name), kept by [`Inventory::add_bucket`].
    by_name: std::collections::HashMap<PString, usize>,
    /// Bucket index by resource address, kept by [`Inventory::add_bucket`].
    by_resource: std::collections::HashMap<String, usize>,
    /// Bucket index by the references that evaluate to its name (`aws_s3_bucket.b.id`,
    /// `aws_s3_bucket_policy.p.id`), kept by [`Inventory::add_reference`].
    by_reference: std::collections::HashMap<String, usize>,
}

/// "the bucket this policy is attached to (…)": the unknowns of its name in words, after the
/// name as written when it is more than one unknown.
fn attached_bucket_in_words(name: &PString) -> String {
    let mut words: Vec<String> = Vec::new();
    for hole in name.holes() {
        let w = hole.in_words();
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let single = matches!(name.parts(), [crate::value::Part::Hole(_)]);
    if single {
        format!(
            "the bucket this policy is attached to ({})",
            words.join("; ")
        )
    } else {
        format!(
            "the bucket this policy is attached to (named `{name}`; {})",
            words.join("; ")
        )
    }
}

impl Inventory {
    /// What a policy's bucket is called in messages: the bucket's resource, the name of a
    /// bucket outside the code, or, when the name is not known statically, the bucket in
    /// words ("the bucket this policy is attached to (variable bucket_name, not known
    /// statically)").
    pub fn target_of(&self, policy: &BucketPolicy) -> String {
        match policy.bucket {
            Some(i) => self.buckets[i].resource.clone(),
            None if policy.bucket_expr.holes().next().is_none() => policy.bucket_expr.to_string(),
            None => attached_bucket_in_words(&policy.bucket_expr),
        }
    }

    /// What a bucket-linked setting is about: the bucket's resource, or its expression.
    pub fn bucket_label(&self, bucket: Option<usize>, expr: &PString) -> String {
        match bucket {
            Some(i) => self.buckets[i].resource.clone(),
            None => expr.to_string(),
        }
    }

    /// The index of the bucket a `bucket` argument names: by equal (possibly partly
    /// known) name, after reference substitution.
    pub fn link_bucket(&self, expr: &PString) -> Option<usize> {
        if expr.parts().is_empty() {
            return None;
        }
        self.by_name.get(expr).copied()
    }

    /// Makes room for `additional` more buckets in the list and its indexes.
    pub fn reserve_buckets(&mut self, additional: usize) {
        self.buckets.reserve(additional);
        self.by_name.reserve(additional);
        self.by_resource.reserve(additional);
    }

    /// Adds a bucket (and indexes it by name and by resource).
    pub fn add_bucket(&mut self, bucket: Bucket) {
        let i = self.buckets.len();
        self.by_name.entry(bucket.name.clone()).or_insert(i);
        self.by_resource.entry(bucket.resource.clone()).or_insert(i);
        self.buckets.push(bucket);
    }

    /// Records that the reference `id` (a hole id such as `aws_s3_bucket.b.id`) evaluates
    /// to the name of bucket `bucket`.
    pub fn add_reference(&mut self, id: String, bucket: usize) {
        self.by_reference.entry(id).or_insert(bucket);
    }

    /// The bucket whose name the reference `id` evaluates to.
    pub fn bucket_of_reference(&self, id: &str) -> Option<usize> {
        self.by_reference.get(id).copied()
    }

    /// The index of the bucket defined by the resource at `address`.
    pub fn bucket_of_resource(&self, address: &str) -> Option<usize> {
        self.by_resource.get(address).copied()
    }

    /// The key a reference names: a hole whose id is one of a key's reference ids, a
    /// literal id or ARN listed there, or an alias name (`alias/x`, or an alias ARN ending
    /// in `:alias/x`, possibly with unknown region and account).
    pub fn find_key(&self, value: &PString) -> Option<usize> {
        if let Some(i) = value.holes().find_map(|h| {
            self.keys
                .iter()
                .position(|k| k.refs.iter().any(|r| **r == *h.id))
        }) {
            return Some(i);
        }
        let tail = match value.parts().last() {
            Some(crate::value::Part::Lit(t)) => t.as_str(),
            _ => "",
        };
        self.keys.iter().position(|k| {
            value
                .as_known()
                .is_some_and(|text| k.refs.iter().any(|r| r == text))
                || k.aliases
                    .iter()
                    .filter_map(|a| a.as_known())
                    .any(|a| value.as_known() == Some(a) || tail.ends_with(&format!(":{a}")))
        })
    }

    /// What a default-encryption setting's key names: SSE-S3, the AWS managed `aws/s3` key
    /// (`aws:kms` without a key), a key of the code, one outside it, or an unknown.
    pub fn key_ref(&self, algorithm: &PString, key: Option<&PString>) -> KeyRef {
        if algorithm.as_known() == Some("AES256") {
            return KeyRef::None;
        }
        let kms = algorithm
            .as_known()
            .is_none_or(|a| a.starts_with("aws:kms"));
        let Some(value) = key.filter(|k| !k.parts().is_empty()) else {
            return if kms {
                KeyRef::AwsManaged
            } else {
                KeyRef::None
            };
        };
        if let Some(i) = self.find_key(value) {
            return KeyRef::Key(i);
        }
        match (value.as_known(), value.parts()) {
            (Some(t), _) if t == "alias/aws/s3" || t.ends_with(":alias/aws/s3") => {
                KeyRef::AwsManaged
            }
            (_, [crate::value::Part::Hole(h)]) => KeyRef::Unknown(h.clone()),
            _ => KeyRef::External(value.clone()),
        }
    }

    /// The evidence that the bucket of a setting (`bucket` index, or the expression for a
    /// bucket outside the code) receives CloudFront standard access logs.
    pub fn cloudfront_logs_of(
        &self,
        bucket: Option<usize>,
        expr: &PString,
    ) -> Option<&CloudFrontLogs> {
        self.cloudfront_logs
            .iter()
            .find(|c| match (bucket, c.bucket) {
                (Some(a), Some(b)) => a == b,
                _ => !expr.parts().is_empty() && c.bucket_expr == *expr,
            })
    }

    /// The bucket name a policy applies to (possibly unknown).
    pub fn bucket_name_of(&self, policy: &BucketPolicy) -> PString {
        match policy.bucket {
            Some(i) => self.buckets[i].name.clone(),
            None => policy.bucket_expr.clone(),
        }
    }
}
