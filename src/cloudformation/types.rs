//! Which CloudFormation resource types matter: the one table the prefilter
//! ([`super::prefilter`]) and the model adapter ([`super::aws::inventory`]) read; and, for
//! the prefilter, which properties the adapter reads of each (kept in step with the adapter
//! by the template tests that load every test template with and without them).

/// Resource types the model reads, by prefix.
const MODELLED_PREFIXES: &[&str] = &["AWS::S3::", "AWS::KMS::"];

/// Resource types the model reads, by name.
const MODELLED_TYPES: &[&str] = &["AWS::CloudFront::Distribution"];

/// Whether the model reads resources of type `rtype` (any other resource keeps only what
/// `Ref` and `Fn::GetAtt` need).
pub fn is_modelled(rtype: &str) -> bool {
    MODELLED_PREFIXES.iter().any(|p| rtype.starts_with(p)) || MODELLED_TYPES.contains(&rtype)
}

/// The `Properties` the model adapter ([`super::aws`]) reads of each type it reads, for the
/// types where that is a short list; the prefilter leaves every other property of those
/// types unparsed. Types not listed here are read whole.
const READ_PROPERTIES: &[(&str, &[&str])] = &[
    (
        "AWS::S3::Bucket",
        &[
            "BucketName",
            "BucketEncryption",
            "OwnershipControls",
            "AccessControl",
        ],
    ),
    ("AWS::S3::BucketPolicy", &["Bucket", "PolicyDocument"]),
    ("AWS::KMS::Key", &["KeyPolicy"]),
    ("AWS::KMS::Alias", &["AliasName", "TargetKeyId"]),
    ("AWS::CloudFront::Distribution", &["DistributionConfig"]),
];

/// The properties the model reads of a resource of type `rtype`, when it reads only some
/// (the table of this module); `None` when every property may matter.
pub fn read_properties(rtype: &str) -> Option<&'static [&'static str]> {
    READ_PROPERTIES
        .iter()
        .find(|(t, _)| *t == rtype)
        .map(|(_, props)| *props)
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
        // Every type with a short list is one the model reads.
        for (t, props) in READ_PROPERTIES {
            assert!(is_modelled(t) && !props.is_empty(), "{t}");
        }
        assert_eq!(read_properties("AWS::KMS::Key"), Some(&["KeyPolicy"][..]));
        assert_eq!(read_properties("AWS::S3::AccessPoint"), None);
    }
}
