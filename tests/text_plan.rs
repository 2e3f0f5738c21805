//! The `terraform plan` text front end: fixtures in the format Terraform 1.x prints.

use clumio_preflight::model::PolicyDoc;
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::resource::{Lifecycle, Mode, Resource};
use clumio_preflight::rules;
use clumio_preflight::source::{FileId, LineCol, Sources, Span};
use clumio_preflight::terraform::aws::inventory;
use clumio_preflight::terraform::text_plan::{TextPlan, is_text_plan, load_text_plan};
use clumio_preflight::value::{Hole, Kind, Node, PString, Part};
use std::path::Path;

fn fixture_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/plan/text")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_str(name: &str, text: &str) -> (Sources, FileId, TextPlan) {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let plan = load_text_plan(&sources, file);
    (sources, file, plan)
}

fn load(name: &str) -> (Sources, FileId, TextPlan) {
    load_str(name, &fixture_text(name))
}

fn resource<'a>(plan: &'a TextPlan, address: &str) -> &'a Resource {
    plan.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
            panic!("no resource {address} among {all:?}")
        })
}

fn get<'a>(node: &'a Node, name: &str) -> &'a Node {
    node.get(name)
        .unwrap_or_else(|| panic!("no member {name} in {node:?}"))
}

fn attr<'a>(r: &'a Resource, name: &str) -> &'a Node {
    get(&r.attributes, name)
}

fn known(node: &Node) -> &str {
    node.as_pstr()
        .and_then(PString::as_known)
        .unwrap_or_else(|| panic!("not a known string: {node:?}"))
}

fn items(node: &Node) -> &[Node] {
    match &node.kind {
        Kind::Array(items) => items,
        other => panic!("not a list: {other:?}"),
    }
}

fn hole(node: &Node) -> &Hole {
    match &node.kind {
        Kind::Unknown(h) => h,
        other => panic!("not unknown: {other:?}"),
    }
}

fn start(sources: &Sources, span: Span) -> LineCol {
    sources.range(span).0
}

fn no_errors(plan: &TextPlan) {
    assert!(
        plan.errors.is_empty(),
        "unexpected errors: {:?}",
        plan.errors
    );
}

/// The one statement of the VPC-only deny policy, checked field by field.
fn assert_vpc_deny(policy: &Node, bucket: &str, vpc: &str) {
    assert_eq!(known(get(policy, "Version")), "2012-10-17");
    let statements = items(get(policy, "Statement"));
    assert_eq!(statements.len(), 1);
    let st = &statements[0];
    assert_eq!(known(get(st, "Sid")), "DenyOutsideVpc");
    assert_eq!(known(get(st, "Effect")), "Deny");
    assert_eq!(known(get(st, "Principal")), "*");
    assert_eq!(known(get(st, "Action")), "s3:*");
    let resources: Vec<&str> = items(get(st, "Resource")).iter().map(known).collect();
    assert_eq!(
        resources,
        [
            format!("arn:aws:s3:::{bucket}"),
            format!("arn:aws:s3:::{bucket}/*")
        ]
    );
    let cond = get(get(st, "Condition"), "StringNotEquals");
    assert_eq!(known(get(cond, "aws:SourceVpc")), vpc);
}

