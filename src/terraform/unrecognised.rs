//! What a file given to the checker is, when it is none of the inputs it reads: said plainly,
//! with what to run instead.
//!
//! Only files named explicitly (and standard input) are described: a folder walk skips files
//! of no known format quietly (`package.json`, a bare policy document kept in a repository),
//! since most files of a repository are not for this checker.

/// The first bytes of a zip archive: a binary plan file (`terraform plan -out=tfplan`).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether `bytes` are a binary plan file (a zip archive).
pub fn is_binary_plan(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
}

/// Why `bytes`, named `name`, are not read, and what was expected.
pub fn describe(bytes: &[u8], name: &str) -> String {
    if is_binary_plan(bytes) {
        return format!(
            "this is a binary plan: run `terraform show -json {name} | clumio-preflight`"
        );
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not UTF-8 text: expected Terraform configuration (.tf, .tf.json, .tfvars), plan or \
                state JSON (`terraform show -json`), the text of `terraform plan`, or a CloudFormation \
                template"
            .to_string();
    };
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return "not a Terraform file (.tf, .tf.json, .tfvars), a plan or state \
                (`terraform show -json`), the text of `terraform plan`, or a CloudFormation template"
            .to_string();
    }
    let expected = "expected a plan (`terraform show -json PLANFILE`: `format_version` with \
                    `resource_changes`), state (`terraform show -json`: `format_version` with \
                    `values`) or a CloudFormation template (`Resources`)";
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            return format!(
                "not valid JSON (line {}, column {}: {e}); {expected}",
                e.line(),
                e.column()
            );
        }
    };
    let Some(obj) = doc.as_object() else {
        return format!("a JSON {}, not an object; {expected}", json_kind(&doc));
    };
    if obj.contains_key("Statement") {
        return format!(
            "this is an IAM policy document, not a plan, state or template: to check it against \
             Clumio's requests run `clumio-preflight simulate {name} --clumio`"
        );
    }
    if obj.contains_key("lineage") && obj.contains_key("resources") {
        return "this is a raw Terraform state file (`terraform.tfstate`), not state JSON: run \
                `terraform show -json | clumio-preflight` in its working directory"
            .to_string();
    }
    if obj.contains_key("format_version") {
        return format!(
            "a JSON document with `format_version` but neither `resource_changes` / \
             `planned_values` (a plan) nor `values` (state), e.g. the output of `terraform \
             validate -json` or `terraform providers schema -json`; {expected}"
        );
    }
    format!(
        "a JSON object that is neither a plan, nor state, nor a CloudFormation template; {expected}"
    )
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "list",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Null => "null",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wrong_file_is_named_with_what_to_do() {
        let zip = describe(b"PK\x03\x04\x14\x00rest", "tfplan");
        assert!(
            zip.contains("binary plan: run `terraform show -json tfplan | clumio-preflight`"),
            "{zip}"
        );
        let policy = describe(br#"{"Version":"2012-10-17","Statement":[]}"#, "policy.json");
        assert!(
            policy.contains("`clumio-preflight simulate policy.json --clumio`"),
            "{policy}"
        );
        let package = describe(br#"{"name":"x","dependencies":{}}"#, "package.json");
        assert!(package.contains("neither a plan, nor state"), "{package}");
        assert!(package.contains("expected a plan"), "{package}");
        let raw = describe(
            br#"{"version":4,"lineage":"x","resources":[]}"#,
            "terraform.tfstate",
        );
        assert!(raw.contains("raw Terraform state file"), "{raw}");
        let validate = describe(br#"{"format_version":"1.0","valid":true}"#, "v.json");
        assert!(validate.contains("terraform validate -json"), "{validate}");
        let broken = describe(b"{\"a\": ", "x.json");
        assert!(broken.starts_with("not valid JSON (line 1"), "{broken}");
        let list = describe(b"[1]", "x.json");
        assert!(list.contains("a JSON list, not an object"), "{list}");
        assert!(describe(b"\xff\xfe", "x").starts_with("not UTF-8"));
        assert!(describe(b"hello", "x").starts_with("not a Terraform file"));
    }
}
