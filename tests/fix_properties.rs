//! Property test of `--fix` on generated bucket policies: a Deny statement with a random
//! set of conditions (none, a VPC guard, an IP guard, a TLS guard, an exemption of another
//! role, an `ArnNotLike` on another key), written in a random syntax (`jsonencode` HCL, a JSON
//! heredoc, CloudFormation YAML) and layout (one line or several). Whatever the shape, every
//! finding that blocks the Clumio role gets a fix that applies, the engine then no longer
//! finds the role denied (no CP101/CP102 in the re-check), nothing is rolled back, and only
//! lines that hold the statement's conditions (or the added data source) change.

use clumio_preflight::fix;
use clumio_preflight::pipeline::{self, Input, Options};
use clumio_preflight::profile::{Profile, ProfileOptions};
use proptest::prelude::*;
use proptest::sample::subsequence;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One condition of the generated statement: (operator, key, values).
const CONDITIONS: &[(&str, &str, &[&str])] = &[
    ("StringNotEquals", "aws:SourceVpc", &["vpc-0a1b2c3d"]),
    (
        "NotIpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24", "198.51.100.0/24"],
    ),
    ("Bool", "aws:SecureTransport", &["false"]),
    (
        "ArnNotLike",
        "aws:PrincipalArn",
        &["arn:aws:iam::111122223333:role/admin/*"],
    ),
    ("ArnNotLike", "aws:SourceArn", &["arn:aws:s3:::logs"]),
];

