//! The CloudFormation front end: YAML and JSON templates → resources with located, resolved
//! attributes (fixtures in `testdata/frontend/cloudformation/`).

use clumio_preflight::cloudformation::yaml::parse_yaml;
use clumio_preflight::cloudformation::{
    CfnOptions, Level, is_template, load_template, load_template_at, load_template_with_notes,
};
use clumio_preflight::embedded::parse_embedded_json;
use clumio_preflight::resource::{Lifecycle, LoadError, Mode, Resource};
use clumio_preflight::source::{FileId, Sources, Span};
use clumio_preflight::value::{Hole, Kind, Node, PString, Part};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/frontend/cloudformation/"
);

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}{name}")).unwrap()
}

struct Loaded {
    sources: Sources,
    file: FileId,
    resources: Vec<Resource>,
    notes: Vec<LoadError>,
}

impl Loaded {
    fn resource(&self, id: &str) -> &Resource {
        self.resources
            .iter()
            .find(|r| r.address == id)
            .unwrap_or_else(|| panic!("no resource {id}"))
    }

    fn prop(&self, id: &str, path: &str) -> &Node {
        at_path(&self.resource(id).attributes, path)
    }

    fn line_col(&self, span: Span) -> (usize, usize) {
        let (start, _) = self.sources.range(span);
        (start.line, start.column)
    }

    fn slice(&self, span: Span) -> &str {
        self.sources.slice(span)
    }
}

fn load_text(name: &str, text: &str, opts: &CfnOptions) -> Loaded {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    // Every property is read: these tests are about resolving intrinsic functions, which
    // they do in properties the model never reads (and the checker leaves unparsed).
    let loaded = load_template_at(&sources, file, opts, Level::EVERY_PROPERTY)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    // Limits hit are reported with the notes here: both leave part of the template unchecked.
    let notes = loaded.limits.into_iter().chain(loaded.notes).collect();
    Loaded {
        sources,
        file,
        resources: loaded.resources,
        notes,
    }
}

fn load(name: &str) -> Loaded {
    load_text(name, &fixture(name), &CfnOptions::default())
}

fn load_error(name: &str, text: &str) -> (Sources, LoadError) {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let err = load_template_with_notes(&sources, file, &CfnOptions::default()).unwrap_err();
    (sources, err)
}

/// `a.b.0.c`: member names and list indexes.
fn at_path<'a>(node: &'a Node, path: &str) -> &'a Node {
    let mut node = node;
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        node = match (&node.kind, seg.parse::<usize>()) {
            (Kind::Array(items), Ok(i)) => &items[i],
            _ => node
                .get(seg)
                .unwrap_or_else(|| panic!("no `{seg}` in {path}: {:?}", node.kind)),
        };
    }
    node
}

fn known(node: &Node) -> &str {
    node.as_pstr()
        .and_then(PString::as_known)
        .unwrap_or_else(|| panic!("not a known string: {:?}", node.kind))
}

fn single_hole(node: &Node) -> &Hole {
    match &node.kind {
        Kind::Str(s) => match s.parts() {
            [Part::Hole(h)] => h,
            other => panic!("not a single hole: {other:?}"),
        },
        Kind::Unknown(h) => h,
        other => panic!("not a hole: {other:?}"),
    }
}

fn unknown_hole(node: &Node) -> &Hole {
    match &node.kind {
        Kind::Unknown(h) => h,
        other => panic!("not Kind::Unknown: {other:?}"),
    }
}

// ---- YAML with a bucket and a bucket policy ----

#[test]
fn yaml_template_gives_one_resource_per_logical_id_with_entry_spans() {
    let t = load("bucket-policy.yaml");
    assert!(t.notes.is_empty(), "{:?}", t.notes);
    let ids: Vec<&str> = t.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(ids, ["DataBucket", "DataBucketPolicy"]);
    let policy = t.resource("DataBucketPolicy");
    assert_eq!(policy.rtype, "AWS::S3::BucketPolicy");
    assert_eq!(policy.mode, Mode::Managed);
    assert_eq!(policy.module, "");
    assert_eq!(policy.lifecycle, Lifecycle::Unknown);
    assert_eq!(t.slice(policy.header), "DataBucketPolicy");
    assert_eq!(t.line_col(policy.header), (20, 3));
    assert!(
        t.slice(policy.span)
            .starts_with("DataBucketPolicy:\n    Type:")
    );
    assert!(t.slice(policy.span).ends_with("${!aws:username}/*\""));
    let bucket = t.resource("DataBucket");
    assert!(
        t.slice(bucket.span)
            .ends_with("ObjectOwnership: BucketOwnerEnforced")
    );
    assert_eq!(
        known(t.prop("DataBucket", "OwnershipControls.Rules.0.ObjectOwnership")),
        "BucketOwnerEnforced"
    );
}

