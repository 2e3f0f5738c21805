//! The Clumio role's ARN as a value in the file being fixed: the exact ARN when known, else
//! every role under the Clumio path in the account, with the account from `--account-id` or
//! the plan (through the profile), from an `aws_caller_identity` data source of the module
//! (declared by the fix when the module has none), or from `${AWS::AccountId}` in a
//! template. Never a reference to something undeclared.

use super::text::quoted;
use crate::diagnostics::{Diagnostic, Edit};
use crate::model::PolicySyntax;
use crate::profile::Profile;
use crate::source::{FileId, Sources, Span};

/// The ARN written as a value, and the data source the fix must declare for it, if any.
pub struct Value {
    /// The value in the file's syntax (quoted, `!Sub`, `Fn::Sub`).
    pub text: String,
    /// An edit that declares `data "aws_caller_identity" "current" {}` in the module.
    pub declare: Option<Edit>,
}

/// How the file that holds a policy writes values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    /// A Terraform `.tf` file (interpolation works in `jsonencode`, documents and heredocs).
    Terraform,
    /// A file read as it is (`file("policy.json")`): literals only.
    Plain,
    /// A CloudFormation YAML template.
    CfnYaml,
    /// A CloudFormation JSON template.
    CfnJson,
}

fn host(sources: &Sources, d: &Diagnostic, file: FileId) -> Result<Host, String> {
    let f = sources.file(file);
    if f.name.ends_with(".tf.json") {
        return Err("Terraform JSON syntax (.tf.json) is not edited by --fix".into());
    }
    Ok(if d.resource.contains('.') {
        if f.name.ends_with(".tf") {
            Host::Terraform
        } else {
            Host::Plain
        }
    } else if f.text.trim_start().starts_with('{') {
        Host::CfnJson
    } else {
        Host::CfnYaml
    })
}

/// The folder part of a file name (`""` for a name without one), as
/// [`Sources::in_folder`] reads it.
pub(super) fn folder_of(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The `.tf` files directly in `folder`.
fn module_files<'s>(
    sources: &'s Sources,
    folder: &str,
) -> impl Iterator<Item = (FileId, &'s crate::source::SourceFile)> {
    sources
        .in_folder(folder)
        .iter()
        .map(|&id| (id, sources.file(id)))
        .filter(|(_, f)| f.name.ends_with(".tf"))
}

/// The name of an `aws_caller_identity` data source declared in `folder`, if any.
fn declared_identity(sources: &Sources, folder: &str) -> Option<String> {
    const NEEDLE: &str = "data \"aws_caller_identity\" \"";
    module_files(sources, folder).find_map(|(_, f)| {
        let at = f.text.find(NEEDLE)? + NEEDLE.len();
        let name = f.text[at..].split('"').next()?;
        Some(name.to_string())
    })
}

/// The edit that declares `data "aws_caller_identity" "current" {}` at the end of the first
/// `.tf` file (by name) of `folder`, so that every fix of the module adds the same one.
fn declaration(sources: &Sources, folder: &str) -> Option<Edit> {
    let (id, file) = module_files(sources, folder).min_by(|a, b| a.1.name.cmp(&b.1.name))?;
    let end = file.text.len();
    let newline = if file.text.ends_with('\n') || file.text.is_empty() {
        ""
    } else {
        "\n"
    };
    Some(Edit {
        span: Span::new(id, end, end),
        expected: String::new(),
        text: format!("{newline}\ndata \"aws_caller_identity\" \"current\" {{}}\n"),
    })
}

/// The account as a value of the policy of `d` (written in `syntax`): the literal account
/// when known, else a reference the file can make.
pub fn account_value(
    sources: &Sources,
    profile: &Profile,
    d: &Diagnostic,
    syntax: PolicySyntax,
) -> Result<Value, String> {
    let host = host(sources, d, d.span.file)?;
    if let Some(account) = profile.account.as_known() {
        return Ok(Value {
            text: match (host, syntax) {
                (Host::CfnYaml, PolicySyntax::Yaml) => format!("'{account}'"),
                _ => quoted(account),
            },
            declare: None,
        });
    }
    interpolated(sources, d, host, syntax, &|account| account.to_string())
}

/// `template` applied to the account reference the file can make (`${data.…}` in Terraform,
/// `${AWS::AccountId}` under `!Sub` / `Fn::Sub` in a template).
fn interpolated(
    sources: &Sources,
    d: &Diagnostic,
    host: Host,
    syntax: PolicySyntax,
    template: &dyn Fn(&str) -> String,
) -> Result<Value, String> {
    match (host, syntax) {
        (Host::Terraform, _) => {
            let folder = folder_of(&sources.file(d.span.file).name);
            let (data, declare) = match declared_identity(sources, folder) {
                Some(data) => (data, None),
                None => (
                    "current".to_string(),
                    Some(
                        declaration(sources, folder)
                            .ok_or("the module has no .tf file to declare the account in")?,
                    ),
                ),
            };
            Ok(Value {
                text: quoted(&template(&format!(
                    "${{data.aws_caller_identity.{data}.account_id}}"
                ))),
                declare,
            })
        }
        (Host::CfnYaml, PolicySyntax::Yaml) => Ok(Value {
            text: format!("!Sub '{}'", template("${AWS::AccountId}")),
            declare: None,
        }),
        (Host::CfnJson, _) => Ok(Value {
            text: format!(
                "{{ \"Fn::Sub\": {} }}",
                quoted(&template("${AWS::AccountId}"))
            ),
            declare: None,
        }),
        _ => Err(
            "the account is not known and this file cannot refer to it: give --account-id (or --role-arn)"
                .into(),
        ),
    }
}

/// The Clumio role's ARN as a value of the policy of `d` (written in `syntax`).
pub fn role_arn_value(
    sources: &Sources,
    profile: &Profile,
    d: &Diagnostic,
    syntax: PolicySyntax,
) -> Result<Value, String> {
    let host = host(sources, d, d.span.file)?;
    let known = profile.account.is_known()
        || matches!(profile.roles.as_slice(), [r] if r.arn.as_known().is_some());
    let literal = |arn: String| match (host, syntax) {
        (Host::CfnYaml, PolicySyntax::Yaml) => format!("'{arn}'"),
        _ => quoted(&arn),
    };
    if known {
        return Ok(Value {
            text: literal(crate::rules::fix::role_arn(profile, PolicySyntax::Json)),
            declare: None,
        });
    }
    let arn = |account: &str| {
        format!(
            "arn:{}:iam::{account}:role{}*",
            profile.partition, profile.path
        )
    };
    interpolated(sources, d, host, syntax, &arn)
}
