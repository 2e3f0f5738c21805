//! Unit tests of the CloudFormation resource mapping: conditional statements and per-outcome
//! settings.

use super::conditional::{Path, condition_hole, guarded, is_unfolded, statements, unknown_parts};
use super::fill_in_place;
use super::settings::dedup_from;
use super::*;

#[test]
fn guarded_statement_gets_an_unknown_null_test() {
    let span = crate::source::Span::new(crate::source::FileId(0), 0, 1);
    let st = Node::new(
        Kind::Object(vec![Member {
            key: "Effect".into(),
            key_span: span,
            value: Node::new(Kind::Str("Deny".into()), span),
        }]),
        span,
    );
    let g = guarded(&st, condition_hole("IsProd", "the parameter Env", true));
    let null = g
        .get("Condition")
        .and_then(|c| c.get("Null"))
        .and_then(|n| n.get("aws:SecureTransport"))
        .unwrap();
    assert!(
        null.as_pstr()
            .unwrap()
            .holes()
            .any(|h| h.why.contains("IsProd"))
    );
}

fn yaml(text: &str) -> Node {
    crate::cloudformation::yaml::parse_yaml(text, crate::source::FileId(0)).unwrap()
}

fn guard_whys(statement: &Node) -> Vec<String> {
    let null = statement.get("Condition").and_then(|c| c.get("Null"));
    null.and_then(Node::as_object)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| m.value.as_pstr())
        .flat_map(|s| s.holes().map(|h| h.why.to_string()).collect::<Vec<_>>())
        .collect()
}

#[test]
fn a_statement_null_block_gets_the_guard_as_one_more_key() {
    let st = yaml("Effect: Deny\nCondition:\n  Null:\n    aws:SecureTransport: 'false'\n");
    let g = guarded(&st, condition_hole("C", "x", true));
    let ops = g.get("Condition").and_then(Node::as_object).unwrap();
    assert_eq!(ops.iter().filter(|o| o.key == "Null").count(), 1);
    let keys: Vec<&str> = ops[0]
        .value
        .as_object()
        .unwrap()
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert_eq!(keys, ["aws:SecureTransport", "aws:PrincipalAccount"]);
}

#[test]
fn an_if_in_the_structure_of_a_statement_gives_one_guarded_variant_per_branch() {
    let st = yaml(
        "Effect: {Fn::If: [IsProd, Deny, Allow, the parameter Env]}\n\
             Condition:\n  StringNotEquals: {Fn::If: [IsProd, {aws:SourceVpc: v}, {Ref: AWS::NoValue}, the parameter Env]}\n",
    );
    let mut out = Vec::new();
    statements(&st, &Path::default(), &mut out);
    assert_eq!(out.len(), 2);
    let effects: Vec<&str> = out
        .iter()
        .map(|s| {
            s.get("Effect")
                .and_then(Node::as_pstr)
                .and_then(PString::as_known)
                .unwrap()
        })
        .collect();
    assert_eq!(effects, ["Deny", "Allow"]);
    // The same condition takes the same branch in both places.
    assert!(
        out[0]
            .get("Condition")
            .and_then(|c| c.get("StringNotEquals"))
            .is_some()
    );
    assert!(
        out[1]
            .get("Condition")
            .and_then(|c| c.get("StringNotEquals"))
            .is_none()
    );
    assert!(guard_whys(&out[0])[0].contains("IsProd is true (the parameter Env"));
    assert!(guard_whys(&out[1])[0].contains("IsProd is false"));
}

#[test]
fn an_if_in_a_value_leaves_one_statement_with_an_unknown_value() {
    let st = yaml(
        "Effect: Deny\nCondition:\n  StringNotEquals:\n    aws:SourceVpc: {Fn::If: [C, a, b, w]}\n",
    );
    let mut out = Vec::new();
    statements(&st, &Path::default(), &mut out);
    assert_eq!(out.len(), 1);
    let value = out[0]
        .get("Condition")
        .and_then(|c| c.get("StringNotEquals"))
        .and_then(|c| c.get("aws:SourceVpc"))
        .unwrap();
    assert!(matches!(&value.kind, Kind::Unknown(h) if h.why.contains("condition C")));
    assert!(guard_whys(&out[0]).is_empty());
}

