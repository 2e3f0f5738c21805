//! One CloudFormation template: read as JSON or YAML, its sections taken apart, and one
//! [`Resource`] per resource with intrinsic functions resolved.

use super::CfnOptions;
pub use super::intrinsics::SubTexts;
use super::intrinsics::{ParamValue, Pseudo, Resolver, no_value_node, undecided_if};
pub use super::prefilter::Level;
use super::yaml::{MAX_DEPTH, parse_yaml};
use crate::located_json::{OffsetMap, parse_json, parse_json_fast};
use crate::profile::account_hole;
use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString};
use std::borrow::Cow;
use std::collections::HashMap;

/// Transforms read as written: SAM leaves buckets as they are, and the language extensions'
/// functions are evaluated here.
const UNDERSTOOD_TRANSFORMS: [&str; 2] = ["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"];

fn error(file: FileId, span: Option<Span>, message: impl Into<String>) -> LoadError {
    LoadError {
        file: Some(file),
        span,
        path: None,
        message: message.into(),
    }
}

/// Parses the text of `file` as a JSON template (when it starts with `{` and is JSON) or YAML,
/// leaving out what the checker never reads ([`Level::CHECKED`]).
pub fn parse_document(text: &str, file: FileId) -> Result<Node, LoadError> {
    parse_document_at(text, file, Level::CHECKED)
}

