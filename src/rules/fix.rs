//! The concrete fixes shown in help texts, filled in with what is known about the Clumio role
//! and written in the syntax of the file being fixed.

use crate::model::PolicySyntax;
use crate::profile::Profile;

/// The role ARN to exempt: the exact ARN when known, else every role under the Clumio path
/// in the account (written so that it works in the file's syntax).
pub fn role_arn(profile: &Profile, syntax: PolicySyntax) -> String {
    if let [role] = profile.roles.as_slice()
        && let Some(arn) = role.arn.as_known()
    {
        return arn.to_string();
    }
    let account = match profile.account.as_known() {
        Some(a) => a.to_string(),
        None => match syntax {
            PolicySyntax::HclJsonencode | PolicySyntax::PolicyDocument => {
                "${data.aws_caller_identity.current.account_id}".to_string()
            }
            PolicySyntax::Yaml => "${AWS::AccountId}".to_string(),
            PolicySyntax::Json => "ACCOUNT_ID".to_string(),
        },
    };
    format!(
        "arn:{}:iam::{account}:role{}*",
        profile.partition, profile.path
    )
}

/// The condition that exempts every session of the Clumio role from a Deny, in `syntax`.
pub fn exemption(profile: &Profile, syntax: PolicySyntax) -> String {
    let arn = role_arn(profile, syntax);
    match syntax {
        PolicySyntax::Json => {
            format!("\"Condition\": {{ \"ArnNotLike\": {{ \"aws:PrincipalArn\": \"{arn}\" }} }}")
        }
        PolicySyntax::HclJsonencode => {
            format!("Condition = {{ ArnNotLike = {{ \"aws:PrincipalArn\" = \"{arn}\" }} }}")
        }
        PolicySyntax::PolicyDocument => format!(
            "condition {{\n  test     = \"ArnNotLike\"\n  variable = \"aws:PrincipalArn\"\n  values   = [\"{arn}\"]\n}}"
        ),
        PolicySyntax::Yaml => {
            let value = if arn.contains("${") {
                format!("!Sub '{arn}'")
            } else {
                arn
            };
            format!("Condition:\n  ArnNotLike:\n    aws:PrincipalArn: {value}")
        }
    }
}

/// The condition that spares the calls AWS services make on a caller's behalf (S3 decrypting
/// SSE-KMS objects for the Clumio role), in `syntax`, to be ANDed into a key-policy Deny.
pub fn not_via_aws_service(syntax: PolicySyntax) -> &'static str {
    match syntax {
        PolicySyntax::Json => "\"Bool\": { \"aws:ViaAWSService\": \"false\" }",
        PolicySyntax::HclJsonencode => "Bool = { \"aws:ViaAWSService\" = \"false\" }",
        PolicySyntax::PolicyDocument => {
            "condition {\n  test     = \"Bool\"\n  variable = \"aws:ViaAWSService\"\n  values   = [\"false\"]\n}"
        }
        PolicySyntax::Yaml => "Bool:\n  aws:ViaAWSService: 'false'",
    }
}

/// The sentence shared by the Deny rules: how to exempt the role.
pub fn exempt_help(profile: &Profile, syntax: PolicySyntax) -> String {
    format!(
        "exempt the Clumio role: add this to the statement's conditions (it is ANDed with the others, and \
         aws:PrincipalArn is the role ARN with its path for every session):\n{}",
        exemption(profile, syntax)
    )
}

/// Help for replacing `NotPrincipal` with `Principal: "*"` and an `ArnNotLike` exception.
pub fn replace_notprincipal_help(profile: &Profile, syntax: PolicySyntax) -> String {
    let principal = match syntax {
        PolicySyntax::Json => "\"Principal\": \"*\"",
        PolicySyntax::HclJsonencode => "Principal = \"*\"",
        PolicySyntax::PolicyDocument => {
            "principals {\n  type        = \"*\"\n  identifiers = [\"*\"]\n}"
        }
        PolicySyntax::Yaml => "Principal: '*'",
    };
    format!(
        "replace `NotPrincipal` with\n{principal}\nand exempt the principals it listed with an ArnNotLike condition on \
         aws:PrincipalArn, which covers every session of the role:\n{}",
        exemption(profile, syntax)
    )
}

