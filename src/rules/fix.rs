//! The concrete fixes shown in help texts, filled in with what is known about the Clumio role
//! and written in the syntax of the file being fixed: each piece of policy text is a
//! [`Snippet`] of a [`SnippetKind`] ([`snippet`] writes any kind in any syntax), and the helps
//! shared by several rules are [`Help`]s made of words and snippets.

use super::{Help, Snippet, SnippetKind};
use crate::model::PolicySyntax;
use crate::profile::Profile;

/// The policy text of `kind`, for the Clumio role of `profile`, written in `syntax`.
pub fn snippet(kind: SnippetKind, profile: &Profile, syntax: PolicySyntax) -> Snippet {
    let text = match kind {
        SnippetKind::Exemption => exemption(profile, syntax),
        SnippetKind::ExemptionEntry => exemption_entry(profile, syntax),
        SnippetKind::NotViaAwsService => not_via_aws_service(syntax).to_string(),
        SnippetKind::AnyPrincipal => any_principal(syntax).to_string(),
        SnippetKind::KeyStatement => key_statement(profile, syntax),
    };
    // Terraform text that names the account through the data source says to declare it, in
    // a comment that pastes with it (never a reference to something undeclared).
    let text = if text.contains("${data.aws_caller_identity.current.") {
        format!(
            "{text}\n# needs `data \"aws_caller_identity\" \"current\" {{}}` in the module (add it if the module has none)"
        )
    } else {
        text
    };
    Snippet { kind, syntax, text }
}

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

/// The exemption as an operator entry, to add inside a statement's existing `Condition` (an
/// `aws_iam_policy_document` condition is a block of its own: the same as [`exemption`]).
pub fn exemption_entry(profile: &Profile, syntax: PolicySyntax) -> String {
    let arn = role_arn(profile, syntax);
    match syntax {
        PolicySyntax::Json => format!("\"ArnNotLike\": {{ \"aws:PrincipalArn\": \"{arn}\" }}"),
        PolicySyntax::HclJsonencode => {
            format!("ArnNotLike = {{ \"aws:PrincipalArn\" = \"{arn}\" }}")
        }
        PolicySyntax::PolicyDocument => exemption(profile, syntax),
        PolicySyntax::Yaml => {
            let value = if arn.contains("${") {
                format!("!Sub '{arn}'")
            } else {
                arn
            };
            format!("ArnNotLike:\n  aws:PrincipalArn: {value}")
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

/// The principal that matches everyone, in `syntax`.
pub fn any_principal(syntax: PolicySyntax) -> &'static str {
    match syntax {
        PolicySyntax::Json => "\"Principal\": \"*\"",
        PolicySyntax::HclJsonencode => "Principal = \"*\"",
        PolicySyntax::PolicyDocument => {
            "principals {\n  type        = \"*\"\n  identifiers = [\"*\"]\n}"
        }
        PolicySyntax::Yaml => "Principal: '*'",
    }
}

/// The sentence shared by the Deny rules: how to exempt the role.
pub fn exempt_help(profile: &Profile, syntax: PolicySyntax) -> Help {
    Help::text(
        "exempt the Clumio role: add this to the statement's conditions (it is ANDed with the others, and \
         aws:PrincipalArn is the role ARN with its path for every session; when the statement already has a \
         Condition, add the ArnNotLike operator inside it, or the role to the values of its ArnNotLike \
         aws:PrincipalArn):\n",
    )
    .then_snippet(snippet(SnippetKind::Exemption, profile, syntax))
}

/// Help for replacing `NotPrincipal` with `Principal: "*"` and an `ArnNotLike` exception.
pub fn replace_notprincipal_help(profile: &Profile, syntax: PolicySyntax) -> Help {
    Help::text("replace `NotPrincipal` with\n")
        .then_snippet(snippet(SnippetKind::AnyPrincipal, profile, syntax))
        .then_text(
            "\nand exempt the principals it listed with an ArnNotLike condition on \
             aws:PrincipalArn, which covers every session of the role:\n",
        )
        .then_snippet(snippet(SnippetKind::Exemption, profile, syntax))
}

/// `words`, then the key-policy statement that grants the role (the help of the key rules).
pub fn key_statement_help(
    words: impl Into<String>,
    profile: &Profile,
    syntax: PolicySyntax,
) -> Help {
    Help::text(words).then_snippet(snippet(SnippetKind::KeyStatement, profile, syntax))
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
    fn helps_read_as_words_and_snippets_in_the_files_syntax() {
        let p = Profile::new(&ProfileOptions {
            account_id: Some("111122223333".into()),
            ..Default::default()
        })
        .unwrap();
        let help = replace_notprincipal_help(&p, PolicySyntax::Json);
        assert_eq!(
            help.to_string(),
            format!(
                "replace `NotPrincipal` with\n\"Principal\": \"*\"\nand exempt the principals it listed with an \
                 ArnNotLike condition on aws:PrincipalArn, which covers every session of the role:\n{}",
                exemption(&p, PolicySyntax::Json)
            )
        );
        let kinds: Vec<SnippetKind> = help
            .parts
            .iter()
            .filter_map(|part| match part {
                crate::diagnostics::HelpPart::Snippet(s) => Some(s.kind),
                crate::diagnostics::HelpPart::Text(_) => None,
            })
            .collect();
        assert_eq!(kinds, [SnippetKind::AnyPrincipal, SnippetKind::Exemption]);
    }

    #[test]
    fn a_help_is_written_again_in_another_syntax_snippets_only() {
        let p = Profile::new(&ProfileOptions::default()).unwrap();
        let rule = crate::rules::find("CP103").unwrap();
        let mut d = crate::diagnostics::Diagnostic {
            rule,
            severity: rule.severity,
            message: "m".into(),
            help: String::new(),
            span: crate::source::Span::new(crate::source::FileId(0), 0, 0),
            label: "l".into(),
            resource: "r".into(),
            target: None,
            related: Vec::new(),
            fix: None,
            callers: Vec::new(),
            help_parts: Vec::new(),
        };
        // Words that happen to read like policy text stay as they are.
        d.set_help(
            Help::text("not \"Principal\": \"*\" but:\n")
                .then(replace_notprincipal_help(&p, PolicySyntax::Json)),
        );
        d.help_in_syntax(PolicySyntax::Yaml, |kind, syntax| {
            snippet(kind, &p, syntax).text
        });
        assert_eq!(
            d.help,
            format!(
                "not \"Principal\": \"*\" but:\n{}",
                replace_notprincipal_help(&p, PolicySyntax::Yaml)
            )
        );
        // A help of words alone has no parts and is left alone.
        d.help_parts.clear();
        d.help = "words".into();
        d.help_in_syntax(PolicySyntax::Json, |kind, syntax| {
            snippet(kind, &p, syntax).text
        });
        assert_eq!(d.help, "words");
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
