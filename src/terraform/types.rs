//! Which Terraform resource types matter: the one table the prefilter
//! ([`super::prefilter`]), the plan JSON reader ([`super::plan`]), the plan text reader
//! ([`super::text_plan`]) and the model adapter ([`super::aws`]) read.

/// Managed resource types the model reads, by prefix.
const MODELLED_PREFIXES: &[&str] = &["aws_s3_", "aws_kms_"];

/// Managed resource types the model reads, by name.
const MODELLED_TYPES: &[&str] = &["aws_cloudfront_distribution"];

/// Data sources the front end reads besides: policy documents (rendered into the policies
/// that use them) and the caller identity (the account a plan ran in).
const DATA_SOURCES: &[&str] = &["aws_iam_policy_document", "aws_caller_identity"];

/// Whether the model reads resources of type `rtype` (a `resource` block of any other type
/// can be skipped unparsed).
pub fn is_modelled(rtype: &str) -> bool {
    MODELLED_PREFIXES.iter().any(|p| rtype.starts_with(p)) || MODELLED_TYPES.contains(&rtype)
}

/// Whether a front end reads resources or data sources of type `rtype` at all (every other
/// one is skipped).
pub fn is_read(rtype: &str) -> bool {
    is_modelled(rtype) || DATA_SOURCES.contains(&rtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        for t in [
            "aws_s3_bucket",
            "aws_s3_bucket_policy",
            "aws_kms_key",
            "aws_kms_alias",
            "aws_cloudfront_distribution",
        ] {
            assert!(is_modelled(t) && is_read(t), "{t}");
        }
        for t in ["aws_iam_policy_document", "aws_caller_identity"] {
            assert!(!is_modelled(t) && is_read(t), "{t}");
        }
        for t in ["aws_instance", "aws_s3control_bucket", "aws_iam_role", ""] {
            assert!(!is_read(t), "{t}");
        }
    }
}