#[test]
fn created_bucket_and_vpc_deny_policy() {
    let (sources, _, plan) = load("vpc_deny_create.txt");
    no_errors(&plan);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        ["aws_s3_bucket.data", "aws_s3_bucket_policy.data"]
    );

    let bucket = resource(&plan, "aws_s3_bucket.data");
    assert_eq!(bucket.mode, Mode::Managed);
    assert_eq!(bucket.rtype, "aws_s3_bucket");
    assert_eq!(bucket.module, "");
    assert_eq!(bucket.lifecycle, Lifecycle::Created);
    assert_eq!(known(attr(bucket, "bucket")), "acme-data");
    assert_eq!(attr(bucket, "force_destroy").kind, Kind::Bool(false));
    assert_eq!(known(get(attr(bucket, "tags"), "Name")), "acme-data");
    let arn = hole(attr(bucket, "arn"));
    assert_eq!(&*arn.id, "aws_s3_bucket.data.arn");
    assert_eq!(
        &*arn.why,
        "aws_s3_bucket.data.arn is (known after apply) in the plan text"
    );
    // A nested block known only after apply.
    assert_eq!(
        &*hole(attr(bucket, "versioning")).id,
        "aws_s3_bucket.data.versioning"
    );
    // The provider computes the legacy inline arguments: unknown, they are not the user's.
    for legacy in [
        "policy",
        "acl",
        "grant",
        "server_side_encryption_configuration",
    ] {
        assert!(bucket.attributes.get(legacy).is_none(), "{legacy} kept");
    }

    let policy = resource(&plan, "aws_s3_bucket_policy.data");
    assert_eq!(policy.lifecycle, Lifecycle::Created);
    assert_eq!(known(attr(policy, "bucket")), "acme-data");
    let doc = attr(policy, "policy");
    assert_vpc_deny(doc, "acme-data", "vpc-0a1b2c3d4e5f67890");

    // Spans point at the values in the text.
    let st = &items(get(doc, "Statement"))[0];
    assert_eq!(sources.slice(get(st, "Effect").span), "\"Deny\"");
    let doc_text = sources.slice(doc.span);
    assert!(
        doc_text.starts_with('{') && doc_text.ends_with('}'),
        "{doc_text}"
    );
    assert!(doc_text.contains("+ Version   = \"2012-10-17\""));
    assert_eq!(
        sources.slice(policy.header),
        "resource \"aws_s3_bucket_policy\" \"data\""
    );
    let block = sources.slice(policy.span);
    assert!(block.starts_with("# aws_s3_bucket_policy.data will be created\n"));
    assert!(block.ends_with("        )\n    }"), "{block}");
    let condition_key = get(st, "Condition").as_object().unwrap()[0].key_span;
    assert_eq!(sources.slice(condition_key), "StringNotEquals");
    let vpc = get(
        get(get(st, "Condition"), "StringNotEquals"),
        "aws:SourceVpc",
    );
    assert_eq!(
        start(&sources, vpc.span),
        LineCol {
            line: 65,
            column: 51
        }
    );
    assert_eq!(sources.slice(vpc.span), "\"vpc-0a1b2c3d4e5f67890\"");
    let tags = attr(bucket, "tags");
    assert_eq!(
        sources.slice(tags.span),
        "{\n          + \"Name\" = \"acme-data\"\n        }"
    );
}

/// Every known string of a value, with the line it is on and the text its span covers.
fn strings(sources: &Sources, node: &Node, out: &mut Vec<(String, usize, String)>) {
    match &node.kind {
        Kind::Str(s) => out.push((
            s.to_string(),
            start(sources, node.span).line,
            sources.slice(node.span).to_string(),
        )),
        Kind::Array(items) => items.iter().for_each(|n| strings(sources, n, out)),
        Kind::Object(members) => members.iter().for_each(|m| strings(sources, &m.value, out)),
        _ => {}
    }
}

