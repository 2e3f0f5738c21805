//! The Terraform HCL front end: files and directories into located resources.

use clumio_preflight::profile::account_hole;
use clumio_preflight::resource::{Mode, Resource};
use clumio_preflight::source::{Sources, Span};
use clumio_preflight::terraform::{LoadedModules, TerraformOptions, load};
use clumio_preflight::value::{Hole, Kind, Node, PString, Part};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/frontend/terraform")
        .join(name)
}

fn load_with(paths: &[PathBuf], opts: &TerraformOptions) -> (LoadedModules, Sources) {
    let mut sources = Sources::new();
    let loaded = load(paths, opts, &mut sources);
    (loaded, sources)
}

fn load_fixture(name: &str) -> (LoadedModules, Sources) {
    load_with(&[fixture(name)], &TerraformOptions::default())
}

fn resource<'a>(loaded: &'a LoadedModules, address: &str) -> &'a Resource {
    loaded
        .resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<&str> = loaded
                .resources
                .iter()
                .map(|r| r.address.as_str())
                .collect();
            panic!("no resource {address} among {all:?}")
        })
}

fn attr<'a>(r: &'a Resource, name: &str) -> &'a Node {
    r.attributes
        .get(name)
        .unwrap_or_else(|| panic!("{} has no attribute {name}: {:?}", r.address, r.attributes))
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
        Kind::Str(s) => match s.parts() {
            [Part::Hole(h)] => h,
            parts => panic!("not a single hole: {parts:?}"),
        },
        other => panic!("not unknown: {other:?}"),
    }
}

/// 1-based line and column of the start of `span`.
fn at(sources: &Sources, span: Span) -> (usize, usize) {
    let (start, _) = sources.range(span);
    (start.line, start.column)
}

fn file_name(sources: &Sources, span: Span) -> String {
    let name = &sources.file(span.file).name;
    Path::new(name)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn jsonencode_keeps_the_policy_object_and_locates_the_statement() {
    let (loaded, sources) = load_fixture("jsonencode");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.extra.files, 1);
    let policy_resource = resource(&loaded, "aws_s3_bucket_policy.p");
    assert_eq!(policy_resource.mode, Mode::Managed);
    assert_eq!(policy_resource.rtype, "aws_s3_bucket_policy");
    assert_eq!(policy_resource.module, "");
    assert_eq!(
        sources.slice(policy_resource.header),
        "resource \"aws_s3_bucket_policy\" \"p\""
    );
    assert_eq!(at(&sources, policy_resource.span), (5, 1));

    let policy = attr(policy_resource, "policy");
    assert!(
        policy.as_object().is_some(),
        "jsonencode returns the object itself"
    );
    let statement = &items(policy.get("Statement").unwrap())[0];
    assert_eq!(at(&sources, statement.span), (10, 7));
    assert_eq!(known(statement.get("Effect").unwrap()), "Deny");
    assert_eq!(
        at(&sources, statement.get("Effect").unwrap().span),
        (12, 21)
    );
    assert_eq!(
        sources.slice(statement.get("Sid").unwrap().span),
        "\"DenyOutsideVpc\""
    );
}

#[test]
fn references_to_resource_attributes_are_holes_named_by_address() {
    let (loaded, sources) = load_fixture("jsonencode");
    let p = resource(&loaded, "aws_s3_bucket_policy.p");
    let bucket = attr(p, "bucket");
    assert_eq!(&*hole(bucket).id, "aws_s3_bucket.b.id");
    assert_eq!(
        &*hole(bucket).why,
        "aws_s3_bucket.b.id is known only after apply"
    );

    let statement = &items(attr(p, "policy").get("Statement").unwrap())[0];
    let resources = items(statement.get("Resource").unwrap());
    // "${aws_s3_bucket.b.arn}/*": a hole, then known text; the span is the whole template.
    let object_arn = resources[0].as_pstr().unwrap();
    match object_arn.parts() {
        [Part::Hole(h), Part::Lit(rest)] => {
            assert_eq!(&*h.id, "aws_s3_bucket.b.arn");
            assert_eq!(rest, "/*");
        }
        parts => panic!("unexpected parts {parts:?}"),
    }
    assert_eq!(
        sources.slice(resources[0].span),
        "\"${aws_s3_bucket.b.arn}/*\""
    );
    // A bare reference to a string attribute is a string made of one hole.
    assert!(matches!(resources[1].kind, Kind::Str(_)));
    assert_eq!(&*hole(&resources[1]).id, "aws_s3_bucket.b.arn");
}