/// The key-policy statement that lets the Clumio role decrypt (backups) and generate data
/// keys (restores), in `syntax`. A known role is named as the principal; otherwise every
/// role under the Clumio path is matched with a condition (principals cannot hold wildcards).
pub fn key_statement(profile: &Profile, syntax: PolicySyntax) -> String {
    let arn = role_arn(profile, syntax);
    let exact = !arn.ends_with('*');
    match syntax {
        PolicySyntax::Json => {
            let (principal, condition) = if exact {
                (format!("{{ \"AWS\": \"{arn}\" }}"), String::new())
            } else {
                (
                    "\"*\"".to_string(),
                    format!(
                        ",\n  \"Condition\": {{ \"ArnLike\": {{ \"aws:PrincipalArn\": \"{arn}\" }} }}"
                    ),
                )
            };
            format!(
                "{{\n  \"Sid\": \"AllowClumioBackupAndRestore\",\n  \"Effect\": \"Allow\",\n  \"Principal\": {principal},\n  \
                 \"Action\": [\"kms:Decrypt\", \"kms:GenerateDataKey*\"],\n  \"Resource\": \"*\"{condition}\n}}"
            )
        }
        PolicySyntax::HclJsonencode => {
            let (principal, condition) = if exact {
                (format!("{{ AWS = \"{arn}\" }}"), String::new())
            } else {
                (
                    "\"*\"".to_string(),
                    format!(
                        "\n  Condition = {{ ArnLike = {{ \"aws:PrincipalArn\" = \"{arn}\" }} }}"
                    ),
                )
            };
            format!(
                "{{\n  Sid       = \"AllowClumioBackupAndRestore\"\n  Effect    = \"Allow\"\n  Principal = {principal}\n  \
                 Action    = [\"kms:Decrypt\", \"kms:GenerateDataKey*\"]\n  Resource  = \"*\"{condition}\n}}"
            )
        }
        PolicySyntax::PolicyDocument => {
            let (principal, condition) = if exact {
                (
                    format!(
                        "  principals {{\n    type        = \"AWS\"\n    identifiers = [\"{arn}\"]\n  }}"
                    ),
                    String::new(),
                )
            } else {
                (
                    "  principals {\n    type        = \"*\"\n    identifiers = [\"*\"]\n  }"
                        .to_string(),
                    format!(
                        "\n  condition {{\n    test     = \"ArnLike\"\n    variable = \"aws:PrincipalArn\"\n    values   = [\"{arn}\"]\n  }}"
                    ),
                )
            };
            format!(
                "statement {{\n  sid       = \"AllowClumioBackupAndRestore\"\n{principal}\n  \
                 actions   = [\"kms:Decrypt\", \"kms:GenerateDataKey*\"]\n  resources = [\"*\"]{condition}\n}}"
            )
        }
        PolicySyntax::Yaml => {
            let value = if arn.contains("${") {
                format!("!Sub '{arn}'")
            } else {
                arn.clone()
            };
            let (principal, condition) = if exact {
                (format!("\n    AWS: {value}"), String::new())
            } else {
                (
                    " '*'".to_string(),
                    format!("\n  Condition:\n    ArnLike:\n      aws:PrincipalArn: {value}"),
                )
            };
            format!(
                "- Sid: AllowClumioBackupAndRestore\n  Effect: Allow\n  Principal:{principal}\n  Action:\n    - kms:Decrypt\n    \
                 - kms:GenerateDataKey*\n  Resource: '*'{condition}"
            )
        }
    }
}

/// The fix for an ownership setting that leaves objects with other accounts.
pub fn ownership_fix(syntax: PolicySyntax) -> &'static str {
    match syntax {
        PolicySyntax::Yaml | PolicySyntax::Json => {
            "set `OwnershipControls: { Rules: [{ ObjectOwnership: BucketOwnerEnforced }] }`: the bucket owner then owns every \
             object, existing and new, and ACLs stop counting"
        }
        _ => {
            "set `object_ownership = \"BucketOwnerEnforced\"` in the aws_s3_bucket_ownership_controls rule: the bucket owner then \
             owns every object, existing and new, and ACLs stop counting"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileOptions;

    #[test]
    fn known_role_is_exempted_exactly() {
        let p = Profile::new(&ProfileOptions {
            role_arn: Some("arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            exemption(&p, PolicySyntax::Json),
            "\"Condition\": { \"ArnNotLike\": { \"aws:PrincipalArn\": \"arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc\" } }"
        );
    }

    #[test]
    fn the_via_service_condition_is_written_in_the_files_syntax() {
        assert_eq!(
            not_via_aws_service(PolicySyntax::Json),
            "\"Bool\": { \"aws:ViaAWSService\": \"false\" }"
        );
        assert_eq!(
            not_via_aws_service(PolicySyntax::HclJsonencode),
            "Bool = { \"aws:ViaAWSService\" = \"false\" }"
        );
        assert!(not_via_aws_service(PolicySyntax::PolicyDocument).contains("test     = \"Bool\""));
        assert!(not_via_aws_service(PolicySyntax::Yaml).starts_with("Bool:\n"));
    }

    #[test]
    fn unknown_role_uses_the_path_and_the_files_account_syntax() {
        let p = Profile::new(&ProfileOptions::default()).unwrap();
        assert_eq!(
            role_arn(&p, PolicySyntax::HclJsonencode),
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/clumio/*"
        );
        assert!(
            exemption(&p, PolicySyntax::Yaml)
                .contains("!Sub 'arn:aws:iam::${AWS::AccountId}:role/clumio/*'")
        );
        let q = Profile::new(&ProfileOptions {
            account_id: Some("111122223333".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            role_arn(&q, PolicySyntax::Json),
            "arn:aws:iam::111122223333:role/clumio/*"
        );
    }
}
