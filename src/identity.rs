//! The forms of the identity inputs (who the Clumio role is) as IAM and AWS define them, so
//! that a value from a flag, an environment variable or the configuration file is checked
//! before it is used or printed: a role name is `[\w+=,.@-]{1,64}`, a role path is `/` or
//! `/…/` of printable ASCII up to 512 characters, a region is like `us-east-1`, an account id
//! is 12 digits, an organization id is `o-` and 10 to 32 lowercase letters or digits, and a
//! role ARN is `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` with those parts.

use crate::report::escape;

/// One identity input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `account_id`.
    AccountId,
    /// `role_arn`.
    RoleArn,
    /// `role_name`.
    RoleName,
    /// `role_path`.
    RolePath,
    /// `org_id`.
    OrgId,
    /// `region`.
    Region,
}

/// Every identity input.
pub const FIELDS: [Field; 6] = [
    Field::AccountId,
    Field::RoleArn,
    Field::RoleName,
    Field::RolePath,
    Field::OrgId,
    Field::Region,
];

impl Field {
    /// The key in the configuration file (and clap's argument id).
    pub fn key(self) -> &'static str {
        match self {
            Field::AccountId => "account_id",
            Field::RoleArn => "role_arn",
            Field::RoleName => "role_name",
            Field::RolePath => "role_path",
            Field::OrgId => "org_id",
            Field::Region => "region",
        }
    }

    /// The command-line flag.
    pub fn flag(self) -> &'static str {
        match self {
            Field::AccountId => "--account-id",
            Field::RoleArn => "--role-arn",
            Field::RoleName => "--role-name",
            Field::RolePath => "--role-path",
            Field::OrgId => "--org-id",
            Field::Region => "--region",
        }
    }

    /// The environment variable.
    pub fn env(self) -> &'static str {
        match self {
            Field::AccountId => "CLUMIO_PREFLIGHT_ACCOUNT_ID",
            Field::RoleArn => "CLUMIO_PREFLIGHT_ROLE_ARN",
            Field::RoleName => "CLUMIO_PREFLIGHT_ROLE_NAME",
            Field::RolePath => "CLUMIO_PREFLIGHT_ROLE_PATH",
            Field::OrgId => "CLUMIO_PREFLIGHT_ORG_ID",
            Field::Region => "CLUMIO_PREFLIGHT_REGION",
        }
    }

    /// What a valid value looks like.
    pub fn expected(self) -> &'static str {
        match self {
            Field::AccountId => "an AWS account id of 12 digits, like 123456789012",
            Field::RoleArn => {
                "a role ARN like arn:aws:iam::123456789012:role/clumio/ClumioIAMRole-uw-2-abc \
                 (partition aws or aws-…, a 12-digit account, a role path and a role name)"
            }
            Field::RoleName => {
                "an IAM role name: 1 to 64 letters, digits and + = , . @ _ - (like ClumioIAMRole-uw-2-abc)"
            }
            Field::RolePath => {
                "an IAM path: `/`, or up to 512 printable ASCII characters that start and end \
                 with `/` (like /clumio/)"
            }
            Field::OrgId => {
                "an AWS Organizations id: o- and 10 to 32 lowercase letters or digits (like o-a1b2c3d4e5)"
            }
            Field::Region => "an AWS region like us-east-1",
        }
    }

    /// Whether `value` has this input's form.
    pub fn is_valid(self, value: &str) -> bool {
        match self {
            Field::AccountId => is_account_id(value),
            Field::RoleArn => is_role_arn(value),
            Field::RoleName => is_role_name(value),
            Field::RolePath => is_role_path(value),
            Field::OrgId => is_org_id(value),
            Field::Region => is_region(value),
        }
    }

    /// `Ok` when `value` has this input's form, else what was expected and what was given
    /// (the value escaped for printing), for the caller to put after the source.
    pub fn check(self, value: &str) -> Result<(), String> {
        if self.is_valid(value) {
            return Ok(());
        }
        Err(format!(
            "expected {}, got \"{}\"",
            self.expected(),
            escape::field(value)
        ))
    }
}