#[test]
fn heredoc_policies_plain_and_indented() {
    let (loaded, sources) = load_fixture("heredoc");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);

    let plain = attr(resource(&loaded, "aws_s3_bucket_policy.plain"), "policy");
    let text = known(plain);
    assert!(
        text.starts_with("{\n  \"Version\": \"2012-10-17\""),
        "{text:?}"
    );
    assert!(text.ends_with("}\n"));
    // A plain <<EOF heredoc is located as exactly its text, inside the heredoc.
    assert_eq!(sources.slice(plain.span), text);
    assert_eq!(at(&sources, plain.span), (4, 1));

    let indented = attr(resource(&loaded, "aws_s3_bucket_policy.indented"), "policy");
    let text = known(indented);
    assert!(
        text.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\""),
        "the indentation is removed: {text:?}"
    );
    assert!(
        text.contains("\"Resource\": \"arn:aws:s3:::b2/*\""),
        "{text:?}"
    );
    // An indented heredoc with interpolation is located as the whole heredoc.
    assert_eq!(at(&sources, indented.span), (13, 12));
    assert!(sources.slice(indented.span).starts_with("<<-EOT"));
    assert!(sources.slice(indented.span).ends_with("EOT"));
}

#[test]
fn file_reads_are_located_in_the_file_read() {
    let (loaded, sources) = load_fixture("file");
    let from_file = attr(
        resource(&loaded, "aws_s3_bucket_policy.from_file"),
        "policy",
    );
    let text = known(from_file);
    assert!(text.contains("\"Effect\": \"Deny\""));
    assert_eq!(file_name(&sources, from_file.span), "policy.json");
    assert_eq!(from_file.span.start, 0);
    assert_eq!(from_file.span.end as usize, text.len());
    assert_eq!(sources.slice(from_file.span), text);

    // "${path.module}/policy.json" is the same file, registered once.
    let via_path = attr(
        resource(&loaded, "aws_s3_bucket_policy.from_path_module"),
        "policy",
    );
    assert_eq!(via_path.span, from_file.span);

    // jsondecode(file(...)) maps every value into the JSON file.
    let decoded = attr(resource(&loaded, "aws_s3_bucket_policy.decoded"), "policy");
    let statement = &items(decoded.get("Statement").unwrap())[0];
    assert_eq!(file_name(&sources, statement.span), "policy.json");
    assert_eq!(at(&sources, statement.span), (4, 5));
    assert_eq!(at(&sources, statement.get("Effect").unwrap().span), (5, 17));

    let templated = attr(
        resource(&loaded, "aws_s3_bucket_policy.templated"),
        "policy",
    );
    assert_eq!(
        known(templated),
        "{\"Resource\": \"arn:aws:s3:::tpl-bucket/*\"}\n"
    );
    assert_eq!(file_name(&sources, templated.span), "policy.tpl");

    let missing = attr(resource(&loaded, "aws_s3_bucket_policy.missing"), "policy");
    assert!(hole(missing).why.contains("nope.json"), "{missing:?}");

    // main.tf, policy.json, policy.tpl.
    assert_eq!(loaded.extra.files, 3);
}