/// A value with its spans left out, for comparing values read from different texts.
fn shape(node: &Node) -> String {
    match &node.kind {
        Kind::Array(items) => format!(
            "[{}]",
            items.iter().map(shape).collect::<Vec<_>>().join(",")
        ),
        Kind::Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|m| format!("{}={}", m.key, shape(&m.value)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => format!("{other:?}"),
    }
}

#[test]
fn ansi_colours_give_the_same_resources_with_spans_into_the_coloured_text() {
    let (plain_sources, _, plain) = load("vpc_deny_create.txt");
    let (sources, file, coloured) = load("vpc_deny_create_color.txt");
    assert!(sources.file(file).text.contains("\u{1b}[32m+\u{1b}[0m"));
    no_errors(&coloured);
    assert_eq!(plain.resources.len(), coloured.resources.len());
    for (p, c) in plain.resources.iter().zip(&coloured.resources) {
        assert_eq!(p.address, c.address);
        assert_eq!(p.rtype, c.rtype);
        assert_eq!(p.lifecycle, c.lifecycle);
        assert_eq!(shape(&p.attributes), shape(&c.attributes));
        // Same strings, on the same lines, and each span covers exactly the quoted literal.
        let (mut ps, mut cs) = (Vec::new(), Vec::new());
        strings(&plain_sources, &p.attributes, &mut ps);
        strings(&sources, &c.attributes, &mut cs);
        assert_eq!(ps, cs);
        assert_eq!(
            sources.slice(c.header),
            plain_sources.slice(p.header),
            "header"
        );
        assert!(
            sources.slice(c.span).starts_with("# "),
            "{}",
            sources.slice(c.span)
        );
        assert!(sources.slice(c.span).ends_with('}'));
    }
    let policy = resource(&coloured, "aws_s3_bucket_policy.data");
    let st = &items(get(attr(policy, "policy"), "Statement"))[0];
    let effect = get(st, "Effect");
    assert_eq!(sources.slice(effect.span), "\"Deny\"");
    // The escape codes in front of the symbol count as columns of the coloured line.
    let line = start(&sources, effect.span).line;
    let text = sources.file(file).line_text(line);
    assert!(
        text.contains("\u{1b}[32m+\u{1b}[0m\u{1b}[0m Effect"),
        "{text:?}"
    );
}

#[test]
fn update_keeps_the_new_values() {
    let (sources, _, plan) = load("update_policy.txt");
    no_errors(&plan);
    let policy = resource(&plan, "aws_s3_bucket_policy.data");
    assert_eq!(policy.lifecycle, Lifecycle::Existing);
    assert_eq!(known(attr(policy, "id")), "acme-data");
    let doc = attr(policy, "policy");
    // `"AllowAccountRead" -> "DenyOutsideVpc"` and the other changes: the new values only.
    assert_vpc_deny(doc, "acme-data", "vpc-0a1b2c3d4e5f67890");
    let st = &items(get(doc, "Statement"))[0];
    assert_eq!(sources.slice(get(st, "Sid").span), "\"DenyOutsideVpc\"");
    assert_eq!(sources.slice(get(st, "Principal").span), "\"*\"");
    assert_eq!(st.as_object().unwrap().len(), 6, "{st:?}");
    // `bucket` is unchanged, so the text does not show it: the policy's `id` (the bucket's
    // name for `aws_s3_bucket_policy`) links it.
    assert_eq!(known(attr(policy, "bucket")), "acme-data");

    let bucket = resource(&plan, "aws_s3_bucket.data");
    assert_eq!(bucket.lifecycle, Lifecycle::Existing);
    assert_eq!(known(get(attr(bucket, "tags"), "env")), "prod");

    // A document shown only in part is unknown, not guessed.
    let logs = resource(&plan, "aws_s3_bucket_policy.logs");
    let partial = hole(attr(logs, "policy"));
    assert_eq!(&*partial.id, "aws_s3_bucket_policy.logs.policy");
    assert!(partial.why.contains("only partly shown"), "{}", partial.why);

    // Hidden attributes are said once; the bucket the logs policy names by its `id` is not
    // in the text, which is said too.
    assert_eq!(plan.notes.len(), 2, "{:?}", plan.notes);
    assert!(
        plan.notes[1].message.contains("bucket \"acme-logs\""),
        "{:?}",
        plan.notes
    );
    assert!(
        plan.notes[0]
            .message
            .contains("unchanged attributes hidden")
    );
    assert!(plan.notes[0].message.contains("terraform show -json"));
}

#[test]
fn policy_known_after_apply_is_unknown() {
    let (sources, _, plan) = load("known_after_apply.txt");
    no_errors(&plan);
    let policy = resource(&plan, "aws_s3_bucket_policy.logs");
    let h = hole(attr(policy, "policy"));
    assert_eq!(&*h.id, "aws_s3_bucket_policy.logs.policy");
    assert_eq!(
        &*h.why,
        "aws_s3_bucket_policy.logs.policy is (known after apply) in the plan text"
    );
    assert_eq!(
        sources.slice(attr(policy, "policy").span),
        "(known after apply)"
    );
    // Its bucket is `(known after apply)` too: linked through the bucket of the same name
    // in the plan, as a reference to that bucket's id.
    let bucket = attr(policy, "bucket").as_pstr().unwrap();
    assert!(
        matches!(bucket.parts(), [Part::Hole(h)] if &*h.id == "aws_s3_bucket.logs.id"),
        "{bucket:?}"
    );
    let inv = inventory(&plan.resources, &sources);
    assert_eq!(inv.policies.len(), 1);
    assert!(matches!(inv.policies[0].doc, PolicyDoc::Unknown(_)));
}

#[test]
fn replaced_bucket_is_created_with_its_new_values() {
    let (sources, _, plan) = load("replace.txt");
    no_errors(&plan);
    let bucket = resource(&plan, "aws_s3_bucket.data");
    assert_eq!(bucket.lifecycle, Lifecycle::Created);
    // `"acme-data" -> "acme-data-v2" # forces replacement`.
    assert_eq!(known(attr(bucket, "bucket")), "acme-data-v2");
    assert_eq!(
        sources.slice(attr(bucket, "bucket").span),
        "\"acme-data-v2\""
    );
    // `"…" -> (known after apply)`.
    assert_eq!(&*hole(attr(bucket, "arn")).id, "aws_s3_bucket.data.arn");
    assert_eq!(
        &*hole(attr(bucket, "object_lock_enabled")).id,
        "aws_s3_bucket.data.object_lock_enabled"
    );
    // An unchanged important attribute is shown with its value.
    assert_eq!(known(get(attr(bucket, "tags"), "Name")), "acme-data");
    // `~ versioning { … } -> (known after apply)`.
    assert_eq!(
        &*hole(attr(bucket, "versioning")).id,
        "aws_s3_bucket.data.versioning"
    );
    // The old `grant` block goes away, the new one is computed: nothing the user wrote.
    assert!(bucket.attributes.get("grant").is_none());
    assert!(bucket.attributes.get("policy").is_none());
    assert_eq!(plan.notes.len(), 1);
}

#[test]
fn destroyed_policy_is_deleted_with_the_values_it_had() {
    let (sources, _, plan) = load("destroy.txt");
    no_errors(&plan);
    assert_eq!(plan.resources.len(), 1);
    let policy = resource(&plan, "aws_s3_bucket_policy.old");
    assert_eq!(policy.lifecycle, Lifecycle::Deleted);
    assert_eq!(known(attr(policy, "bucket")), "acme-old");
    assert_vpc_deny(attr(policy, "policy"), "acme-old", "vpc-0a1b2c3d4e5f67890");
    // The model does not check what goes away.
    let inv = inventory(&plan.resources, &sources);
    assert!(inv.policies.is_empty());
}

#[test]
fn data_source_read_during_apply() {
    let (_, _, plan) = load("data_read.txt");
    no_errors(&plan);
    let doc = resource(&plan, "data.aws_iam_policy_document.deny");
    assert_eq!(doc.mode, Mode::Data);
    assert_eq!(doc.rtype, "aws_iam_policy_document");
    assert_eq!(doc.lifecycle, Lifecycle::Existing);
    assert_eq!(
        &*hole(attr(doc, "json")).id,
        "data.aws_iam_policy_document.deny.json"
    );
    let statements = items(attr(doc, "statement"));
    assert_eq!(statements.len(), 1);
    let st = &statements[0];
    assert_eq!(known(get(st, "effect")), "Deny");
    assert_eq!(known(&items(get(st, "actions"))[0]), "s3:*");
    assert_eq!(
        &*hole(get(st, "resources")).id,
        "data.aws_iam_policy_document.deny.statement[0].resources"
    );
    let condition = &items(get(st, "condition"))[0];
    assert_eq!(known(get(condition, "variable")), "aws:SourceVpc");
    assert_eq!(
        known(&items(get(condition, "values"))[0]),
        "vpc-0a1b2c3d4e5f67890"
    );
    let principals = &items(get(st, "principals"))[0];
    assert_eq!(known(get(principals, "type")), "*");
    assert_eq!(
        resource(&plan, "aws_s3_bucket_policy.data").lifecycle,
        Lifecycle::Created
    );
}

#[test]
fn module_addresses_keep_their_module_prefix() {
    let (sources, _, plan) = load("modules.txt");
    no_errors(&plan);
    let bucket = resource(&plan, "module.logs[\"a\"].aws_s3_bucket.this");
    assert_eq!(bucket.module, "module.logs[\"a\"].");
    assert_eq!(bucket.rtype, "aws_s3_bucket");
    assert_eq!(
        &*hole(attr(bucket, "arn")).id,
        "module.logs[\"a\"].aws_s3_bucket.this.arn"
    );
    let policy = resource(&plan, "module.logs[\"a\"].aws_s3_bucket_policy.this");
    assert_eq!(policy.module, "module.logs[\"a\"].");
    assert_eq!(
        sources.slice(policy.header),
        "resource \"aws_s3_bucket_policy\" \"this\""
    );
    let inv = inventory(&plan.resources, &sources);
    assert_eq!(inv.policies.len(), 1);
    assert_eq!(inv.policies[0].bucket, Some(0));
}

#[test]
fn changes_outside_terraform_are_skipped() {
    let (sources, file, plan) = load("drift.txt");
    no_errors(&plan);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["aws_s3_bucket_policy.data"]);
    let policy = &plan.resources[0];
    assert_eq!(policy.lifecycle, Lifecycle::Existing);
    // The block read is the planned change, after "Terraform will perform the following
    // actions", not the drift report above it.
    let text = &sources.file(file).text;
    let actions = text
        .find("Terraform will perform the following actions")
        .unwrap();
    assert!(policy.span.start as usize > actions);
    // Its document is shown in part (the unchanged `Version` hidden): the statements shown
    // in full are kept, the hidden `Version` is unknown.
    let doc = attr(policy, "policy");
    assert!(!items(get(doc, "Statement")).is_empty());
    assert!(
        hole(get(doc, "Version"))
            .why
            .contains("hidden in the plan text")
    );
}