/// 12 ASCII digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// IAM's role name: `[\w+=,.@-]{1,64}`.
pub fn is_role_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// IAM's path: `/`, or `/` + `[\x21-\x7E]+` + `/`, at most 512 characters.
pub fn is_role_path(s: &str) -> bool {
    s.len() <= 512
        && s.starts_with('/')
        && s.ends_with('/')
        && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// `o-` and 10 to 32 lowercase letters or digits.
pub fn is_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// A region: two lowercase letters, one or more lowercase words, and a number of one or two
/// digits, joined by `-` (`us-east-1`, `us-gov-west-1`, `ap-southeast-4`).
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words[0].len() == 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// A partition: `aws`, or `aws-` and lowercase words (`aws-cn`, `aws-us-gov`, `aws-iso-b`).
pub fn is_partition(s: &str) -> bool {
    s.strip_prefix("aws").is_some_and(|rest| {
        rest.is_empty()
            || rest.strip_prefix('-').is_some_and(|words| {
                words
                    .split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
            })
    })
}

/// `arn:PARTITION:iam::ACCOUNT:role` + path + name, each part in its form.
pub fn is_role_arn(s: &str) -> bool {
    crate::profile::parse_role_arn(s).is_some_and(|arn| {
        is_partition(&arn.partition)
            && is_account_id(&arn.account)
            && is_role_path(&arn.path)
            && is_role_name(&arn.name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names() {
        assert!(is_role_name("ClumioIAMRole-uw-2-abc"));
        assert!(is_role_name("a+b=c,d.e@f_g-h"));
        assert!(is_role_name(&"r".repeat(64)));
        assert!(!is_role_name(&"r".repeat(65)));
        assert!(!is_role_name(""));
        assert!(!is_role_name("a b"));
        assert!(!is_role_name("a/b"));
        assert!(!is_role_name("rôle"));
        assert!(!is_role_name("x\n::error::y"));
    }

    #[test]
    fn role_paths() {
        assert!(is_role_path("/"));
        assert!(is_role_path("/clumio/"));
        assert!(is_role_path("/a/b~!/"));
        assert!(is_role_path(&format!("/{}/", "p".repeat(510))));
        assert!(!is_role_path(&format!("/{}/", "p".repeat(511))));
        assert!(!is_role_path("clumio/"));
        assert!(!is_role_path("/clumio"));
        assert!(!is_role_path("/a b/"));
        assert!(!is_role_path("/\n::stop-commands::x/"));
    }

    #[test]
    fn regions_accounts_and_organizations() {
        for ok in ["us-east-1", "us-gov-west-1", "ap-southeast-4", "cn-north-1"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "useast1",
            "US-EAST-1",
            "us-east-123",
            "u-east-1",
            "us--1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901"));
        assert!(!is_account_id("12345678901a"));
        assert!(is_org_id("o-a1b2c3d4e5"));
        assert!(!is_org_id("o-a1b2c3d4e"));
        assert!(!is_org_id("o-A1B2C3D4E5"));
        assert!(!is_org_id(&format!("o-{}", "a".repeat(33))));
    }

    #[test]
    fn role_arns() {
        assert!(is_role_arn(
            "arn:aws:iam::123456789012:role/clumio/ClumioIAMRole-uw-2-abc"
        ));
        assert!(is_role_arn("arn:aws-us-gov:iam::123456789012:role/R"));
        assert!(!is_role_arn("arn:gcp:iam::123456789012:role/R"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:role/a b/R"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:role/R\u{1b}[2J"));
    }

    #[test]
    fn errors_say_what_was_expected_and_escape_the_value() {
        let e = Field::RoleName.check("x\u{1b}]0;t\u{7}").unwrap_err();
        assert!(e.starts_with("expected an IAM role name"), "{e}");
        assert!(e.contains(r#"got "x\x1b]0;t\x07""#), "{e}");
    }
}