#[test]
fn variables_defaults_tfvars_var_files_and_cli_vars() {
    let (loaded, sources) = load_fixture("vars");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let x = resource(&loaded, "aws_s3_bucket.x");
    assert_eq!(known(attr(x, "a")), "a-tfvars");
    assert_eq!(file_name(&sources, attr(x, "a").span), "terraform.tfvars");
    assert_eq!(known(attr(x, "b")), "b-tfvars");
    assert_eq!(known(attr(x, "c")), "c-default");
    assert_eq!(file_name(&sources, attr(x, "c").span), "variables.tf");
    let d = hole(attr(x, "d"));
    assert_eq!(&*d.id, "var.d");
    assert_eq!(
        &*d.why,
        "variable d has no value (set it in a .tfvars file or with --var)"
    );
    let e: Vec<&str> = items(attr(x, "e")).iter().map(known).collect();
    assert_eq!(e, ["e1", "e2"]);
    assert!(items(attr(x, "f")).is_empty());
    assert_eq!(known(attr(x, "g")), "g-auto");
    assert_eq!(known(attr(x, "h")), "h-default");
    // Locals combine them.
    assert_eq!(known(attr(x, "bucket")), "c-default-a-tfvars");
    assert_eq!(known(attr(x, "tags").get("env").unwrap()), "g-auto");

    let opts = TerraformOptions {
        vars: vec![
            ("b".into(), "b-cli".into()),
            ("d".into(), "d-cli".into()),
            ("f".into(), "[\"x\", \"y\"]".into()),
        ],
        var_files: vec![fixture("vars_files/override.tfvars")],
        ..TerraformOptions::default()
    };
    let (loaded, sources) = load_with(&[fixture("vars")], &opts);
    let x = resource(&loaded, "aws_s3_bucket.x");
    assert_eq!(known(attr(x, "b")), "b-cli");
    // A string from --var is located at the variable's declaration, a file editors open.
    let b_file = &sources.file(attr(x, "b").span.file).name;
    assert!(b_file.ends_with(".tf"), "{b_file}");
    assert!(
        sources
            .slice(attr(x, "b").span)
            .starts_with("variable \"b\"")
    );
    assert_eq!(known(attr(x, "d")), "d-cli");
    let f: Vec<&str> = items(attr(x, "f")).iter().map(known).collect();
    assert_eq!(f, ["x", "y"], "a list variable's --var is an expression");
    assert_eq!(known(attr(x, "h")), "h-var-file");
    assert_eq!(known(attr(x, "a")), "a-tfvars");
}

#[test]
fn modules_with_for_each_are_instances_with_module_addresses() {
    let (loaded, _) = load_fixture("modules");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let addresses: Vec<&str> = loaded
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "aws_s3_bucket_policy.root",
            "module.logs[\"a\"].aws_s3_bucket.this",
            "module.logs[\"a\"].aws_s3_bucket_policy.this",
            "module.logs[\"b\"].aws_s3_bucket.this",
            "module.logs[\"b\"].aws_s3_bucket_policy.this",
            "module.single.aws_s3_bucket.this",
            "module.single.aws_s3_bucket_policy.this",
        ],
        "the module directory is not scanned as a root of its own"
    );
    assert_eq!(loaded.extra.roots.len(), 1);
    assert_eq!(loaded.extra.roots[0].resources, 0..7);

    let a = resource(&loaded, "module.logs[\"a\"].aws_s3_bucket.this");
    assert_eq!(a.module, "module.logs[\"a\"].");
    assert_eq!(known(attr(a, "bucket")), "logs-a");
    let single = resource(&loaded, "module.single.aws_s3_bucket.this");
    assert_eq!(known(attr(single, "bucket")), "single");

    let policy = resource(&loaded, "module.logs[\"b\"].aws_s3_bucket_policy.this");
    assert_eq!(
        &*hole(attr(policy, "bucket")).id,
        "module.logs[\"b\"].aws_s3_bucket.this.id"
    );
    let statement = &items(attr(policy, "policy").get("Statement").unwrap())[0];
    let resource_arn = statement.get("Resource").unwrap().as_pstr().unwrap();
    assert_eq!(
        &*resource_arn.holes().next().unwrap().id,
        "module.logs[\"b\"].aws_s3_bucket.this.arn"
    );

    // Outputs of local modules are evaluated; those of registry modules are holes.
    let root = resource(&loaded, "aws_s3_bucket_policy.root");
    assert_eq!(known(attr(root, "bucket")), "logs-a-out");
    assert_eq!(&*hole(attr(root, "policy")).id, "module.remote.policy_json");
}