#[test]
fn heredoc_policy_is_a_string() {
    let (sources, _, plan) = load("heredoc.txt");
    no_errors(&plan);
    let policy = resource(&plan, "aws_s3_bucket_policy.data");
    let doc = attr(policy, "policy");
    let text = known(doc);
    assert!(
        text.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["),
        "{text}"
    );
    assert!(text.ends_with("  ]\n}"), "{text}");
    assert!(sources.slice(doc.span).starts_with("<<-EOT\n"));
    assert!(sources.slice(doc.span).ends_with("EOT"));
    // The model reads the JSON in it, with positions in the heredoc's lines.
    let inv = inventory(&plan.resources, &sources);
    assert_eq!(inv.policies.len(), 1);
    match &inv.policies[0].doc {
        PolicyDoc::Parsed { errors, .. } => assert!(errors.is_empty(), "{errors:?}"),
        other => panic!("not parsed: {other:?}"),
    }
}

#[test]
fn truncated_text_reports_where_and_keeps_earlier_resources() {
    let (sources, file, plan) = load("truncated.txt");
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["aws_s3_bucket.data"]);
    assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
    let e = &plan.errors[0];
    assert_eq!(e.file, Some(file));
    assert!(e.message.contains("expected `}`"), "{}", e.message);
    assert!(
        e.message.contains("found the end of the text"),
        "{}",
        e.message
    );
    let at = start(&sources, e.span.expect("a location"));
    let lines = sources.file(file).text.lines().count();
    assert_eq!((at.line, at.column), (lines + 1, 1), "{}", e.message);
}