#[test]
fn yaml_statement_spans_map_to_their_line_and_column() {
    let t = load("bucket-policy.yaml");
    let statement = t.prop("DataBucketPolicy", "PolicyDocument.Statement.0");
    assert_eq!(t.line_col(statement.span), (27, 13));
    assert!(t.slice(statement.span).starts_with("Sid: VpcOnly"));
    let effect = at_path(statement, "Effect");
    assert_eq!(t.line_col(effect.span), (28, 21));
    assert_eq!(t.slice(effect.span), "Deny");
    let members = statement.as_object().unwrap();
    assert_eq!(t.slice(members[1].key_span), "Effect");
    // An unquoted date-like Version stays the text written.
    assert_eq!(
        known(t.prop("DataBucketPolicy", "PolicyDocument.Version")),
        "2012-10-17"
    );
    let second = t.prop("DataBucketPolicy", "PolicyDocument.Statement.1");
    assert_eq!(t.line_col(second.span), (39, 13));
}

#[test]
fn yaml_short_tags_become_long_forms_spanning_tag_and_value() {
    let text = "a: !GetAtt Data.Arn\nb: !Ref X\nc: !Condition C\nd: !If [C, 1, 2]\n";
    let node = parse_yaml(text, FileId(0)).unwrap();
    let slice = |s: Span| &text[s.start as usize..s.end as usize];
    let a = node.get("a").unwrap();
    assert_eq!(slice(a.span), "!GetAtt Data.Arn");
    let m = &a.as_object().unwrap()[0];
    assert_eq!(
        (m.key.as_str(), slice(m.key_span)),
        ("Fn::GetAtt", "!GetAtt")
    );
    let Kind::Array(pair) = &m.value.kind else {
        panic!("{:?}", m.value.kind)
    };
    assert_eq!(known(&pair[0]), "Data");
    assert_eq!(slice(pair[0].span), "Data");
    assert_eq!(known(&pair[1]), "Arn");
    assert_eq!(slice(pair[1].span), "Arn");
    assert_eq!(known(at_path(&node, "b.Ref")), "X");
    assert_eq!(known(at_path(&node, "c.Condition")), "C");
    let d = at_path(&node, "d.Fn::If");
    assert_eq!(slice(d.span), "[C, 1, 2]");
    for tag in [
        "Sub",
        "Join",
        "Select",
        "Split",
        "ImportValue",
        "FindInMap",
        "Base64",
        "Equals",
        "Not",
        "And",
        "Or",
        "GetAZs",
        "Cidr",
        "Transform",
    ] {
        let node = parse_yaml(&format!("k: !{tag} v\n"), FileId(0)).unwrap();
        let inner = at_path(&node, "k").as_object().unwrap();
        assert_eq!(inner[0].key, format!("Fn::{tag}"));
    }
}

#[test]
fn short_and_long_forms_resolve_alike() {
    let t = load("bucket-policy.yaml");
    assert_eq!(known(t.prop("DataBucket", "BucketName")), "acme-data");
    let bucket_ref = single_hole(t.prop("DataBucketPolicy", "Bucket"));
    assert_eq!(&*bucket_ref.id, "DataBucket.Ref");
    let resources = t.prop("DataBucketPolicy", "PolicyDocument.Statement.0.Resource");
    assert_eq!(&*single_hole(at_path(resources, "0")).id, "DataBucket.Arn");
    let objects = at_path(resources, "1").as_pstr().unwrap();
    assert_eq!(objects.to_string(), "${DataBucket.Arn}/*");
    // The JSON template's long forms give the same values.
    let j = load("bucket-policy.json");
    let resources = j.prop("DataBucketPolicy", "PolicyDocument.Statement.0.Resource");
    assert_eq!(&*single_hole(at_path(resources, "0")).id, "DataBucket.Arn");
    assert_eq!(
        at_path(resources, "1").as_pstr().unwrap().to_string(),
        "${DataBucket.Arn}/*"
    );
    assert_eq!(known(j.prop("DataBucket", "BucketName")), "acme-data");
}