#[test]
fn count_and_for_each_make_one_resource_per_instance() {
    let (loaded, _) = load_fixture("count");
    let b0 = resource(&loaded, "aws_s3_bucket.b[0]");
    let b1 = resource(&loaded, "aws_s3_bucket.b[1]");
    assert_eq!(known(attr(b0, "bucket")), "bucket-0");
    assert_eq!(known(attr(b1, "bucket")), "bucket-1");
    assert!(
        b0.attributes.get("count").is_none(),
        "meta-arguments are dropped"
    );
    assert!(!loaded.resources.iter().any(|r| r.address.contains("none")));

    let p1 = resource(&loaded, "aws_s3_bucket_policy.p[1]");
    assert_eq!(&*hole(attr(p1, "bucket")).id, "aws_s3_bucket.b[1].id");
    let policy = attr(p1, "policy");
    assert_eq!(
        &*hole(policy.get("Resource").unwrap()).id,
        "aws_s3_bucket.b[0].arn"
    );

    let x = resource(&loaded, "aws_s3_bucket.each[\"x\"]");
    assert_eq!(known(attr(x, "bucket")), "x-ex");
    let y = resource(&loaded, "aws_s3_bucket.each[\"y\"]");
    assert_eq!(known(attr(y, "bucket")), "y-why");
}

fn principal(loaded: &LoadedModules) -> &Node {
    let p = resource(loaded, "aws_s3_bucket_policy.p");
    let statement = &items(attr(p, "policy").get("Statement").unwrap())[0];
    statement.get("Principal").unwrap().get("AWS").unwrap()
}

fn region(loaded: &LoadedModules) -> &Node {
    let p = resource(loaded, "aws_s3_bucket_policy.p");
    let statement = &items(attr(p, "policy").get("Statement").unwrap())[0];
    statement
        .get("Condition")
        .unwrap()
        .get("StringEquals")
        .unwrap()
        .get("aws:RequestedRegion")
        .unwrap()
}

#[test]
fn account_id_is_known_from_the_options_or_the_account_hole() {
    let (loaded, _) = load_fixture("account");
    let arn = principal(&loaded).as_pstr().unwrap();
    assert_eq!(
        arn,
        &PString::known("arn:aws:iam::")
            .with_hole(account_hole())
            .with_str(":root")
    );
    assert_eq!(&*hole(region(&loaded)).id, "region");

    let opts = TerraformOptions {
        account_id: Some("123456789012".into()),
        region: Some("eu-west-1".into()),
        ..TerraformOptions::default()
    };
    let (loaded, _) = load_with(&[fixture("account")], &opts);
    assert_eq!(known(principal(&loaded)), "arn:aws:iam::123456789012:root");
    assert_eq!(known(region(&loaded)), "eu-west-1");
}

#[test]
fn data_sources_are_resources_and_their_attributes_holes() {
    let (loaded, _) = load_fixture("account");
    let caller = resource(&loaded, "data.aws_caller_identity.current");
    assert_eq!(caller.mode, Mode::Data);
    let p = resource(&loaded, "aws_s3_bucket_policy.p");
    let statement = &items(attr(p, "policy").get("Statement").unwrap())[0];
    let doc = hole(statement.get("Resource").unwrap());
    assert_eq!(&*doc.id, "data.aws_iam_policy_document.other.json");
    let hash = hole(statement.get("Hash").unwrap());
    assert_eq!(&*hash.why, "function sha256() is not evaluated");
}

#[test]
fn a_parse_error_is_located_and_other_files_still_load() {
    let (loaded, sources) = load_fixture("parse_error");
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    let err = &loaded.errors[0];
    let span = err.span.expect("located");
    assert_eq!(file_name(&sources, span), "bad.tf");
    assert_eq!(at(&sources, span), (3, 12));
    assert!(err.message.contains("expected"), "{}", err.message);
    assert!(err.path.as_deref().unwrap().ends_with("bad.tf"));
    assert_eq!(
        known(attr(resource(&loaded, "aws_s3_bucket.good"), "bucket")),
        "fine"
    );
}