#[test]
fn malformed_block_is_reported_and_the_next_block_is_read() {
    let text = fixture_text("vpc_deny_create.txt")
        .replace("+ Effect    = \"Deny\"", "+ Effect    \"Deny\"");
    let text = text.replace(
        "Plan: 2 to add",
        "  # aws_s3_bucket_public_access_block.data will be created\n  \
         + resource \"aws_s3_bucket_public_access_block\" \"data\" {\n      \
         + block_public_acls = true\n      + bucket            = \"acme-data\"\n    }\n\nPlan: 3 to add",
    );
    let (sources, _, plan) = load_str("bad.txt", &text);
    assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
    let e = &plan.errors[0];
    assert!(
        e.message.contains("expected `=` after `Effect`"),
        "{}",
        e.message
    );
    let at = start(&sources, e.span.unwrap());
    assert_eq!((at.line, at.column), (68, 35), "{}", e.message);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aws_s3_bucket.data",
            "aws_s3_bucket_public_access_block.data"
        ]
    );
    let pab = &plan.resources[1];
    assert_eq!(attr(pab, "block_public_acls").kind, Kind::Bool(true));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 400;
    let mut text = String::from(
        "Terraform will perform the following actions:\n\n  # aws_s3_bucket.deep will be created\n  + resource \"aws_s3_bucket\" \"deep\" {\n      + x = ",
    );
    for _ in 0..depth {
        text.push_str("[\n+ ");
    }
    text.push_str("1\n");
    for _ in 0..depth {
        text.push_str("]\n");
    }
    text.push_str("    }\n");
    let (_, _, plan) = load_str("deep.txt", &text);
    assert!(plan.resources.is_empty());
    assert_eq!(plan.errors.len(), 1);
    assert!(
        plan.errors[0].message.contains("256 levels"),
        "{}",
        plan.errors[0].message
    );
}

#[test]
fn every_prefix_of_a_plan_is_read_without_panicking() {
    for name in [
        "update_policy.txt",
        "vpc_deny_create_color.txt",
        "replace.txt",
        "heredoc.txt",
    ] {
        let text = fixture_text(name);
        let complete = load_str(name, &text).2.resources.len();
        for (i, _) in text.char_indices().step_by(7) {
            let (_, _, plan) = load_str(name, &text[..i]);
            assert!(plan.resources.len() <= complete);
        }
    }
}