#[test]
fn get_att_of_a_resource_is_a_hole_named_after_it() {
    let t = load("bucket-policy.yaml");
    let hole = single_hole(t.prop("DataBucketPolicy", "PolicyDocument.Statement.0.Resource.0"));
    assert_eq!(&*hole.id, "DataBucket.Arn");
    assert!(
        hole.why.contains("known only after the stack is created"),
        "{}",
        hole.why
    );
}

#[test]
fn sub_escape_is_a_literal_iam_variable() {
    let t = load("bucket-policy.yaml");
    let not_resource = t.prop("DataBucketPolicy", "PolicyDocument.Statement.1.NotResource");
    assert_eq!(
        known(not_resource),
        "arn:aws:s3:::acme-data/home/${aws:username}/*"
    );
    // The value points at the whole `!Sub "…"`.
    assert!(
        t.slice(not_resource.span)
            .starts_with("!Sub \"arn:aws:s3:::${BucketName}")
    );
}

#[test]
fn pseudo_parameters_without_an_account_id_leave_the_account_hole() {
    let t = load("bucket-policy.yaml");
    let arn = t
        .prop(
            "DataBucketPolicy",
            "PolicyDocument.Statement.0.Condition.ArnNotLike.aws:PrincipalArn",
        )
        .as_pstr()
        .unwrap();
    assert_eq!(arn.known_prefix(), "arn:aws:iam::");
    let holes: Vec<&str> = arn.holes().map(|h| &*h.id).collect();
    assert_eq!(holes, ["account-id"]);
    assert_eq!(
        arn.to_string(),
        "arn:aws:iam::<account-id>:role/clumio/ClumioIAMRole-uw-2-tok"
    );
}

#[test]
fn pseudo_parameters_with_account_region_and_partition() {
    let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      A: !Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:root\"\n      R: !Ref AWS::Region\n      U: !Sub \"s3.${AWS::Region}.${AWS::URLSuffix}\"\n      S: !Ref AWS::StackName\n";
    let given = CfnOptions {
        account_id: Some("111122223333".into()),
        region: Some("cn-north-1".into()),
        ..CfnOptions::default()
    };
    let t = load_text("p.yaml", text, &given);
    assert_eq!(known(t.prop("B", "A")), "arn:aws-cn:iam::111122223333:root");
    assert_eq!(known(t.prop("B", "R")), "cn-north-1");
    assert_eq!(known(t.prop("B", "U")), "s3.cn-north-1.amazonaws.com.cn");
    assert_eq!(&*single_hole(t.prop("B", "S")).id, "AWS::StackName");
    let t = load_text("p.yaml", text, &CfnOptions::default());
    assert_eq!(
        t.prop("B", "A").as_pstr().unwrap().to_string(),
        "arn:aws:iam::<account-id>:root"
    );
    let region = single_hole(t.prop("B", "R"));
    assert_eq!(
        (&*region.id, &*region.why),
        ("region", "the stack's region (--region)")
    );
    let explicit = CfnOptions {
        partition: Some("aws-us-gov".into()),
        ..CfnOptions::default()
    };
    let t = load_text("p.yaml", text, &explicit);
    assert!(known_prefix(t.prop("B", "A")).starts_with("arn:aws-us-gov:iam::"));
}

fn known_prefix(node: &Node) -> &str {
    node.as_pstr().unwrap().known_prefix()
}

#[test]
fn parameter_default_override_and_missing_default() {
    let t = load("bucket-policy.yaml");
    assert_eq!(known(t.prop("DataBucket", "BucketName")), "acme-data");
    let vpc = single_hole(t.prop(
        "DataBucketPolicy",
        "PolicyDocument.Statement.0.Condition.StringNotEquals.aws:SourceVpc",
    ));
    assert_eq!(&*vpc.id, "Parameters.VpcId");
    assert_eq!(
        &*vpc.why,
        "parameter VpcId has no default (set it with --parameter VpcId=VALUE)"
    );
    let opts = CfnOptions {
        parameters: vec![
            ("BucketName".into(), "first".into()),
            ("BucketName".into(), "other-bucket".into()),
            ("VpcId".into(), "vpc-1234".into()),
        ],
        ..CfnOptions::default()
    };
    let t = load_text("bucket-policy.yaml", &fixture("bucket-policy.yaml"), &opts);
    assert_eq!(known(t.prop("DataBucket", "BucketName")), "other-bucket");
    assert_eq!(
        known(t.prop(
            "DataBucketPolicy",
            "PolicyDocument.Statement.0.Condition.StringNotEquals.aws:SourceVpc"
        )),
        "vpc-1234"
    );
    assert_eq!(
        known(t.prop("DataBucketPolicy", "PolicyDocument.Statement.1.NotResource")),
        "arn:aws:s3:::other-bucket/home/${aws:username}/*"
    );
}