#[test]
fn a_cycle_of_locals_ends_unknown() {
    let (loaded, _) = load_fixture("cycle");
    let r = resource(&loaded, "aws_s3_bucket.cyc");
    let bucket = attr(r, "bucket").as_pstr().expect("a partly known string");
    let h = bucket.holes().next().expect("a hole");
    assert!(h.id.starts_with("local."), "{h:?}");
    assert!(h.why.contains("cycle"), "{h:?}");
    let other = hole(attr(r, "other"));
    assert_eq!(&*other.id, "local.c");
}

#[test]
fn terraform_json_syntax() {
    let (loaded, sources) = load_fixture("json");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let b = resource(&loaded, "aws_s3_bucket.b");
    assert_eq!(known(attr(b, "bucket")), "acme-data");
    // "${local.name}" is the local's value itself, located where the local is defined.
    assert_eq!(
        sources.slice(attr(b, "bucket").span),
        "\"${var.prefix}-data\""
    );
    assert_eq!(known(attr(b, "tags").get("team").unwrap()), "storage");
    let sse = resource(
        &loaded,
        "aws_s3_bucket_server_side_encryption_configuration.sse",
    );
    assert_eq!(&*hole(attr(sse, "bucket")).id, "aws_s3_bucket.b.id");
    let rule = &items(attr(sse, "rule"))[0];
    let default = &items(rule.get("apply_server_side_encryption_by_default").unwrap())[0];
    assert_eq!(known(default.get("sse_algorithm").unwrap()), "aws:kms");
    assert_eq!(
        &*hole(default.get("kms_master_key_id").unwrap()).id,
        "aws_kms_key.k.arn"
    );
}

#[test]
fn nested_and_dynamic_blocks_are_lists() {
    let (loaded, _) = load_fixture("dynamic");
    let d = resource(&loaded, "data.aws_iam_policy_document.d");
    let statements = items(attr(d, "statement"));
    let sids: Vec<&str> = statements
        .iter()
        .map(|s| known(s.get("sid").unwrap()))
        .collect();
    assert_eq!(sids, ["Static", "get", "put"]);
    assert_eq!(
        known(&items(statements[2].get("actions").unwrap())[0]),
        "s3:PutObject"
    );

    // A dynamic block whose for_each is unknown is an unknown under the block's name.
    let u = resource(&loaded, "data.aws_iam_policy_document.u");
    assert_eq!(&*hole(attr(u, "statement")).id, "var.unknown_list");
}

#[test]
fn templates_for_expressions_and_functions() {
    let (loaded, _) = load_fixture("templates");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let t = resource(&loaded, "aws_s3_bucket_policy.t");
    assert_eq!(
        known(attr(t, "policy")),
        "{\"Action\": [\"s3:GetObject\", \"s3:ListBucket\"],\n \"Enabled\": \"yes\"}\n"
    );
    let strings = |name: &str| -> Vec<String> {
        items(attr(t, name))
            .iter()
            .map(|n| known(n).to_string())
            .collect()
    };
    assert_eq!(strings("listed"), ["S3:GETOBJECT"]);
    assert_eq!(
        attr(t, "mapped").get("s3:ListBucket").unwrap().kind,
        Kind::Number("13".into())
    );
    assert_eq!(known(attr(t, "joined")), "s3:GetObject,s3:ListBucket,x");
    assert_eq!(
        attr(t, "merged").get("a").unwrap().kind,
        Kind::Number("3".into())
    );
    assert_eq!(known(attr(t, "looked")), "v");
    assert_eq!(known(attr(t, "fmt")), "n-5");
    assert_eq!(known(attr(t, "coal")), "c");
    assert_eq!(known(attr(t, "elem")), "s3:ListBucket");
    assert_eq!(known(attr(t, "cond")), "on");
    assert_eq!(strings("split"), ["a", "b"]);
    assert_eq!(strings("flat"), ["a", "b", "c"]);
    assert_eq!(strings("dist"), ["a", "b"]);
    assert_eq!(strings("keys"), ["a", "z"]);
    assert_eq!(attr(t, "has").kind, Kind::Bool(true));
    assert_eq!(known(attr(t, "trial")), "fallback");
    assert_eq!(known(attr(t, "repl")), "a_b");
    assert_eq!(known(attr(t, "lowe")), "abc");
    assert_eq!(strings("splat"), ["x", "y"]);
    assert_eq!(attr(t, "math").kind, Kind::Number("7".into()));
}