/// A condition operator with its keys and their values.
type Operator<'a> = (&'a str, Vec<(&'a str, &'a [&'a str])>);

#[derive(Debug, Clone, Copy)]
enum Syntax {
    Hcl,
    Heredoc,
    Yaml,
}

fn hcl_value(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The file name and text of a bucket with `conditions` on its Deny statement.
fn render(syntax: Syntax, conditions: &[usize], multiline: bool) -> (&'static str, String) {
    let mut ops: Vec<Operator> = Vec::new();
    for &i in conditions {
        let (op, key, values) = CONDITIONS[i];
        match ops.iter_mut().find(|(o, _)| *o == op) {
            Some((_, keys)) => keys.push((key, values)),
            None => ops.push((op, vec![(key, values)])),
        }
    }
    match syntax {
        Syntax::Hcl | Syntax::Heredoc => {
            let json = matches!(syntax, Syntax::Heredoc);
            let (eq, q) = if json { (":", "\"") } else { (" =", "") };
            let sep = if json {
                ", "
            } else if multiline {
                "\n          "
            } else {
                ", "
            };
            let condition = if ops.is_empty() {
                String::new()
            } else {
                let entries: Vec<String> = ops
                    .iter()
                    .map(|(op, keys)| {
                        let inner: Vec<String> = keys
                            .iter()
                            .map(|(k, v)| format!("\"{k}\"{eq} {}", hcl_value(v)))
                            .collect();
                        format!("{q}{op}{q}{eq} {{ {} }}", inner.join(", "))
                    })
                    .collect();
                if multiline && !json {
                    format!(
                        "\n        Condition = {{\n          {}\n        }}",
                        entries.join(sep)
                    )
                } else if json {
                    format!(",\n      \"Condition\": {{ {} }}", entries.join(sep))
                } else {
                    format!("\n        Condition = {{ {} }}", entries.join(sep))
                }
            };
            let text = if json {
                format!(
                    "resource \"aws_s3_bucket\" \"data\" {{\n  bucket = \"acme-data-prod\"\n}}\n\n\
                     resource \"aws_s3_bucket_policy\" \"data\" {{\n  bucket = aws_s3_bucket.data.id\n  policy = <<EOF\n\
                     {{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"Guard\",\n      \"Effect\": \"Deny\",\n      \
                     \"Principal\": \"*\",\n      \"Action\": \"s3:*\",\n      \"Resource\": [\"${{aws_s3_bucket.data.arn}}\", \"${{aws_s3_bucket.data.arn}}/*\"]{condition}\n    }}\n  ]\n}}\nEOF\n}}\n"
                )
            } else {
                format!(
                    "resource \"aws_s3_bucket\" \"data\" {{\n  bucket = \"acme-data-prod\"\n}}\n\n\
                     resource \"aws_s3_bucket_policy\" \"data\" {{\n  bucket = aws_s3_bucket.data.id\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {{\n        Sid       = \"Guard\"\n        Effect    = \"Deny\"\n        \
                     Principal = \"*\"\n        Action    = \"s3:*\"\n        Resource  = [aws_s3_bucket.data.arn, \"${{aws_s3_bucket.data.arn}}/*\"]{condition}\n      }},\n    ]\n  }})\n}}\n"
                )
            };
            ("main.tf", text)
        }
        Syntax::Yaml => {
            let condition = if ops.is_empty() {
                String::new()
            } else {
                let mut c = String::from("\n            Condition:");
                for (op, keys) in &ops {
                    c.push_str(&format!("\n              {op}:"));
                    for (k, v) in keys {
                        if multiline {
                            c.push_str(&format!("\n                {k}:"));
                            for value in v.iter() {
                                c.push_str(&format!("\n                  - '{value}'"));
                            }
                        } else {
                            let items: Vec<String> = v.iter().map(|x| format!("'{x}'")).collect();
                            c.push_str(&format!("\n                {k}: [{}]", items.join(", ")));
                        }
                    }
                }
                c
            };
            (
                "template.yaml",
                format!(
                    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  DataBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      \
                     BucketName: acme-data-prod\n      OwnershipControls:\n        Rules:\n          - ObjectOwnership: BucketOwnerEnforced\n  \
                     DataBucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref DataBucket\n      PolicyDocument:\n        \
                     Version: \"2012-10-17\"\n        Statement:\n          - Sid: Guard\n            Effect: Deny\n            Principal: \"*\"\n            \
                     Action: s3:*\n            Resource:\n              - !Sub \"${{DataBucket.Arn}}/*\"\n              - !GetAtt DataBucket.Arn{condition}\n"
                ),
            )
        }
    }
}

static CASE: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn fixes_of_generated_policies_exempt_the_role(
        syntax in prop_oneof![Just(Syntax::Hcl), Just(Syntax::Heredoc), Just(Syntax::Yaml)],
        conditions in subsequence((0..CONDITIONS.len()).collect::<Vec<_>>(), 0..=3),
        multiline in any::<bool>(),
        account in any::<bool>(),
    ) {
        let dir = std::env::temp_dir().join(format!(
            "cp-fix-prop-{}-{}",
            std::process::id(),
            CASE.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (name, text) = render(syntax, &conditions, multiline);
        std::fs::write(dir.join(name), &text).unwrap();
        let profile = Profile::new(&ProfileOptions {
            account_id: account.then(|| "111122223333".to_string()),
            ..ProfileOptions::default()
        })
        .unwrap();
        let options = Options { inputs: vec![Input::Path(dir.clone())], ..Options::default() };
        let before = pipeline::run(&options, &profile);
        prop_assert!(before.report.load_errors.is_empty(), "{text}\n{:?}", before.report.load_errors);
        let blocking = before
            .report
            .diagnostics
            .iter()
            .filter(|d| matches!(d.rule.code, "CP101" | "CP102"))
            .count();
        // Every guard but TLS-only denies the Clumio role (its requests have no VPC, come
        // from outside the office IPs, are not the admin role, have no source ARN).
        prop_assert!(blocking > 0 || conditions.contains(&2), "{}", text);
        let outcome = fix::run(&options, &|o| pipeline::run(o, &profile), false);
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert!(outcome.not_applied.is_empty(), "{text}\n{:?}\n{}", outcome.not_applied, outcome.diff);
        prop_assert_eq!(
            outcome.applied.iter().filter(|a| matches!(a.code, "CP101" | "CP102")).count(),
            blocking,
            "{}\n{}", text, outcome.diff
        );
        prop_assert!(
            !outcome.outcome.report.diagnostics.iter().any(|d| matches!(d.rule.code, "CP101" | "CP102")),
            "{}\n{}", text, outcome.diff
        );
        // Nothing but the conditions (and the declared data source) changed.
        for line in outcome.diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")) {
            prop_assert!(
                line.contains("Condition") || line.contains("aws:") || line.contains("ArnNotLike") || line.contains('{'),
                "removed {} in\n{}", line, outcome.diff
            );
        }
    }
}
