//! Which CloudFormation resource types matter: the one table the prefilter
//! ([`super::prefilter`]) and the model adapter ([`super::aws::inventory`]) read.

/// Resource types the model reads, by prefix.
const MODELLED_PREFIXES: &[&str] = &["AWS::S3::", "AWS::KMS::"];

/// Resource types the model reads, by name.
const MODELLED_TYPES: &[&str] = &["AWS::CloudFront::Distribution"];

/// Whether the model reads resources of type `rtype` (any other resource keeps only what
/// `Ref` and `Fn::GetAtt` need).
pub fn is_modelled(rtype: &str) -> bool {
    MODELLED_PREFIXES.iter().any(|p| rtype.starts_with(p)) || MODELLED_TYPES.contains(&rtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        for t in [
            "AWS::S3::Bucket",
            "AWS::S3::BucketPolicy",
            "AWS::KMS::Key",
            "AWS::KMS::Alias",
            "AWS::CloudFront::Distribution",
        ] {
            assert!(is_modelled(t), "{t}");
        }
        for t in [
            "AWS::IAM::Role",
            "AWS::S3Express::DirectoryBucket",
            "Custom::S3",
            "",
        ] {
            assert!(!is_modelled(t), "{t}");
        }
    }
}