#[test]
fn nested_ifs_guard_their_statements_with_both_conditions() {
    let doc = yaml(
        "Statement:\n  - Fn::If: [A, {Fn::If: [B, {Effect: Deny}, {Ref: AWS::NoValue}, wb]}, {Ref: AWS::NoValue}, wa]\n",
    );
    let unfolded = unfold_conditions(&doc);
    let Some(Kind::Array(items)) = unfolded.get("Statement").map(|s| &s.kind) else {
        panic!("{unfolded:?}")
    };
    assert_eq!(items.len(), 1);
    let why = &guard_whys(&items[0])[0];
    assert!(
        why.contains("condition A is true") && why.contains("condition B is true"),
        "{why}"
    );
}

#[test]
fn a_condition_takes_the_same_branch_inside_the_statement_it_chose() {
    let doc = yaml(
        "Statement:\n  - Fn::If: [C, {Effect: Deny, Resource: {Fn::If: [C, a, b, w]}}, {Ref: AWS::NoValue}, w]\n",
    );
    let unfolded = unfold_conditions(&doc);
    let Some(Kind::Array(items)) = unfolded.get("Statement").map(|s| &s.kind) else {
        panic!("{unfolded:?}")
    };
    assert_eq!(items.len(), 1);
    let resource = items[0].get("Resource").and_then(Node::as_pstr);
    assert_eq!(resource.and_then(PString::as_known), Some("a"));
}

#[test]
fn unknown_condition_blocks_and_effects_become_guards() {
    let hole = |id: &str| {
        Node::new(
            Kind::Unknown(Hole::unknown(id, id)),
            Span::new(crate::source::FileId(0), 0, 1),
        )
    };
    let mut st = yaml(
        "Effect: Deny\nCondition:\n  StringNotEquals: x\n  Bool: {aws:SecureTransport: 'false'}\n",
    );
    if let Kind::Object(members) = &mut st.kind {
        let Kind::Object(ops) = &mut members[1].value.kind else {
            panic!()
        };
        ops[0].value = hole("keys");
    }
    let parts = unknown_parts(st, None);
    assert_eq!(parts.len(), 1);
    let ops: Vec<&str> = parts[0]
        .0
        .get("Condition")
        .and_then(Node::as_object)
        .unwrap()
        .iter()
        .map(|o| o.key.as_str())
        .collect();
    assert_eq!(ops, ["Bool"]);
    assert_eq!(parts[0].1.as_ref().map(|h| &*h.id), Some("keys"));

    let mut st = yaml("Effect: x\nCondition: y\n");
    if let Kind::Object(members) = &mut st.kind {
        members[0].value = hole("effect");
        members[1].value = hole("condition");
    }
    let parts = unknown_parts(st, None);
    let effects: Vec<&str> = parts
        .iter()
        .map(|(s, _)| {
            s.get("Effect")
                .and_then(Node::as_pstr)
                .and_then(PString::as_known)
                .unwrap()
        })
        .collect();
    assert_eq!(effects, ["Deny", "Allow"]);
    assert!(parts.iter().all(|(s, _)| s.get("Condition").is_none()));
    let why = parts[0].1.as_ref().unwrap().why.to_string();
    assert!(
        why.contains("condition") && why.contains("Effect, effect, is Deny"),
        "{why}"
    );
}