#[test]
fn values_of_every_kind() {
    let text = r#"
Terraform will perform the following actions:

  # aws_s3_thing.x will be updated in-place
  ~ resource "aws_s3_thing" "x" {
        id        = "x"
      ~ count     = 1 -> 2
      ~ ratio     = 0.5 -> 1e+06
      - old       = "gone" -> null
      ~ cleared   = "was" -> null
      ~ secret    = (sensitive value)
      ~ escaped   = "a\"b\\c\n\u00e9" -> "tab\there \"q\""
      ~ lines     = <<-EOT
            first
          - second
          + second, edited
            third
        EOT
      ~ list      = [
          - "a",
          + "b",
            "c",
            # (2 unchanged elements hidden)
        ]
      + obj       = {
          + "key with space" = "v"
          + nested           = jsonencode(
                {
                  + inner = jsonencode(
                        {
                          + a = 1
                        }
                    )
                }
            )
        }
      + empty     = jsonencode({})
      ~ ws        = jsonencode( # whitespace changes
                {
                    a = [
                        1,
                        true,
                    ]
                }
            )

      ~ rule "label" {
          ~ enabled = false -> true
        }
      + rule {
            # At least one attribute in this block is (or was) sensitive,
            # so its contents will not be displayed.
        }
    }
"#;
    let (sources, _, plan) = load_str("kinds.txt", text);
    no_errors(&plan);
    let r = resource(&plan, "aws_s3_thing.x");
    assert_eq!(attr(r, "count").kind, Kind::Number("2".into()));
    assert_eq!(attr(r, "ratio").kind, Kind::Number("1e+06".into()));
    assert!(r.attributes.get("old").is_none());
    assert_eq!(attr(r, "cleared").kind, Kind::Null);
    assert_eq!(sources.slice(attr(r, "cleared").span), "null");
    assert_eq!(
        &*hole(attr(r, "secret")).why,
        "aws_s3_thing.x.secret is (sensitive value) in the plan text"
    );
    assert_eq!(known(attr(r, "escaped")), "tab\there \"q\"");
    assert_eq!(known(attr(r, "lines")), "first\nsecond, edited\nthird");
    let list: Vec<&str> = items(attr(r, "list")).iter().map(known).collect();
    assert_eq!(list, ["b", "c"]);
    let obj = attr(r, "obj");
    assert_eq!(known(get(obj, "key with space")), "v");
    // jsonencode inside a document encodes a string.
    assert_eq!(known(get(get(obj, "nested"), "inner")), "{\"a\":1}");
    assert_eq!(attr(r, "empty").kind, Kind::Object(Vec::new()));
    let ws = items(get(attr(r, "ws"), "a"));
    assert_eq!(ws[0].kind, Kind::Number("1".into()));
    assert_eq!(ws[1].kind, Kind::Bool(true));
    let rules = items(attr(r, "rule"));
    assert_eq!(rules.len(), 2);
    assert_eq!(get(&rules[0], "enabled").kind, Kind::Bool(true));
    assert_eq!(&*hole(&rules[1]).id, "aws_s3_thing.x.rule[1]");
    assert_eq!(plan.notes.len(), 1, "{:?}", plan.notes);
}

#[test]
fn destroyed_deposed_and_forgotten_objects() {
    let text = r#"
Terraform will perform the following actions:

  # aws_s3_bucket.b (deposed object 1a2b3c4d) will be destroyed
  # (left over from a partially-failed replacement of this instance)
  - resource "aws_s3_bucket" "b" {
      - bucket = "acme-b" -> null
    }

 # aws_s3_bucket.kept will no longer be managed by Terraform, but will not be destroyed
 # (destroy = false is set in the configuration)
 . resource "aws_s3_bucket" "kept" {
      - bucket = "acme-kept" -> null
    }

  # aws_s3_bucket.old has moved to aws_s3_bucket.new
    resource "aws_s3_bucket" "new" {
        id     = "acme-new"
        # (2 unchanged attributes hidden)
    }

Plan: 0 to add, 0 to change, 1 to destroy.
"#;
    let (_, _, plan) = load_str("misc.txt", text);
    no_errors(&plan);
    let b = resource(&plan, "aws_s3_bucket.b");
    assert_eq!(b.lifecycle, Lifecycle::Deleted);
    assert_eq!(known(attr(b, "bucket")), "acme-b");
    let kept = resource(&plan, "aws_s3_bucket.kept");
    assert_eq!(kept.lifecycle, Lifecycle::Existing);
    assert_eq!(known(attr(kept, "bucket")), "acme-kept");
    let moved = resource(&plan, "aws_s3_bucket.new");
    assert_eq!(moved.lifecycle, Lifecycle::Existing);
    assert_eq!(known(attr(moved, "id")), "acme-new");
}