#[test]
fn a_single_file_stands_for_its_folder() {
    // Terraform's unit is the folder: naming one file loads its siblings too.
    let (loaded, _) = load_with(&[fixture("single/one.tf")], &TerraformOptions::default());
    let mut addresses: Vec<&str> = loaded
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    addresses.sort();
    assert_eq!(addresses, ["aws_s3_bucket.one", "aws_s3_bucket.two"]);
    assert_eq!(loaded.extra.files, 2);
    assert_eq!(loaded.extra.roots.len(), 1);
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("terraform_front_end")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn bucket(name: &str) -> String {
    format!("resource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name}\"\n}}\n")
}

#[test]
fn dot_terraform_is_skipped_and_gitignore_hides_nothing() {
    let dir = scratch("skip");
    write(&dir, "main.tf", &bucket("kept"));
    write(&dir, "nested/main.tf", &bucket("nested"));
    write(&dir, ".terraform/modules/cached/main.tf", &bucket("cached"));
    write(&dir, ".git/x/main.tf", &bucket("git"));
    write(&dir, ".gitignore", "ignored/\n");
    write(&dir, "ignored/main.tf", &bucket("ignored"));
    write(&dir, ".infra/main.tf", &bucket("dotted"));
    let (loaded, _) = load_with(&[dir], &TerraformOptions::default());
    let mut addresses: Vec<&str> = loaded
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    addresses.sort();
    assert_eq!(
        addresses,
        [
            "aws_s3_bucket.dotted",
            "aws_s3_bucket.ignored",
            "aws_s3_bucket.kept",
            "aws_s3_bucket.nested"
        ]
    );
    assert_eq!(
        loaded.extra.roots.len(),
        4,
        "each directory is a root module"
    );
}

#[test]
fn evaluation_is_bounded() {
    let dir = scratch("bounded");
    let mut text = String::from("locals {\n");
    // A long chain of references.
    for i in 0..3000 {
        text.push_str(&format!("  c{i} = local.c{}\n", i + 1));
    }
    text.push_str("  c3000 = \"end\"\n");
    // Exponential growth through for-expressions and string doubling.
    text.push_str("  l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
    for i in 1..12 {
        text.push_str(&format!(
            "  l{i} = flatten([for a in local.l{} : [for b in local.l{} : [a, b]]])\n",
            i - 1,
            i - 1
        ));
    }
    text.push_str("  s0 = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n");
    for i in 1..64 {
        text.push_str(&format!(
            "  s{i} = \"${{local.s{}}}${{local.s{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    text.push_str("}\n");
    text.push_str(
        "resource \"aws_s3_bucket\" \"b\" {\n  chain = local.c0\n  big = length(local.l11)\n  long = local.s63\n}\n",
    );
    text.push_str("resource \"aws_s3_bucket\" \"many\" {\n  count = 1000000000\n}\n");
    write(&dir, "main.tf", &text);
    let started = std::time::Instant::now();
    let (loaded, _) = load_with(&[dir], &TerraformOptions::default());
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
    let b = resource(&loaded, "aws_s3_bucket.b");
    // A chain of locals of any length evaluates (one link at a time); the rest is either
    // evaluated or unknown; none hangs or overflows the stack.
    assert_eq!(
        attr(b, "chain").as_pstr().and_then(PString::as_known),
        Some("end")
    );
    assert!(matches!(attr(b, "big").kind, Kind::Unknown(_)));
    assert!(!matches!(
        attr(b, "long").as_pstr().map(PString::is_known),
        Some(true)
    ));
    let many = resource(&loaded, "aws_s3_bucket.many");
    assert!(
        many.address.ends_with("many"),
        "an unknown count is one instance"
    );
    assert!(
        loaded.errors.iter().any(|e| e.message.contains("budget")),
        "{:?}",
        loaded.errors
    );
}

#[test]
fn deep_nesting_and_module_cycles_are_reported_not_fatal() {
    let dir = scratch("deep");
    let deep = format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000));
    write(&dir, "deep.tf", &deep);
    write(
        &dir,
        "main.tf",
        &(bucket("ok") + "module \"self\" {\n  source = \"./\"\n}\n"),
    );
    let (loaded, _) = load_with(&[dir], &TerraformOptions::default());
    assert!(
        loaded
            .errors
            .iter()
            .any(|e| e.message.contains("nesting") && e.span.is_some()),
        "{:?}",
        loaded.errors
    );
    assert!(
        loaded.errors.iter().any(|e| e.message.contains("cycle")),
        "{:?}",
        loaded.errors
    );
    assert!(
        loaded
            .resources
            .iter()
            .any(|r| r.address == "aws_s3_bucket.ok")
    );
}

#[test]
fn a_missing_path_is_an_error() {
    let (loaded, _) = load_with(&[fixture("does-not-exist")], &TerraformOptions::default());
    assert_eq!(loaded.errors.len(), 1);
    assert!(
        loaded.errors[0]
            .path
            .as_deref()
            .unwrap()
            .ends_with("does-not-exist")
    );
    assert!(loaded.resources.is_empty());
}

#[test]
fn json_syntax_errors_are_located_and_splat_references_are_lists() {
    let dir = scratch("json_error");
    write(
        &dir,
        "bad.tf.json",
        "{\n  \"resource\": {\n    \"aws_s3_bucket\" {}\n  }\n}\n",
    );
    write(
        &dir,
        "main.tf",
        "resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = aws_s3_bucket.b[*].id\n  policy = [for s in var.list : s]\n}\nvariable \"list\" {}\n",
    );
    let (loaded, sources) = load_with(&[dir], &TerraformOptions::default());
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    let span = loaded.errors[0].span.unwrap();
    assert_eq!(file_name(&sources, span), "bad.tf.json");
    assert_eq!(at(&sources, span).0, 3);
    let p = resource(&loaded, "aws_s3_bucket_policy.p");
    // A splat is a list of unknown length, not a string.
    let splat = attr(p, "bucket");
    assert!(matches!(&splat.kind, Kind::Unknown(h) if &*h.id == "aws_s3_bucket.b[*].id"));
    // A for-expression over an unknown collection is unknown; an untyped variable is not
    // known to be a string.
    assert!(matches!(&attr(p, "policy").kind, Kind::Unknown(h) if &*h.id == "var.list"));
}

#[test]
fn cli_vars_for_non_string_variables_are_expressions_unless_bare_words() {
    let dir = scratch("cli_vars");
    write(
        &dir,
        "main.tf",
        "variable \"n\" {\n  type = number\n}\nvariable \"any\" {\n  type = any\n}\nresource \"aws_s3_bucket\" \"b\" {\n  n   = var.n\n  any = var.any\n}\n",
    );
    let opts = TerraformOptions {
        vars: vec![("n".into(), "42".into()), ("any".into(), "word".into())],
        ..TerraformOptions::default()
    };
    let (loaded, _) = load_with(&[dir], &opts);
    let b = resource(&loaded, "aws_s3_bucket.b");
    assert_eq!(attr(b, "n").kind, Kind::Number("42".into()));
    assert_eq!(known(attr(b, "any")), "word");
}

#[test]
fn reading_into_an_unknown_reference_names_the_attribute() {
    let dir = scratch("extend");
    write(
        &dir,
        "main.tf",
        "locals {\n  b = aws_s3_bucket.b\n}\nresource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = local.b.id\n  policy = local.b.tags[\"x\"]\n  fn     = md5(\"x\").y\n}\n",
    );
    let (loaded, _) = load_with(&[dir], &TerraformOptions::default());
    let p = resource(&loaded, "aws_s3_bucket_policy.p");
    let bucket = hole(attr(p, "bucket"));
    assert_eq!(&*bucket.id, "aws_s3_bucket.b.id");
    assert_eq!(&*bucket.why, "aws_s3_bucket.b.id is known only after apply");
    assert!(matches!(attr(p, "bucket").kind, Kind::Str(_)));
    assert_eq!(&*hole(attr(p, "policy")).id, "aws_s3_bucket.b.tags[\"x\"]");
    assert!(hole(attr(p, "fn")).why.contains("md5()"));
}

#[test]
fn for_each_over_a_resource_gives_its_instances_and_cycles_end() {
    let (loaded, _) = load_fixture("foreach_over_resources");
    // One policy per bucket instance, keyed like the bucket, whose bucket is that
    // instance's id.
    for key in ["curated", "raw"] {
        let policy = resource(&loaded, &format!("aws_s3_bucket_policy.logs[\"{key}\"]"));
        let bucket = policy.attributes.get("bucket").unwrap();
        let id = match &bucket.kind {
            Kind::Str(s) => s.holes().next().unwrap().id.to_string(),
            Kind::Unknown(h) => h.id.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(id, format!("aws_s3_bucket.logs[\"{key}\"].id"));
    }
    // Resources whose for_each refer to each other (or to themselves) end as one unknown
    // instance each, without looping.
    for name in ["a", "b", "c"] {
        assert!(
            loaded
                .resources
                .iter()
                .any(|r| r.address == format!("aws_s3_bucket.{name}"))
        );
    }
}

/// Roots are evaluated side by side; those that read files are evaluated again, in order,
/// with the right to register them: every root's policy is read, the files are numbered in
/// the order of their roots (as evaluating one root after the other numbers them), and
/// nothing of the side-by-side attempt shows.
#[test]
fn roots_evaluated_side_by_side_read_their_files_in_root_order() {
    let dir = std::env::temp_dir().join(format!("clumio-side-by-side-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let roots: Vec<PathBuf> = (0..24).map(|i| dir.join(format!("root-{i:02}"))).collect();
    for (i, root) in roots.iter().enumerate() {
        std::fs::create_dir_all(root).unwrap();
        let policy = if i % 3 == 0 {
            std::fs::write(
                root.join("policy.json"),
                format!("{{\"Statement\": [{{\"Sid\": \"S{i}\", \"Effect\": \"Deny\"}}]}}\n"),
            )
            .unwrap();
            "file(\"policy.json\")".to_string()
        } else {
            format!("jsonencode({{ Statement = [{{ Sid = \"S{i}\" }}] }})")
        };
        std::fs::write(
            root.join("main.tf"),
            format!(
                "resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b{i}\"\n}}\n\nresource \"aws_s3_bucket_policy\" \"p\" {{\n  bucket = aws_s3_bucket.b.id\n  policy = {policy}\n}}\n"
            ),
        )
        .unwrap();
    }
    let (loaded, sources) = load_with(std::slice::from_ref(&dir), &TerraformOptions::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.extra.roots.len(), 24);
    let mut read_files = Vec::new();
    for (i, root) in loaded.extra.roots.iter().enumerate() {
        let policy = loaded.resources[root.resources.clone()]
            .iter()
            .find(|r| r.rtype == "aws_s3_bucket_policy")
            .map(|r| attr(r, "policy"))
            .unwrap();
        let text = match &policy.kind {
            Kind::Str(s) => s.to_string(),
            Kind::Object(_) => format!("{policy:?}"),
            other => panic!("root {i}: {other:?}"),
        };
        assert!(text.contains(&format!("S{i}")), "root {i}: {text}");
        if i % 3 == 0 {
            assert!(matches!(policy.kind, Kind::Str(_)) && policy.span.start == 0);
            read_files.push(policy.span.file);
        }
    }
    // The files read are the last sources, numbered in the order of their roots.
    assert_eq!(read_files.len(), 8);
    assert!(
        read_files.windows(2).all(|w| w[0].0 + 1 == w[1].0),
        "{read_files:?}"
    );
    assert_eq!(read_files.last().unwrap().0 as usize + 1, sources.len());
    assert_eq!(loaded.extra.files, 24 + 8);
    let _ = std::fs::remove_dir_all(&dir);
}