#[test]
fn choose_takes_the_branch_of_each_condition_and_drops_no_value() {
    let node = yaml("K: {Fn::If: [C, x, {Ref: AWS::NoValue}, w]}\nL: {Fn::If: [D, y, z, w]}\n");
    let picked = choose(&node, &[("C", false)]).unwrap();
    assert!(picked.get("K").is_none());
    assert!(matches!(
        picked.get("L").map(|n| &n.kind),
        Some(Kind::Unknown(_))
    ));
    let picked = choose(&node, &[("C", true), ("D", false)]).unwrap();
    assert_eq!(
        picked
            .get("K")
            .and_then(Node::as_pstr)
            .and_then(PString::as_known),
        Some("x")
    );
    assert_eq!(
        picked
            .get("L")
            .and_then(Node::as_pstr)
            .and_then(PString::as_known),
        Some("z")
    );
}

#[test]
fn dedup_from_keeps_earlier_entries_and_first_repeats() {
    let mut v = vec![1, 2, 3, 2, 3, 4];
    dedup_from(&mut v, 2);
    assert_eq!(v, [1, 2, 3, 2, 4]);
}

#[test]
fn a_document_with_nothing_to_unfold_is_used_as_it_is() {
    for text in [
        "Version: '2012-10-17'\nStatement:\n  - Effect: Deny\n    Principal: '*'\n    Action: s3:*\n    Resource: '*'\n    Condition: {Bool: {aws:SecureTransport: 'false'}}\n  - Sid: x\n",
        "Statement: {Effect: Allow, Principal: '*', Action: s3:GetObject, Resource: '*'}\n",
        "Statement: []\nId: x\n",
        "Statement: [a, 1, null]\n",
        "Id: no statement\n",
    ] {
        let doc = yaml(text);
        assert!(is_unfolded(&doc), "{text}");
        assert_eq!(unfold_conditions(&doc), doc, "{text}");
    }
}

#[test]
fn a_document_with_something_to_unfold_is_unfolded() {
    let hole = |id: &str| {
        Node::new(
            Kind::Unknown(Hole::unknown(id, id)),
            Span::new(crate::source::FileId(0), 0, 1),
        )
    };
    // Each of these changes in unfolding: an undecided `Fn::If` (at the top, in a statement,
    // in a value), `AWS::NoValue`, a `Statement` that is a string or holds a list, and
    // wholly unknown `Effect`, `Condition` and operator blocks.
    let mut docs: Vec<Node> = [
        "Fn::If: [C, {Statement: []}, {Statement: []}, w]\n",
        "Statement: [{Fn::If: [C, {Effect: Deny}, {Ref: AWS::NoValue}, w]}]\n",
        "Statement: [{Effect: Deny, Resource: {Fn::If: [C, a, b, w]}}]\n",
        "Statement: [{Effect: Deny}]\nId: {Fn::If: [C, a, b, w]}\n",
        "Statement: [{Effect: Deny, Resource: [a, {Ref: AWS::NoValue}]}]\n",
        "Statement: just text\n",
        "Statement: [[{Effect: Deny}]]\n",
        "[{Effect: Deny}]\n",
    ]
    .iter()
    .map(|t| yaml(t))
    .collect();
    let with = |text: &str, path: &[usize], value: Node| {
        let mut doc = yaml(text);
        let mut at = &mut doc;
        for &i in path {
            at = match &mut at.kind {
                Kind::Object(members) => &mut members[i].value,
                Kind::Array(items) => &mut items[i],
                _ => panic!(),
            };
        }
        *at = value;
        doc
    };
    docs.push(with("Statement: [{Effect: x}]\n", &[0, 0, 0], hole("e")));
    docs.push(with("Statement: {Condition: x}\n", &[0, 0], hole("c")));
    docs.push(with(
        "Statement: [{Condition: {Bool: x}}]\n",
        &[0, 0, 0, 0],
        hole("b"),
    ));
    docs.push(with("Statement: x\n", &[0], hole("s")));
    for doc in &docs {
        assert!(!is_unfolded(doc), "{doc:?}");
    }
    // The unfolded document differs from the one written (but for a document that is not a
    // map, which is left to the full path without being looked at).
    for doc in &docs {
        assert!(
            doc.as_object().is_none() || unfold_conditions(doc) != *doc,
            "{doc:?}"
        );
    }
}