#[test]
fn plan_text_is_recognised() {
    for name in [
        "vpc_deny_create.txt",
        "vpc_deny_create_color.txt",
        "update_policy.txt",
        "known_after_apply.txt",
        "replace.txt",
        "destroy.txt",
        "data_read.txt",
        "modules.txt",
        "drift.txt",
        "heredoc.txt",
        "truncated.txt",
    ] {
        assert!(is_text_plan(&fixture_text(name)), "{name}");
    }
    // Only the resource blocks, as pasted into a review.
    let block = "  # aws_s3_bucket.b will be created\n  + resource \"aws_s3_bucket\" \"b\" {\n      + bucket = \"b\"\n    }\n";
    assert!(is_text_plan(block));
    assert!(is_text_plan(
        "\nNo changes. Your infrastructure matches the configuration.\n"
    ));
    assert!(is_text_plan(
        "\u{1b}[1mPlan:\u{1b}[0m 1 to add, 0 to change, 0 to destroy.\n"
    ));
}

#[test]
fn other_inputs_are_not_plan_text() {
    let hcl = r#"
# aws_s3_bucket.data will be created by this module
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }]
  })
}
"#;
    let plan_json = r#"{"format_version":"1.2","terraform_version":"1.9.0","resource_changes":[{"address":"aws_s3_bucket.data","mode":"managed","type":"aws_s3_bucket","name":"data","change":{"actions":["create"],"after":{"bucket":"acme-data"}}}]}"#;
    let yaml = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
"#;
    for (what, text) in [
        ("HCL", hcl),
        ("plan JSON", plan_json),
        ("YAML", yaml),
        ("empty", ""),
    ] {
        assert!(!is_text_plan(text), "{what}");
    }
}

#[test]
fn no_changes_plan_says_nothing_was_checked() {
    let (sources, _, plan) = load_str(
        "none.txt",
        "aws_s3_bucket.data: Refreshing state... [id=acme-data]\n\nNo changes. Your infrastructure matches the configuration.\n",
    );
    no_errors(&plan);
    assert!(plan.resources.is_empty());
    assert_eq!(plan.notes.len(), 1);
    assert!(
        plan.notes[0].message.contains("no changes"),
        "{}",
        plan.notes[0].message
    );
    // Located at the line that says so.
    let at = plan.notes[0].span.expect("a located note");
    assert_eq!(
        (start(&sources, at).line, start(&sources, at).column),
        (3, 1)
    );
}

#[test]
fn inventory_links_the_vpc_deny_policy_to_its_bucket() {
    let (sources, _, plan) = load("vpc_deny_create.txt");
    let inv = inventory(&plan.resources, &sources);
    assert_eq!(inv.buckets.len(), 1);
    assert_eq!(inv.buckets[0].resource, "aws_s3_bucket.data");
    assert_eq!(inv.buckets[0].lifecycle, Lifecycle::Created);
    assert_eq!(inv.policies.len(), 1, "{:?}", inv.policies);
    let bp = &inv.policies[0];
    assert_eq!(bp.resource, "aws_s3_bucket_policy.data");
    assert_eq!(bp.bucket, Some(0));
    match &bp.doc {
        PolicyDoc::Parsed { policy, errors } => {
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(policy.statements.len(), 1);
        }
        other => panic!("not parsed: {other:?}"),
    }
    let profile = Profile::new(&ProfileOptions::default()).unwrap();
    let diagnostics = rules::run(&inv, &profile, &rules::Enabled::all());
    assert!(
        diagnostics.iter().all(|d| d.rule.code != "CP901"),
        "{:?}",
        diagnostics
            .iter()
            .map(|d| (&d.rule.code, &d.message))
            .collect::<Vec<_>>()
    );
}

#[test]
fn windows_line_endings_read_the_same() {
    let (_, _, plain) = load("update_policy.txt");
    let crlf = fixture_text("update_policy.txt").replace('\n', "\r\n");
    let (sources, _, plan) = load_str("crlf.txt", &crlf);
    no_errors(&plan);
    assert_eq!(plain.resources.len(), plan.resources.len());
    for (p, c) in plain.resources.iter().zip(&plan.resources) {
        assert_eq!(shape(&p.attributes), shape(&c.attributes));
    }
    let policy = resource(&plan, "aws_s3_bucket_policy.data");
    let st = &items(get(attr(policy, "policy"), "Statement"))[0];
    assert_eq!(sources.slice(get(st, "Effect").span), "\"Deny\"");
}

