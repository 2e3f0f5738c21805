//! Unit tests of the built-in functions.

use super::*;

use crate::source::FileId;

fn sp() -> Span {
    Span::new(FileId(0), 0, 1)
}

fn s(text: &str) -> Node {
    string_node(text, sp())
}

fn list_of(items: &[&str]) -> Node {
    Node::new(Kind::Array(items.iter().map(|t| s(t)).collect()), sp())
}

fn run(name: &str, args: &[Node]) -> Node {
    call(name, args, sp(), &Sources::new()).expect("known function")
}

fn text(node: &Node) -> String {
    node.as_pstr().expect("a string").to_string()
}

#[test]
fn string_functions() {
    assert_eq!(text(&run("lower", &[s("AbC")])), "abc");
    assert_eq!(text(&run("upper", &[s("AbC")])), "ABC");
    assert_eq!(
        text(&run("replace", &[s("a-b-c"), s("-"), s("_")])),
        "a_b_c"
    );
    assert_eq!(
        text(&run(
            "format",
            &[s("%s:%d%%"), s("x"), number_node(3.0, sp())]
        )),
        "x:3%"
    );
    assert_eq!(text(&run("join", &[s(","), list_of(&["a", "b"])])), "a,b");
    assert_eq!(text(&run("trimspace", &[s("  a ")])), "a");
}

#[test]
fn partial_strings_keep_their_holes() {
    let hole = Hole::unknown("var.x", "x");
    let partial = Node::new(Kind::Str(PString::known("A").with_hole(hole.clone())), sp());
    let lowered = run("lower", std::slice::from_ref(&partial));
    assert_eq!(lowered.as_pstr().unwrap().to_string(), "a${var.x}");
    let joined = run(
        "join",
        &[s("/"), Node::new(Kind::Array(vec![s("x"), partial]), sp())],
    );
    assert_eq!(joined.as_pstr().unwrap().to_string(), "x/A${var.x}");
    let unknown_list = Node::new(Kind::Unknown(hole.clone()), sp());
    let spliced = run("concat", &[list_of(&["a"]), unknown_list.clone()]);
    let Kind::Array(items) = &spliced.kind else {
        panic!("concat keeps the known elements: {spliced:?}");
    };
    assert_eq!(items[0].as_pstr().unwrap().as_known(), Some("a"));
    assert_eq!(splice_hole(&items[1]).map(|h| &*h.why), Some("x"));
    // Counting or picking past a splice is unknown.
    for f in ["length", "one"] {
        let out = run(f, std::slice::from_ref(&spliced));
        assert!(matches!(out.kind, Kind::Unknown(_)), "{f}: {out:?}");
    }
    let nested = Node::new(Kind::Array(vec![list_of(&["b"]), unknown_list]), sp());
    let flat = run("flatten", &[nested]);
    assert!(matches!(&flat.kind, Kind::Array(items) if items.len() == 2));
}

#[test]
fn replace_works_over_documents_and_keeps_holes() {
    let arn = Node::new(
        Kind::Str(PString::hole(Hole::unknown(
            "aws_s3_bucket.b.arn",
            "after apply",
        ))),
        sp(),
    );
    let doc = Node::new(
        Kind::Object(vec![Member {
            key: "Resource".into(),
            key_span: sp(),
            value: s("_ARN_/*"),
        }]),
        sp(),
    );
    let out = run("replace", &[doc.clone(), s("_ARN_"), arn.clone()]);
    assert_eq!(
        out.get("Resource").unwrap().as_pstr().unwrap().to_string(),
        "${aws_s3_bucket.b.arn}/*"
    );
    // A string with a hole: only the known parts are searched.
    let partial = Node::new(
        Kind::Str(PString::known("x_ARN_").with_hole(Hole::unknown("var.y", "y"))),
        sp(),
    );
    let out = run("replace", &[partial, s("_ARN_"), s("z")]);
    assert_eq!(out.as_pstr().unwrap().to_string(), "xz${var.y}");
    // Patterns JSON would escape, and regular expressions, stay unknown with a reason.
    for pattern in ["\"", "/a+/"] {
        let out = run("replace", &[doc.clone(), s(pattern), s("q")]);
        assert!(matches!(out.kind, Kind::Unknown(_)), "{pattern}: {out:?}");
    }
    // join of one document is the document (cloudposse's `join("", data.x[*].json)`).
    let joined = run(
        "join",
        &[s(""), Node::new(Kind::Array(vec![doc.clone()]), sp())],
    );
    assert_eq!(joined, doc);
    assert_eq!(run("jsondecode", std::slice::from_ref(&doc)), doc);
}

#[test]
fn regular_expressions_stay_unknown_with_the_reason() {
    for f in ["regex", "regexall"] {
        let out = run(f, &[s("^a"), s("abc")]);
        let Kind::Unknown(hole) = &out.kind else {
            panic!("{f}: {out:?}");
        };
        assert!(hole.why.contains("regular expression"), "{}", hole.why);
    }
}

#[test]
fn collections() {
    let merged = run(
        "merge",
        &[
            Node::new(
                Kind::Object(vec![Member {
                    key: "a".into(),
                    key_span: sp(),
                    value: s("1"),
                }]),
                sp(),
            ),
            Node::new(
                Kind::Object(vec![Member {
                    key: "a".into(),
                    key_span: sp(),
                    value: s("2"),
                }]),
                sp(),
            ),
        ],
    );
    assert_eq!(text(merged.get("a").unwrap()), "2");
    let set = run("toset", &[list_of(&["b", "a", "b"])]);
    let Kind::Array(items) = &set.kind else {
        panic!("not a list")
    };
    assert_eq!(items.iter().map(text).collect::<Vec<_>>(), ["a", "b"]);
    let flat = run(
        "flatten",
        &[Node::new(
            Kind::Array(vec![list_of(&["a"]), list_of(&["b", "c"])]),
            sp(),
        )],
    );
    assert_eq!(flat.as_object(), None);
    assert!(matches!(&flat.kind, Kind::Array(i) if i.len() == 3));
    assert_eq!(
        run("contains", &[list_of(&["a", "b"]), s("b")]).kind,
        Kind::Bool(true)
    );
    assert_eq!(
        run("element", &[list_of(&["a", "b"]), number_node(3.0, sp())]),
        s("b")
    );
    assert_eq!(
        run("length", &[list_of(&["a", "b"])]).kind,
        Kind::Number("2".into())
    );
    assert_eq!(
        run("coalesce", &[s(""), Node::new(Kind::Null, sp()), s("x")]),
        s("x")
    );
}

#[test]
fn wrong_arguments_are_errors_not_panics() {
    assert!(is_error(&run("lookup", &[s("x")])));
    assert!(is_error(&run(
        "element",
        &[list_of(&[]), number_node(0.0, sp())]
    )));
    assert!(is_error(&run("format", &[s("%s")])));
    assert!(call("nosuchfunction", &[], sp(), &Sources::new()).is_none());
}