#[test]
fn filling_in_place_is_substituting() {
    let span = Span::new(crate::source::FileId(0), 0, 1);
    let hole = |id: &str| Hole::unknown(id, "why");
    let str_node = |s: PString| Node::new(Kind::Str(s), span);
    let mut known = HashMap::new();
    known.insert("B.Ref".to_string(), str_node(PString::known("data")));
    known.insert(
        "B.Arn".to_string(),
        str_node(PString::known("arn:aws:s3:::").with_hole(hole("B.Name"))),
    );
    known.insert("O.Ref".to_string(), yaml("{a: 1}"));
    let mut deep = str_node(PString::hole(hole("B.Ref")));
    for _ in 0..70 {
        deep = Node::new(Kind::Array(vec![deep]), span);
    }
    let node = Node::new(
        Kind::Array(vec![
            str_node(PString::hole(hole("B.Ref"))),
            str_node(PString::hole(hole("O.Ref"))),
            str_node(PString::known("x-").with_hole(hole("B.Arn")).with_str("/*")),
            str_node(
                PString::known("a")
                    .with_hole(hole("O.Ref"))
                    .with_hole(hole("Z")),
            ),
            Node::new(Kind::Unknown(hole("B.Ref")), span),
            Node::new(Kind::Unknown(hole("Z")), span),
            yaml("{k: [1, true, null, text]}"),
            deep,
        ]),
        span,
    );
    let mut filled = node.clone();
    fill_in_place(&mut filled, &known, 0);
    assert_eq!(filled, substitute(&node, &known));
    assert_ne!(filled, node);
}

#[test]
fn the_inventory_of_owned_resources_is_the_inventory_of_borrowed_ones() {
    let text = "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n\
                Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n\
                \x20     BucketName: !Sub 'data-${AWS::Region}-${Other}'\n\
                \x20     BucketEncryption:\n        ServerSideEncryptionConfiguration:\n\
                \x20         - ServerSideEncryptionByDefault:\n              SSEAlgorithm: aws:kms\n\
                \x20             KMSMasterKeyID: !If [IsProd, !Ref KeyAlias, !GetAtt Key.Arn]\n\
                \x20 Other: {Type: AWS::S3::Bucket}\n\
                \x20 Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {Statement: [{Effect: Allow, \
                Principal: {AWS: '*'}, Action: 'kms:*', Resource: '*'}]}}}\n\
                \x20 KeyAlias: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/data, TargetKeyId: !Ref Key}}\n\
                \x20 Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Data\n\
                \x20     PolicyDocument:\n        Statement:\n          - Effect: Deny\n            Principal: '*'\n\
                \x20           Action: s3:*\n            Resource: [!GetAtt Data.Arn, !Sub '${Data.Arn}/*', !Sub '${Other}']\n\
                \x20 Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Data}}\n\
                \x20 Policy2:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Other\n\
                \x20     PolicyDocument: !Sub '{\"Statement\": [{\"Effect\": \"Deny\", \"Principal\": \"*\", \
                \"Action\": \"s3:*\", \"Resource\": \"${Other.Arn}\", \"Condition\": {\"Bool\": 1}}]}'\n";
    let mut sources = Sources::new();
    let file = sources.add("t.yaml", text);
    let loaded = crate::cloudformation::load_template_with_notes(
        &sources,
        file,
        &crate::cloudformation::CfnOptions::default(),
    )
    .unwrap();
    let borrowed = inventory(&loaded.resources, &sources);
    assert_eq!(borrowed.buckets.len(), 2);
    assert_eq!(borrowed.policies.len(), 2);
    let owned = inventory_owned(loaded.resources, &loaded.sub_texts, &sources);
    assert_eq!(owned, borrowed);
}