#[test]
fn list_and_ssm_parameters() {
    let text = "Parameters:\n  L:\n    Type: CommaDelimitedList\n    Default: a, b\n  M:\n    Type: List<String>\n  S:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /acme/bucket\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      L: !Ref L\n      M: !Ref M\n      S: !Ref S\n";
    let t = load_text("l.yaml", text, &CfnOptions::default());
    let Kind::Array(items) = &t.prop("B", "L").kind else {
        panic!()
    };
    assert_eq!(items.iter().map(known).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(&*unknown_hole(t.prop("B", "M")).id, "Parameters.M");
    let ssm = single_hole(t.prop("B", "S"));
    assert_eq!(&*ssm.id, "Parameters.S");
    assert!(ssm.why.contains("SSM Parameter Store"), "{}", ssm.why);
}

// ---- JSON ----

#[test]
fn json_template_spans_map_to_line_and_column() {
    let t = load("bucket-policy.json");
    assert!(t.notes.is_empty(), "{:?}", t.notes);
    let policy = t.resource("DataBucketPolicy");
    assert_eq!(t.slice(policy.header), "\"DataBucketPolicy\"");
    assert_eq!(t.line_col(policy.header), (11, 5));
    assert!(t.slice(policy.span).starts_with("\"DataBucketPolicy\": {"));
    assert!(t.slice(policy.span).ends_with('}'));
    let statement = t.prop("DataBucketPolicy", "PolicyDocument.Statement.0");
    assert_eq!(t.line_col(statement.span), (18, 13));
    let vpce = t.prop(
        "DataBucketPolicy",
        "PolicyDocument.Statement.0.Condition.StringNotEquals.aws:SourceVpce",
    );
    assert_eq!(t.line_col(vpce.span), (27, 56));
    assert_eq!(t.slice(vpce.span), "\"vpce-1a2b3c\"");
}

#[test]
fn policy_document_given_as_a_json_string_stays_a_string_at_its_literal() {
    let t = load("policy-string.json");
    let doc = t.prop("Policy", "PolicyDocument");
    assert!(matches!(doc.kind, Kind::Str(_)));
    assert!(t.slice(doc.span).starts_with("\"{\\\"Version\\\""));
    let parsed = parse_embedded_json(&t.sources, doc.as_pstr().unwrap(), doc.span).unwrap();
    let effect = at_path(&parsed, "Statement.0.Effect");
    assert_eq!(t.slice(effect.span), "\\\"Deny\\\"");
    assert_eq!(t.line_col(effect.span).0, 7);

    let yaml = "Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: b\n      PolicyDocument: '{\"Statement\": [{\"Effect\": \"Deny\"}]}'\n";
    let t = load_text("s.yaml", yaml, &CfnOptions::default());
    let doc = t.prop("P", "PolicyDocument");
    assert_eq!(
        t.slice(doc.span),
        "'{\"Statement\": [{\"Effect\": \"Deny\"}]}'"
    );
    let parsed = parse_embedded_json(&t.sources, doc.as_pstr().unwrap(), doc.span).unwrap();
    let effect = at_path(&parsed, "Statement.0.Effect");
    assert_eq!(t.slice(effect.span), "\"Deny\"");
    assert_eq!(t.line_col(effect.span), (6, 50));
}

// ---- functions ----

#[test]
fn find_in_map_select_split_join_and_friends() {
    let t = load("mappings.yaml");
    assert_eq!(known(t.prop("Bucket", "A")), "vpce-0prod");
    let Kind::Array(ids) = &t.prop("Bucket", "B").kind else {
        panic!()
    };
    assert_eq!(
        ids.iter().map(known).collect::<Vec<_>>(),
        ["vpce-a", "vpce-b"]
    );
    let c = unknown_hole(t.prop("Bucket", "C"));
    assert!(c.why.contains("not known statically"), "{}", c.why);
    assert!(
        unknown_hole(t.prop("Bucket", "D"))
            .why
            .contains("no entry Vpce.test.Id")
    );
    assert_eq!(known(t.prop("Bucket", "E")), "vpce-default");
    assert_eq!(known(t.prop("Bucket", "F")), "vpce-b");
    assert!(
        unknown_hole(t.prop("Bucket", "G"))
            .why
            .contains("out of range")
    );
    let Kind::Array(parts) = &t.prop("Bucket", "H").kind else {
        panic!()
    };
    assert_eq!(parts.iter().map(known).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(known(t.prop("Bucket", "I")), "x:y");
    assert_eq!(&*unknown_hole(t.prop("Bucket", "J")).id, "GetAZs[0]");
    assert_eq!(
        &*single_hole(t.prop("Bucket", "K")).id,
        "ImportValue.shared-vpce-id"
    );
    assert_eq!(known(t.prop("Bucket", "L")), "aGVsbG8=");
    assert_eq!(known(t.prop("Bucket", "M")), "arn:aws:s3:::vpce-0prod/*");
}

#[test]
fn fn_if_with_a_decidable_condition_takes_its_branch() {
    let t = load("conditions.yaml");
    assert_eq!(known(t.prop("Bucket", "BucketName")), "acme-prod");
    // IsDev is false: the Tags branch is AWS::NoValue, so the property is gone.
    assert!(t.resource("Bucket").attributes.get("Tags").is_none());
    // A resource whose condition is decidably false is left out.
    assert!(t.resources.iter().all(|r| r.address != "DevOnly"));
    let dev = CfnOptions {
        parameters: vec![("Env".into(), "dev".into())],
        ..CfnOptions::default()
    };
    let t = load_text("conditions.yaml", &fixture("conditions.yaml"), &dev);
    assert_eq!(known(t.prop("Bucket", "BucketName")), "acme-dev");
    assert_eq!(known(t.prop("Bucket", "Tags.0.Value")), "dev");
    assert!(t.resources.iter().any(|r| r.address == "DevOnly"));
    // Env=dev makes ProdAndLocked decidably false.
    assert!(t.resources.iter().all(|r| r.address != "MaybeLocked"));
}

#[test]
fn fn_if_with_an_undecidable_condition_keeps_both_branches() {
    let t = load("conditions.yaml");
    let accel = t.prop("Bucket", "AccelerateConfiguration");
    assert!(t.slice(accel.span).starts_with("!If"));
    let Kind::Array(args) = &at_path(accel, "Fn::If").kind else {
        panic!("{:?}", accel.kind)
    };
    assert_eq!(known(&args[0]), "Locked");
    assert_eq!(known(at_path(&args[1], "AccelerationStatus")), "Enabled");
    assert_eq!(known(at_path(&args[2], "Ref")), "AWS::NoValue");
    // The resource's own undecidable condition keeps it.
    assert!(t.resources.iter().any(|r| r.address == "MaybeLocked"));
    // Inside a string, an undecided Fn::If is a hole that names both texts.
    let name = t.prop("MaybeLocked", "BucketName").as_pstr().unwrap();
    assert_eq!(name.known_prefix(), "acme-");
    let hole = name.holes().next().unwrap();
    assert!(hole.why.contains("`x` or `y`"), "{}", hole.why);
    let locked = CfnOptions {
        parameters: vec![("LockVpc".into(), "true".into())],
        ..CfnOptions::default()
    };
    let t = load_text("conditions.yaml", &fixture("conditions.yaml"), &locked);
    assert_eq!(
        known(t.prop("Bucket", "AccelerateConfiguration.AccelerationStatus")),
        "Enabled"
    );
    assert_eq!(known(t.prop("MaybeLocked", "BucketName")), "acme-x");
}

#[test]
fn no_value_removes_the_property_and_the_list_item() {
    let t = load("conditions.yaml");
    let logging = t.prop("Bucket", "LoggingConfiguration");
    let keys: Vec<&str> = logging
        .as_object()
        .unwrap()
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert_eq!(keys, ["LogFilePrefix"]);
    let Kind::Array(items) = &t.prop("MaybeLocked", "Items").kind else {
        panic!()
    };
    assert_eq!(items.iter().map(known).collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn functions_that_cannot_be_resolved_are_unknown_not_errors() {
    let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      A: {\"Fn::Nope\": 1}\n      C: !Cidr [10.0.0.0/16, 2, 8]\n      T: {\"Fn::Transform\": {Name: M}}\n      R: !Ref Missing\n      J: !Join [\"\", [a, [b]]]\n      S: !Sub \"${Missing.Attr}-${!Literal}\"\n      E: {\"Fn::Base64\": !Ref AWS::Region}\n";
    let t = load_text("u.yaml", text, &CfnOptions::default());
    assert!(
        unknown_hole(t.prop("B", "A"))
            .why
            .contains("Fn::Nope is not evaluated")
    );
    assert!(matches!(t.prop("B", "C").kind, Kind::Unknown(_)));
    assert!(unknown_hole(t.prop("B", "T")).why.contains("macro `M`"));
    let missing = single_hole(t.prop("B", "R"));
    assert_eq!(&*missing.id, "Missing.Ref");
    assert!(missing.why.contains("not a parameter or resource"));
    assert!(matches!(t.prop("B", "J").kind, Kind::Unknown(_)));
    assert_eq!(
        t.prop("B", "S").as_pstr().unwrap().to_string(),
        "${Missing.Attr}-${Literal}"
    );
    let encoded = single_hole(t.prop("B", "E"));
    assert!(encoded.why.contains("Base64 encoding"), "{}", encoded.why);
    assert!(encoded.why.contains("--region"), "{}", encoded.why);
}

#[test]
fn condition_cycles_are_undecided_not_endless() {
    let text = "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources:\n  X:\n    Type: AWS::S3::Bucket\n    Condition: A\n    Properties:\n      N: !If [B, y, z]\n";
    let t = load_text("c.yaml", text, &CfnOptions::default());
    assert!(t.resources.iter().any(|r| r.address == "X"));
    assert!(t.prop("X", "N").get("Fn::If").is_some());
}

// ---- transforms ----

#[test]
fn sam_template_is_read_as_written() {
    let t = load("sam.yaml");
    assert!(t.notes.is_empty(), "{:?}", t.notes);
    let types: Vec<&str> = t.resources.iter().map(|r| r.rtype.as_str()).collect();
    assert_eq!(
        types,
        [
            "AWS::S3::Bucket",
            "AWS::S3::BucketPolicy",
            "AWS::Serverless::Function"
        ]
    );
    let uploads = t.resource("Uploads");
    assert_eq!(uploads.attributes.as_object().map(<[_]>::len), Some(0));
    assert_eq!(
        t.prop("UploadsPolicy", "PolicyDocument.Statement.0.Resource")
            .as_pstr()
            .unwrap()
            .to_string(),
        "${Uploads.Arn}/*"
    );
    // The function is a resource the model never reads: it keeps its id and type, and its
    // properties are skipped before parsing (see cloudformation::prefilter).
    let handler = t.resource("Handler");
    assert_eq!(handler.rtype, "AWS::Serverless::Function");
    assert_eq!(handler.attributes.as_object().map(<[_]>::len), Some(0));
}

#[test]
fn for_each_over_a_known_list_is_expanded_and_an_unknown_one_is_noted() {
    let t = load("foreach.yaml");
    let ids: Vec<&str> = t.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(ids, ["logsBucket", "dataBucket"]);
    assert_eq!(known(t.prop("logsBucket", "BucketName")), "acme-logs");
    assert_eq!(known(t.prop("dataBucket", "BucketName")), "acme-data");
    assert_eq!(
        t.slice(t.resource("dataBucket").header),
        "\"${Name}Bucket\""
    );
    assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
    let note = &t.notes[0];
    assert!(
        note.message
            .contains("Fn::ForEach::Unknown is not expanded"),
        "{}",
        note.message
    );
    assert!(
        note.message.contains("Parameters.Others") || note.message.contains("parameter Others")
    );
    assert_eq!(t.line_col(note.span.unwrap()), (17, 3));
    assert_eq!(note.file, Some(t.file));
    // The strict entry point refuses a partly checked template, loudly.
    let err = load_template(&t.sources, t.file, &CfnOptions::default()).unwrap_err();
    assert!(
        err.message.contains("Fn::ForEach::Unknown"),
        "{}",
        err.message
    );
    // Given the list, everything is expanded and the strict entry point accepts it.
    let opts = CfnOptions {
        parameters: vec![("Others".into(), "a-1,b".into())],
        ..CfnOptions::default()
    };
    let resources = load_template(&t.sources, t.file, &opts).unwrap();
    let ids: Vec<&str> = resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(ids, ["logsBucket", "dataBucket", "a1Policy", "bPolicy"]);
    assert_eq!(known(at_path(&resources[2].attributes, "Bucket")), "a-1");
}

#[test]
fn a_macro_transform_is_noted() {
    let text = "Transform: [AWS::Serverless-2016-10-31, AcmeMacro]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n";
    let t = load_text("m.yaml", text, &CfnOptions::default());
    assert_eq!(t.resources.len(), 1);
    assert_eq!(t.notes.len(), 1);
    assert!(t.notes[0].message.contains("Transform `AcmeMacro`"));
    assert_eq!(t.slice(t.notes[0].span.unwrap()), "AcmeMacro");
}

// ---- YAML details ----

#[test]
fn syntax_error_is_located_and_says_what_was_expected() {
    let (sources, err) = load_error("syntax-error.yaml", &fixture("syntax-error.yaml"));
    let (start, _) = sources.range(err.span.unwrap());
    assert_eq!((start.line, start.column), (6, 6));
    assert!(err.message.starts_with("invalid YAML:"), "{}", err.message);
    assert!(
        err.message.contains("did not find expected key"),
        "{}",
        err.message
    );
    assert_eq!(err.file, Some(FileId(0)));
}

#[test]
fn invalid_json_is_located() {
    let (sources, err) = load_error(
        "bad.json",
        "{\n  \"Resources\": {\n    \"B\": {\"Type\": \"AWS::S3::Bucket\" \"Properties\": {}}\n  }\n}\n",
    );
    assert!(err.message.starts_with("invalid JSON:"), "{}", err.message);
    assert_eq!(sources.range(err.span.unwrap()).0.line, 3);
}

#[test]
fn aliases_are_rejected_at_the_alias() {
    let (sources, err) = load_error("alias.yaml", &fixture("alias.yaml"));
    let span = err.span.unwrap();
    assert_eq!(sources.slice(span), "*props");
    let (start, _) = sources.range(span);
    assert_eq!((start.line, start.column), (8, 17));
    assert!(err.message.contains("aliases"), "{}", err.message);
}

#[test]
fn scalars_resolve_like_cloudformation_and_duplicate_keys_are_kept() {
    let text = "a: yes\nb: 12\nc: \"12\"\nd: ~\ne: true\nf: 2012-10-17\ng: 0x1F\nh:\ni: !!str 5\na: again\n";
    let node = parse_yaml(text, FileId(0)).unwrap();
    let kind = |k: &str| &node.get(k).unwrap().kind;
    assert_eq!(kind("a"), &Kind::Str(PString::known("yes")));
    assert_eq!(kind("b"), &Kind::Number("12".into()));
    assert_eq!(kind("c"), &Kind::Str(PString::known("12")));
    assert_eq!(kind("d"), &Kind::Null);
    assert_eq!(kind("e"), &Kind::Bool(true));
    assert_eq!(kind("f"), &Kind::Str(PString::known("2012-10-17")));
    assert_eq!(kind("g"), &Kind::Str(PString::known("0x1F")));
    assert_eq!(kind("h"), &Kind::Null);
    assert_eq!(kind("i"), &Kind::Str(PString::known("5")));
    let members = node.as_object().unwrap();
    assert_eq!(members.iter().filter(|m| m.key == "a").count(), 2);
}

#[test]
fn columns_count_characters_after_multibyte_text() {
    let text = "Description: \"Données — accès\"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {Tags: [{Key: é, Value: ü}]}\n";
    let t = load_text("u.yaml", text, &CfnOptions::default());
    let value = t.prop("B", "Tags.0.Value");
    assert_eq!(t.slice(value.span), "ü");
    assert_eq!(t.line_col(value.span), (5, 41));
}

// ---- safety ----

#[test]
fn a_million_nested_yaml_levels_give_a_clean_error() {
    let block = format!("Resources:\n  {}x\n", "- ".repeat(1_000_000));
    let (_, err) = load_error("deep.yaml", &block);
    assert!(
        err.message.contains("nesting deeper than"),
        "{}",
        err.message
    );
    let flow = format!(
        "Resources: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (_, err) = load_error("deep-flow.yaml", &flow);
    assert!(err.span.is_some());
    assert!(
        err.message.contains("nesting deeper than"),
        "{}",
        err.message
    );
}

#[test]
fn thousand_deep_json_gives_a_clean_error() {
    // In a property the model reads: an unread one is left unparsed.
    let json = format!(
        "{{\"Resources\": {{\"B\": {{\"Type\": \"AWS::S3::Bucket\", \"Properties\": {{\"BucketEncryption\": {}1{}}}}}}}}}",
        "[".repeat(1000),
        "]".repeat(1000)
    );
    let (sources, err) = load_error("deep.json", &json);
    assert!(
        err.message.contains("nesting deeper than"),
        "{}",
        err.message
    );
    assert_eq!(sources.slice(err.span.unwrap()), "[");
}

#[test]
fn nesting_within_the_limit_resolves_on_a_small_stack() {
    let depth = 120;
    let text = format!(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: {}!Sub \"${{AWS::Region}}\"{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let t = load_text("ok.yaml", &text, &CfnOptions::default());
            let mut node = t.prop("B", "X");
            let mut levels = 0;
            while let Kind::Array(items) = &node.kind {
                node = &items[0];
                levels += 1;
            }
            (levels, node.as_pstr().map(|s| s.to_string()))
        })
        .unwrap();
    let (levels, leaf) = handle.join().unwrap();
    assert_eq!(levels, depth);
    assert_eq!(leaf.as_deref(), Some("<region>"));
}

#[test]
fn for_each_products_are_bounded() {
    // Eight nested loops of 20 items would be 20^8 resources.
    let mut body = "\"R${A}${B}${C}${D}${E}${F}${G}${H}\": {Type: AWS::S3::Bucket}".to_string();
    for id in ["H", "G", "F", "E", "D", "C", "B", "A"] {
        body = format!(
            "\"Fn::ForEach::{id}\": [{id}, [{}], {{{body}}}]",
            (0..20)
                .map(|i| format!("v{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let text = format!("Transform: AWS::LanguageExtensions\nResources: {{{body}}}\n");
    let t = load_text("big.yaml", &text, &CfnOptions::default());
    assert!(t.resources.len() < 1_000_000, "{}", t.resources.len());
    assert!(
        t.notes
            .iter()
            .any(|n| n.message.starts_with("evaluation limit: Fn::ForEach::")),
        "{:?}",
        t.notes
    );
}

// ---- detection ----

#[test]
fn templates_are_detected_in_yaml_and_json() {
    for name in [
        "bucket-policy.yaml",
        "bucket-policy.json",
        "policy-string.json",
        "sam.yaml",
        "conditions.yaml",
        "foreach.yaml",
    ] {
        assert!(is_template(&fixture(name)), "{name}");
    }
    assert!(is_template(
        "\u{feff}\"Resources\":\n  B:\n    Type: 'AWS::S3::Bucket'\n"
    ));
}

#[test]
fn other_files_are_not_templates() {
    assert!(!is_template(&fixture("not-a-template.yaml")));
    // A plan whose stack embeds a template in a string is still a plan.
    assert!(!is_template(&fixture("terraform-plan.json")));
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/policies/tls-only-deny.json"
    ))
    .unwrap();
    assert!(!is_template(&policy));
    assert!(!is_template("Resources:\n  thing:\n    Type: kubernetes\n"));
    assert!(!is_template(""));
}

#[test]
fn a_large_value_used_many_times_is_bounded() {
    // 64 KB × 5,000 references would be 320 MB of text.
    let refs = vec!["!Ref Big"; 5_000].join(", ");
    let text = format!(
        "Parameters:\n  Big:\n    Type: String\n    Default: {}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      L: [{refs}]\n",
        "x".repeat(64 * 1024)
    );
    let t = load_text("big.yaml", &text, &CfnOptions::default());
    let Kind::Array(items) = &t.prop("B", "L").kind else {
        panic!()
    };
    assert_eq!(items.len(), 5_000);
    let known_items = items
        .iter()
        .filter(|n| n.as_pstr().is_some_and(PString::is_known))
        .count();
    assert!(known_items > 0 && known_items < 2_000, "{known_items}");
    assert!(matches!(items[4_999].kind, Kind::Unknown(_)));
    assert!(
        t.notes.iter().any(|n| n.message.contains("not checked")),
        "{:?}",
        t.notes
    );
}