/// [`parse_document`], with what is left out of the template chosen by `level`.
pub fn parse_document_at(text: &str, file: FileId, level: Level) -> Result<Node, LoadError> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    if body.trim_start().starts_with('{') {
        let map = OffsetMap::direct(file, bom);
        // What cannot matter is blanked first, as in YAML. The one-pass reader goes no deeper
        // than MAX_DEPTH levels: what it reads passes the depth check, which is left for what
        // it does not read. A blanked text it does not read is read whole below, so an error
        // is the template's own.
        let relevant = super::prefilter_json::relevant_json_at(body, level);
        if let Some(node) = parse_json_fast(&relevant, &map) {
            return Ok(node);
        }
        if let Some(at) = json_too_deep(body) {
            let at = bom + at;
            return Err(error(
                file,
                Some(Span::new(file, at, at + 1)),
                format!("invalid template: nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let json_err = match parse_json(body, &map) {
            Ok(node) => return Ok(node),
            Err(e) => e,
        };
        // A YAML flow mapping also starts with `{`; CloudFormation accepts either.
        return parse_yaml(text, file).map_err(|_| {
            error(
                file,
                Some(json_err.span),
                format!("invalid JSON: {}", json_err.message),
            )
        });
    }
    // What cannot matter is blanked first, and the lines blanked whole left out: far less
    // to build, and the spans moved back to the template's offsets. A blanked text that does
    // not parse is parsed whole, so that the error is the template's own (an alias whose
    // anchor was blanked would otherwise be "unknown").
    let parsed = match super::prefilter::compact_yaml_at(text, level) {
        Some(compact) => match parse_yaml(&compact.text, file)
            .ok()
            .and_then(|node| compact.restore(node))
        {
            Some(node) => Ok(node),
            // A scalar ran over a left-out line, or the text did not parse: the blanked
            // text as it is, then the whole one.
            None => parse_yaml(&super::prefilter::relevant_yaml_at(text, level), file)
                .or_else(|_| parse_yaml(text, file)),
        },
        None => parse_yaml(text, file),
    };
    parsed.map_err(|e| error(file, Some(e.span), format!("invalid YAML: {}", e.message)))
}

/// The offset of the first bracket that opens more than [`MAX_DEPTH`] levels in JSON text.
fn json_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Whether a text looks like a CloudFormation template: a top-level `AWSTemplateFormatVersion`,
/// or a top-level `Resources` map holding `AWS::` types. Reads keys only at the top level,
/// without building a tree, and stops early on a Terraform plan's first key.
pub fn is_template(text: &str) -> bool {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('{') {
        json_is_template(body)
    } else {
        yaml_is_template(body)
    }
}

fn json_is_template(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // Start of the value of the top-level `Resources` key, while inside it.
    let mut resources_from: Option<usize> = None;
    let mut first_key = true;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(bytes.len());
                i += 1;
                if depth != 1 {
                    continue;
                }
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if bytes.get(j) != Some(&b':') {
                    continue;
                }
                let key = &text[start..end];
                if first_key && matches!(key, "format_version" | "terraform_version") {
                    return false;
                }
                first_key = false;
                match key {
                    "AWSTemplateFormatVersion" => return true,
                    "Resources" => resources_from = Some(j + 1),
                    _ => {}
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1
                    && let Some(from) = resources_from.take()
                {
                    let value = &text[from..=i];
                    if value.contains("\"Type\"") && value.contains("\"AWS::") {
                        return true;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The key of a top-level YAML line (`Key:` or `"Key":`), if it is one.
fn yaml_key(line: &str) -> Option<&str> {
    let (key, rest) = if let Some(q) = line.strip_prefix('"') {
        let end = q.find('"')?;
        (&q[..end], &q[end + 1..])
    } else if let Some(q) = line.strip_prefix('\'') {
        let end = q.find('\'')?;
        (&q[..end], &q[end + 1..])
    } else {
        let end = line.find(':')?;
        (line[..end].trim_end(), &line[end..])
    };
    let rest = rest.trim_start();
    let after = rest.strip_prefix(':')?;
    (after.is_empty() || after.starts_with([' ', '\t', '\r'])).then_some(key)
}

fn yaml_is_template(text: &str) -> bool {
    let mut in_resources = false;
    for line in text.lines() {
        let indented = line.starts_with([' ', '\t']);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !indented {
            in_resources = false;
            match yaml_key(line) {
                Some("AWSTemplateFormatVersion") => return true,
                Some("Resources") => in_resources = true,
                _ => {}
            }
        } else if in_resources
            && let Some(key) = yaml_key(trimmed)
            && key == "Type"
        {
            let value = trimmed[trimmed.find(':').map_or(0, |i| i + 1)..].trim_start();
            let value = value.trim_start_matches(['"', '\'']);
            if value.starts_with("AWS::") {
                return true;
            }
        }
    }
    false
}

/// What reading one template gave.
#[derive(Debug, Default)]
pub struct TemplateLoad {
    /// One resource per logical id that is kept.
    pub resources: Vec<Resource>,
    /// Constructs that leave part of the template unchecked (an `Fn::ForEach` over a
    /// collection not known statically, a macro `Transform`, a resource without a `Type`, …).
    pub notes: Vec<LoadError>,
    /// Limits hit while resolving (nesting depth, the step budget): errors of the run, since
    /// what they left unresolved may hide findings.
    pub limits: Vec<LoadError>,
    /// The names in the `Parameters` section, to tell a `--parameter` nothing declares.
    pub parameters: Vec<String>,
    /// The suppressions in the resources' `Metadata`, read from this parse.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// Where the template string of each `Fn::Sub` call resolved is written.
    pub sub_texts: SubTexts,
}

/// Parses and resolves one template, returning its resources, notes and limits hit (see
/// [`TemplateLoad`]). The error is for a template that cannot be read at all.
pub fn load_template_with_notes(
    sources: &Sources,
    file: FileId,
    opts: &CfnOptions,
) -> Result<TemplateLoad, LoadError> {
    load_template_at(sources, file, opts, Level::CHECKED)
}

/// [`load_template_with_notes`], with what is left out of a YAML template chosen by `level`:
/// at [`Level::EVERY_PROPERTY`], the resources keep the properties the model never reads.
pub fn load_template_at(
    sources: &Sources,
    file: FileId,
    opts: &CfnOptions,
    level: Level,
) -> Result<TemplateLoad, LoadError> {
    let mut root = parse_document_at(&sources.file(file).text, file, level)?;
    let suppressions = crate::suppress::template(sources.file(file), &root);
    // The (first) `Resources` section is taken out of the tree: what resolves to itself is
    // moved into the resources rather than copied.
    let resources_section = match &mut root.kind {
        Kind::Object(members) => members.iter_mut().find(|m| m.key == "Resources").map(|m| {
            let span = m.value.span;
            std::mem::replace(&mut m.value, Node::new(Kind::Null, span))
        }),
        _ => None,
    };
    let Some(top) = root.as_object() else {
        return Err(error(
            file,
            Some(root.span),
            format!(
                "not a CloudFormation template: the top level is {}, not a map of sections",
                root.shape()
            ),
        ));
    };
    let mut notes = Vec::new();
    let mut sections: HashMap<&str, &Member> = HashMap::new();
    for m in top {
        if sections.contains_key(m.key.as_str()) {
            notes.push(error(
                file,
                Some(m.key_span),
                format!("section `{}` appears twice; only the first is read", m.key),
            ));
        } else {
            sections.insert(m.key.as_str(), m);
        }
    }
    let section = |name: &str| sections.get(name).map(|m| &m.value);

    if let Some(t) = section("Transform") {
        read_transforms(t, file, &mut notes);
    }
    let params = read_parameters(section("Parameters"), opts);
    let mut parameters: Vec<String> = params.keys().cloned().collect();
    parameters.sort_unstable();
    let mut conditions: HashMap<&str, &Node> = HashMap::new();
    for m in section("Conditions")
        .and_then(Node::as_object)
        .unwrap_or(&[])
    {
        conditions.entry(m.key.as_str()).or_insert(&m.value);
    }
    let mut resolver = Resolver::new(
        sources,
        file,
        params,
        section("Mappings"),
        conditions,
        pseudo(opts),
    );

    let Some(resources) = resources_section else {
        notes.push(error(
            file,
            Some(Span::new(file, 0, 0)),
            "the template has no Resources section",
        ));
        return Ok(TemplateLoad {
            notes,
            parameters,
            suppressions,
            ..TemplateLoad::default()
        });
    };
    let Some(members) = resources.as_object() else {
        return Err(error(
            file,
            Some(resources.span),
            format!("Resources is {}, not a map of resources", resources.shape()),
        ));
    };
    let mut out = Vec::with_capacity(members.len());
    if members.iter().any(|m| m.key.starts_with("Fn::ForEach::")) {
        let entries = resolver.expand_members(members, &[], 0);
        resolver.set_resources(entries.iter().map(|e| e.key.clone()).collect());
        for entry in &entries {
            let at = (entry.key_span, entry.entry_span);
            let value = Cow::Borrowed(entry.value);
            if let Some(r) = resource(&mut resolver, &entry.key, at, value, &entry.bindings) {
                out.push(r);
            }
        }
    } else {
        // No loops: one resource per member, each value moved out of the section.
        resolver.set_resources(members.iter().map(|m| m.key.clone()).collect());
        let Kind::Object(members) = resources.kind else {
            unreachable!("Resources was just found to be a map");
        };
        for m in members {
            let at = (m.key_span, m.key_span.to(m.value.span));
            if let Some(r) = resource(&mut resolver, &m.key, at, Cow::Owned(m.value), &[]) {
                out.push(r);
            }
        }
    }
    notes.extend(resolver.take_notes());
    Ok(TemplateLoad {
        sub_texts: resolver.take_sub_texts(),
        resources: out,
        notes,
        limits: resolver.take_limits(),
        parameters,
        suppressions,
    })
}

/// One resource, or `None` when it is left out (its condition is false, or it is malformed,
/// which leaves a note): the entry `id` written at `(key_span, entry_span)` with its
/// `value` (moved from when owned) and the `Fn::ForEach` identifiers bound for it.
fn resource(
    resolver: &mut Resolver<'_>,
    id: &str,
    (key_span, entry_span): (Span, Span),
    value: Cow<'_, Node>,
    bindings: &[(String, String)],
) -> Option<Resource> {
    if value.as_object().is_none() {
        resolver.note(
            key_span,
            format!(
                "resource `{id}` is {}, not a map; it is not checked",
                value.shape()
            ),
        );
        return None;
    }
    let rtype = value
        .get("Type")
        .and_then(Node::as_pstr)
        .and_then(PString::as_known)
        .map(str::to_string);
    let Some(rtype) = rtype else {
        resolver.note(
            key_span,
            format!("resource `{id}` has no Type string; it is not checked"),
        );
        return None;
    };
    let mut undecided = None;
    if let Some(cond) = value.get("Condition")
        && let Some(name) = cond.as_pstr().and_then(PString::as_known)
    {
        match resolver.condition(name, cond.span, 0) {
            Some(false) => return None,
            Some(true) => {}
            None => undecided = Some((cond.clone(), name.to_string())),
        }
    }
    let empty = || Node::new(Kind::Object(Vec::new()), entry_span);
    let resolved = match value {
        Cow::Borrowed(value) => value
            .get("Properties")
            .map(|props| resolver.resolve_with(props, bindings, 0)),
        Cow::Owned(mut value) => {
            take_member(&mut value, "Properties").map(|props| resolver.resolve_owned(props, 0))
        }
    };
    let attributes = match resolved {
        None => empty(),
        Some(resolved) => match resolved {
            None => empty(),
            Some(node) if matches!(node.kind, Kind::Object(_)) => node,
            // A bucket whose properties are unknown (a limit was hit resolving them) keeps
            // them unknown, so that its settings are unknown rather than absent.
            Some(node) if rtype == "AWS::S3::Bucket" && matches!(node.kind, Kind::Unknown(_)) => {
                resolver.note(
                    node.span,
                    format!(
                        "the Properties of `{id}` are not known statically; they are not checked"
                    ),
                );
                node
            }
            Some(node) => {
                let span = node.span;
                resolver.note(
                    span,
                    format!(
                        "the Properties of `{id}` are {}, not a map; they are not checked",
                        node.shape()
                    ),
                );
                empty()
            }
        },
    };
    // A bucket policy that exists only when an undecided condition holds: its statements
    // apply only then, as if its document were `!If [Condition, document, AWS::NoValue]`.
    let attributes = match undecided {
        Some((cond, name)) if rtype == "AWS::S3::BucketPolicy" => conditional_member(
            attributes,
            "PolicyDocument",
            cond,
            resolver.condition_why(&name),
        ),
        _ => attributes,
    };
    Some(Resource {
        mode: Mode::Managed,
        rtype,
        address: id.to_string(),
        module: String::new(),
        attributes,
        span: entry_span,
        header: key_span,
        lifecycle: Lifecycle::Unknown,
    })
}

/// The value of the first member `key` of a map, taken out of it (a null left in its place).
fn take_member(map: &mut Node, key: &str) -> Option<Node> {
    let Kind::Object(members) = &mut map.kind else {
        return None;
    };
    let m = members.iter_mut().find(|m| m.key == key)?;
    let span = m.value.span;
    Some(std::mem::replace(&mut m.value, Node::new(Kind::Null, span)))
}

/// `attributes` with the member `key` made `{"Fn::If": [cond, value, AWS::NoValue, why]}`.
fn conditional_member(mut attributes: Node, key: &str, cond: Node, why: String) -> Node {
    if let Kind::Object(members) = &mut attributes.kind
        && let Some(m) = members.iter_mut().find(|m| m.key == key)
    {
        let span = m.value.span;
        let value = std::mem::replace(&mut m.value, Node::new(Kind::Null, span));
        let cond_span = cond.span;
        m.value = undecided_if(cond, value, no_value_node(span), why, cond_span, span, span);
    }
    attributes
}

fn read_transforms(node: &Node, file: FileId, notes: &mut Vec<LoadError>) {
    let items: Vec<&Node> = match &node.kind {
        Kind::Array(items) => items.iter().collect(),
        _ => vec![node],
    };
    for item in items {
        let name = item
            .as_pstr()
            .or_else(|| item.get("Name").and_then(Node::as_pstr))
            .and_then(PString::as_known);
        match name {
            Some(n) if UNDERSTOOD_TRANSFORMS.contains(&n) => {}
            Some(n) => notes.push(error(
                file,
                Some(item.span),
                format!(
                    "Transform `{n}` changes the template when the stack is deployed; the \
                     template is checked as written"
                ),
            )),
            None => notes.push(error(
                file,
                Some(item.span),
                "a Transform whose name is not a string; the template is checked as written",
            )),
        }
    }
}

/// Parameter values: `--parameter` overrides, else `Default`, else a hole.
fn read_parameters(section: Option<&Node>, opts: &CfnOptions) -> HashMap<String, ParamValue> {
    let mut out = HashMap::new();
    for m in section.and_then(Node::as_object).unwrap_or(&[]) {
        let name = m.key.as_str();
        if out.contains_key(name) {
            continue;
        }
        let ptype = m
            .value
            .get("Type")
            .and_then(Node::as_pstr)
            .and_then(PString::as_known)
            .unwrap_or("String");
        let ssm = ptype.starts_with("AWS::SSM::Parameter::Value<");
        let inner = ptype
            .strip_prefix("AWS::SSM::Parameter::Value<")
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(ptype);
        let list = inner == "CommaDelimitedList" || inner.starts_with("List<");
        let given = opts
            .parameters
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        let default = if ssm {
            None
        } else {
            m.value.get("Default").and_then(default_text)
        };
        let value = match given.or(default) {
            Some(v) if list => {
                ParamValue::List(v.split(',').map(|s| s.trim().to_string()).collect())
            }
            Some(v) => ParamValue::Str(v),
            None => {
                let why = if ssm {
                    format!(
                        "parameter {name} is read from SSM Parameter Store when the stack is \
                         deployed (set its value with --parameter {name}=VALUE)"
                    )
                } else {
                    format!(
                        "parameter {name} has no default (set it with --parameter {name}=VALUE)"
                    )
                };
                ParamValue::Hole {
                    hole: Hole::unknown(format!("Parameters.{name}"), why),
                    list,
                }
            }
        };
        out.insert(name.to_string(), value);
    }
    out
}

/// A parameter default as text (a list default, which CloudFormation rejects, is joined).
fn default_text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => s.as_known().map(str::to_string),
        Kind::Number(n) => Some(n.clone()),
        Kind::Bool(b) => Some(b.to_string()),
        Kind::Array(items) => items
            .iter()
            .map(default_text)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        _ => None,
    }
}

fn pseudo(opts: &CfnOptions) -> Pseudo {
    let account = match &opts.account_id {
        Some(a) => PString::known(a.clone()),
        None => PString::hole(account_hole()),
    };
    let region = match &opts.region {
        Some(r) => PString::known(r.clone()),
        None => PString::hole(Hole::segment("region", "the stack's region (--region)")),
    };
    let partition = opts.partition.clone().unwrap_or_else(|| {
        let r = opts.region.as_deref().unwrap_or("");
        if r.starts_with("cn-") {
            "aws-cn"
        } else if r.starts_with("us-gov-") {
            "aws-us-gov"
        } else if r.starts_with("us-isob-") {
            "aws-iso-b"
        } else if r.starts_with("us-iso-") {
            "aws-iso"
        } else {
            "aws"
        }
        .to_string()
    });
    Pseudo {
        account,
        region,
        partition,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template with unread properties in every layout the prefilter blanks or leaves.
    const LAYOUTS: &str = "\
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: !Sub 'key of ${AWS::StackName}'
      EnableKeyRotation: true
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'}
            Action: kms:*
            Resource: '*'
      Tags:
      - Key: team
        Value: !ImportValue not-resolved
  Data:
    Type: AWS::S3::Bucket
    Properties:
      # a comment
      BucketName: !Sub 'data-${Env}'
      VersioningConfiguration:
        Status: Enabled
      LifecycleConfiguration: {Rules: [{Status: Enabled, ExpirationInDays: 1}]}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
      NotificationConfiguration: !If
        - IsProd
        - {TopicConfigurations: []}
        - !Ref AWS::NoValue
      Tags:
        - Key: note
          Value: |
            multi
            line
  Odd:
    Type: AWS::S3::Bucket
    Properties:
      Fn::If: [IsProd, {BucketName: odd-prod}, {BucketName: odd}]
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: '*'
            Action: s3:*
            Resource: !Sub '${Data.Arn}/*'
            Condition: {StringNotEquals: {aws:SourceVpce: vpce-1}}
";

    /// A JSON template with outputs (which the checker leaves unparsed) beside what it reads.
    const OUTPUTS_JSON: &str = r#"{
  "Resources": {
    "Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "data-${AWS::AccountId}"}, "Tags": [{"Key": "k", "Value": {"Ref": "AWS::StackName"}}]}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Fn::ImportValue": "x"}}},
    "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": {"Statement": [
      {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": {"Fn::Sub": "${Data.Arn}/*"},
       "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]}}}
  },
  "Outputs": {
    "Arn": {"Value": {"Fn::GetAtt": ["Data", "Arn"]}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-arn"}}},
    "Odd": {"Value": {"Fn::ImportValue": {"Fn::Sub": "${Missing}"}}}
  }
}"#;

    /// The YAML and JSON templates of `testdata` (every folder), [`LAYOUTS`] and
    /// [`OUTPUTS_JSON`].
    fn templates() -> Vec<(String, String)> {
        fn collect(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                if path.is_dir() {
                    collect(&path, out);
                } else if path
                    .extension()
                    .is_some_and(|e| ["yaml", "yml", "template", "json"].contains(&e.to_str().unwrap_or_default()))
                    && let Ok(text) = std::fs::read_to_string(&path)
                    // (Plans and policies are JSON too.)
                    && (path.extension().is_none_or(|e| e != "json") || is_template(&text))
                {
                    out.push((path.display().to_string(), text));
                }
            }
        }
        let mut out = Vec::new();
        collect(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
            &mut out,
        );
        out.push(("layouts.yaml".into(), LAYOUTS.into()));
        out.push(("outputs.json".into(), OUTPUTS_JSON.into()));
        out
    }

    #[test]
    fn blanking_what_the_model_never_reads_changes_nothing_the_checker_reports() {
        use super::super::prefilter::relevant_yaml_at;
        use super::super::prefilter_json::relevant_json_at;
        let profile = crate::profile::Profile::new(&Default::default()).unwrap();
        let enabled = crate::rules::Enabled::all();
        let report = |sources: &Sources, loaded: Result<TemplateLoad, LoadError>| match loaded {
            Err(e) => format!("{e:?}"),
            Ok(l) => {
                let inventory =
                    super::super::aws::inventory_owned(l.resources, &l.sub_texts, sources);
                let found = crate::rules::run(&inventory, &profile, &enabled);
                // (The inventory's indexes are hash maps: their order is not compared.)
                format!(
                    "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{found:?}",
                    l.notes,
                    l.limits,
                    l.parameters,
                    l.suppressions,
                    inventory.buckets,
                    inventory.policies,
                    inventory.keys,
                    inventory.encryptions,
                    inventory.ownerships,
                    (
                        &inventory.acls,
                        &inventory.grants,
                        &inventory.cloudfront_logs
                    ),
                )
            }
        };
        let (mut blanked, mut json_blanked) = (0, 0);
        for (name, text) in templates() {
            let relevant = |level| match text.trim_start().starts_with('{') {
                true => relevant_json_at(&text, level),
                false => relevant_yaml_at(&text, level),
            };
            if relevant(Level::CHECKED) != relevant(Level::EVERY_PROPERTY) {
                blanked += 1;
            }
            if name.ends_with(".json") && relevant(Level::CHECKED) != text {
                json_blanked += 1;
            }
            let mut sources = Sources::new();
            let file = sources.add(name.clone(), text.clone());
            let opts = CfnOptions::default();
            for level in [Level::EVERY_PROPERTY, Level::WHOLE] {
                let whole = load_template_at(&sources, file, &opts, level);
                let expected = report(&sources, whole);
                let got = report(&sources, load_template_with_notes(&sources, file, &opts));
                assert_eq!(got, expected, "{name} against {level:?}");
            }
        }
        // Not a vacuous comparison: several templates had properties blanked, and several
        // JSON templates had something blanked.
        assert!(blanked >= 3, "{blanked} templates had unread properties");
        assert!(
            json_blanked >= 3,
            "{json_blanked} JSON templates were blanked"
        );
    }

    #[test]
    fn leaving_blanked_lines_out_gives_the_tree_of_the_blanked_text() {
        use super::super::prefilter::{compact_yaml_at, relevant_yaml_at};
        let mut compacted = 0;
        for (name, text) in templates() {
            let file = FileId(0);
            let Some(compact) = compact_yaml_at(&text, Level::CHECKED) else {
                continue;
            };
            let blanked = parse_yaml(&relevant_yaml_at(&text, Level::CHECKED), file);
            let parsed = parse_yaml(&compact.text, file).map(|node| compact.restore(node));
            match (blanked, parsed) {
                (Ok(want), Ok(Some(got))) => assert_eq!(got, want, "{name}"),
                // A text that does not parse is parsed whole (either way).
                (Err(_), Err(_)) => {}
                (want, got) => panic!("{name}: {want:?} against {got:?}"),
            }
            if compact.text.len() < text.len() {
                compacted += 1;
            }
        }
        assert!(compacted >= 3, "{compacted} templates had lines left out");
    }

    #[test]
    fn a_blanked_template_that_does_not_parse_is_reported_as_the_whole_one() {
        // The anchor is in an unread property, its alias in a read one: blanked, the alias
        // has no anchor; whole, aliases are refused (CloudFormation does not accept them).
        let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      \
                    Tags: &t\n        - {Key: a, Value: b}\n      BucketEncryption: *t\n";
        let mut sources = Sources::new();
        let file = sources.add("t.yaml", text);
        let e = load_template_with_notes(&sources, file, &CfnOptions::default()).unwrap_err();
        assert!(e.message.contains("aliases"), "{}", e.message);
        assert_eq!(sources.range(e.span.unwrap()).0.line, 7);
    }

    #[test]
    fn json_depth_ignores_brackets_in_strings() {
        let ok = format!("{{\"a\": \"{}\"}}", "[".repeat(500));
        assert_eq!(json_too_deep(&ok), None);
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(json_too_deep(&deep), Some(MAX_DEPTH));
    }

    #[test]
    fn json_nesting_is_read_to_the_limit_and_refused_past_it() {
        let nested = |levels: usize| {
            format!(
                "{{\"a\": {}1{}}}",
                "[".repeat(levels - 1),
                "]".repeat(levels - 1)
            )
        };
        let file = FileId(0);
        assert!(parse_document(&nested(MAX_DEPTH), file).is_ok());
        let err = parse_document(&nested(MAX_DEPTH + 1), file).unwrap_err();
        assert!(
            err.message.contains("nesting deeper than"),
            "{}",
            err.message
        );
        assert_eq!(err.span.map(|s| s.start), Some(6 + MAX_DEPTH as u32 - 1));
        // Past the limit and not JSON: still the depth error, not a JSON one.
        let bad = format!("{},", nested(MAX_DEPTH + 1));
        let err = parse_document(&bad, file).unwrap_err();
        assert!(
            err.message.contains("nesting deeper than"),
            "{}",
            err.message
        );
    }

    fn load(text: &str) -> Vec<Resource> {
        let mut sources = Sources::new();
        let file = sources.add("t.yaml", text);
        load_template_with_notes(&sources, file, &CfnOptions::default())
            .unwrap()
            .resources
    }

    /// The text an undecided `Fn::If` carries about what its condition rests on.
    fn why_of(node: &Node) -> String {
        let Some(Kind::Array(args)) = node.get("Fn::If").map(|n| &n.kind) else {
            panic!("not an undecided Fn::If: {:?}", node.kind)
        };
        args[3].as_pstr().unwrap().to_string()
    }

    #[test]
    fn an_undecided_if_names_what_its_condition_rests_on() {
        // (A type the model reads whole: the prefilter keeps all its properties.)
        let resources = load(
            "Parameters:\n  Env: {Type: String}\n  Size: {Type: String, Default: big}\n\
             Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n\
             \x20 InMain: !Equals [!Ref AWS::AccountId, '111122223333']\n\
             \x20 Both: !And [!Condition IsProd, !Condition InMain]\n\
             \x20 Either: !Or [!Equals [!Ref Size, big], !Condition IsProd]\n\
             \x20 Loop: !Not [!Condition Loop]\n\
             Resources:\n  B:\n    Type: AWS::S3::AccessPoint\n    Properties:\n\
             \x20     P: !If [IsProd, a, b]\n      A: !If [InMain, a, b]\n\
             \x20     C: !If [Both, a, b]\n      E: !If [Either, a, b]\n      L: !If [Loop, a, b]\n",
        );
        let props = &resources[0].attributes;
        assert!(why_of(props.get("P").unwrap()).contains("--parameter Env=VALUE"));
        assert!(why_of(props.get("A").unwrap()).contains("--account-id"));
        let both = why_of(props.get("C").unwrap());
        assert!(
            both.contains("--parameter Env") && both.contains("--account-id"),
            "{both}"
        );
        // Either is decided (Size is big): its branch is taken.
        assert_eq!(
            props
                .get("E")
                .and_then(Node::as_pstr)
                .and_then(PString::as_known),
            Some("a")
        );
        assert!(why_of(props.get("L").unwrap()).contains("refers to itself"));
    }

    #[test]
    fn a_bucket_policy_on_an_undecided_condition_has_a_conditional_document() {
        let resources = load(
            "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n\
             Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Condition: IsProd\n\
             \x20   Properties:\n      Bucket: b\n      PolicyDocument: {Statement: []}\n",
        );
        let doc = resources[0].attributes.get("PolicyDocument").unwrap();
        assert!(why_of(doc).contains("--parameter Env"));
    }

    #[test]
    fn yaml_keys_are_read_quoted_or_plain() {
        assert_eq!(yaml_key("Resources:"), Some("Resources"));
        assert_eq!(yaml_key("\"Resources\" :  # c"), Some("Resources"));
        assert_eq!(yaml_key("'Type': x"), Some("Type"));
        assert_eq!(yaml_key("Type:AWS::X"), None);
        assert_eq!(yaml_key("- a"), None);
    }
}