#[test]
fn nesting_within_the_bound_is_read() {
    let depth = 250;
    let mut text = String::from(
        "  # aws_s3_bucket.deep will be created\n  + resource \"aws_s3_bucket\" \"deep\" {\n      + x = jsonencode(\n",
    );
    for _ in 0..depth {
        text.push_str("{\n+ a = ");
    }
    text.push_str("\"leaf\"\n");
    for _ in 0..depth {
        text.push_str("}\n");
    }
    text.push_str(")\n    }\n");
    let (_, _, plan) = load_str("deep.txt", &text);
    no_errors(&plan);
    let mut node = attr(&plan.resources[0], "x");
    for _ in 0..depth {
        node = get(node, "a");
    }
    assert_eq!(known(node), "leaf");
}

#[test]
fn unknown_change_descriptions_are_reported_not_skipped() {
    let text = "Terraform will perform the following actions:\n\n  \
                # aws_s3_bucket.x will be frobnicated\n  \
                ~ resource \"aws_s3_bucket\" \"x\" {\n        id = \"x\"\n    }\n\n  \
                # aws_s3_bucket.y will be created\n  \
                # aws_s3_bucket.z will be created\n  \
                + resource \"aws_s3_bucket\" \"z\" {\n      + bucket = \"z\"\n    }\n";
    let (sources, _, plan) = load_str("odd.txt", text);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    // `y` has no block of its own: `z`'s block is not taken for it.
    assert_eq!(addresses, ["aws_s3_bucket.z"]);
    assert_eq!(plan.errors.len(), 2, "{:?}", plan.errors);
    assert!(
        plan.errors[0].message.contains("will be frobnicated"),
        "{}",
        plan.errors[0].message
    );
    assert_eq!(start(&sources, plan.errors[0].span.unwrap()).line, 3);
    assert!(
        plan.errors[1]
            .message
            .contains("expected `resource \"TYPE\" \"NAME\" {`"),
        "{}",
        plan.errors[1].message
    );
    assert_eq!(start(&sources, plan.errors[1].span.unwrap()).line, 9);
}

#[test]
fn deferred_changes_and_failed_plans_are_noted() {
    let text = "\nNote: This is a partial plan, parts can only be known in the next plan / apply cycle.\n\n  \
                # aws_s3_bucket.later was deferred\n  \
                #  (because a prerequisite for this resource is deferred)\n  \
                + resource \"aws_s3_bucket\" \"later\" {\n      + bucket = \"later\"\n    }\n\n\
                Terraform planned the following actions, but then encountered a problem:\n\n  \
                # aws_s3_bucket.now will be created\n  \
                + resource \"aws_s3_bucket\" \"now\" {\n      + bucket = \"now\"\n    }\n";
    let (sources, _, plan) = load_str("partial.txt", text);
    no_errors(&plan);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses, ["aws_s3_bucket.now"]);
    assert_eq!(plan.notes.len(), 2, "{:?}", plan.notes);
    assert!(
        plan.notes[0]
            .message
            .contains("1 resource change is deferred"),
        "{}",
        plan.notes[0].message
    );
    assert!(
        plan.notes[1].message.contains("planning failed"),
        "{}",
        plan.notes[1].message
    );
    // Each at the first line that says so: the deferred change's comment, the failure.
    let at = |i: usize| {
        let lc = start(&sources, plan.notes[i].span.expect("a located note"));
        (lc.line, lc.column)
    };
    assert_eq!(at(0), (4, 3));
    assert_eq!(at(1), (10, 1));
}

#[test]
fn resources_of_types_no_front_end_reads_are_parsed_but_not_kept() {
    // The front end's table (terraform/types.rs): an instance is nothing the model reads.
    let text = "Terraform will perform the following actions:\n\n  \
                # aws_instance.web will be created\n  \
                + resource \"aws_instance\" \"web\" {\n      + ami = \"ami-123\"\n    }\n\n  \
                # aws_s3_bucket.data will be created\n  \
                + resource \"aws_s3_bucket\" \"data\" {\n      + bucket = \"acme-data\"\n    }\n\n  \
                # data.aws_caller_identity.me will be read during apply\n \
                <= data \"aws_caller_identity\" \"me\" {\n      + id = (known after apply)\n    }\n\n\
                Plan: 2 to add, 0 to change, 0 to destroy.\n";
    let (_, _, plan) = load_str("types.txt", text);
    no_errors(&plan);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        ["aws_s3_bucket.data", "data.aws_caller_identity.me"]
    );
    // Skipped, not unread: a malformed block of such a type is still a located error.
    let broken = text.replace("+ ami = \"ami-123\"", "+ ami = \"ami-123");
    let (sources, _, plan) = load_str("broken.txt", &broken);
    assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
    assert_eq!(start(&sources, plan.errors[0].span.unwrap()).line, 5);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        ["aws_s3_bucket.data", "data.aws_caller_identity.me"]
    );
}
