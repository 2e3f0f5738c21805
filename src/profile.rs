//! The backup profile: who Clumio is, what its backups need, and what its requests look like.
//!
//! Everything the checker assumes about Clumio lives here as data (SPEC.md "Who the backup
//! principal is", AWS-SEMANTICS.md sections 1.1, 1.2 and 2). What the user did not tell us
//! stays a [`Hole`], so verdicts that hinge on it come out as "depends", naming the flag that
//! settles it.

use crate::policy::decision::{
    KeyState, PUBLIC_IP_HOLE, Request, RequestContext, RequestPrincipal,
};
use crate::value::{Hole, PString};

/// Clumio's documented role-session names (sources C1 and C2 of AWS-SEMANTICS.md). Others may
/// exist.
pub const SESSION_NAMES: &[&str] = &[
    "daebaksrv-S3Backup",
    "daebaksrv-RestoreTargetCheck",
    "daebaksrv-createS3CustomerSession",
    "Ingestion-ingesttool",
];

/// The role-name prefixes Clumio's templates have used: `ClumioIAMRole-<short-region>-<token>`
/// since template v0.18, `ClumioRole-<region>-<token>` before.
pub const ROLE_NAME_PREFIXES: &[&str] = &["ClumioIAMRole-", "ClumioRole-"];

/// The default role path.
pub const DEFAULT_ROLE_PATH: &str = "/clumio/";

/// Object-level S3 actions a backup performs on every object.
pub const OBJECT_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
];

/// Bucket-level S3 actions a backup performs on the bucket.
pub const BUCKET_ACTIONS: &[&str] = &[
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:GetBucketLocation",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketPolicy",
    "s3:GetInventoryConfiguration",
    "s3:PutInventoryConfiguration",
];

/// The values `s3:TlsVersion` can take: AWS endpoints accept TLS 1.2 and 1.3 only.
pub const TLS_VERSIONS: &[&str] = &["1.2", "1.3"];

/// The values `kms:KeyOrigin` can take (the key's `Origin`; all four allow symmetric
/// encryption keys, which S3 needs).
pub const KEY_ORIGINS: &[&str] = &["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];

/// KMS action needed to read SSE-KMS objects (backups).
pub const KMS_DECRYPT: &str = "kms:Decrypt";
/// KMS action needed to write SSE-KMS objects (restores); policies grant it as
/// `kms:GenerateDataKey*`.
pub const KMS_GENERATE_DATA_KEY: &str = "kms:GenerateDataKey";

/// What the user told us about the Clumio role; every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileOptions {
    /// `--account-id`.
    pub account_id: Option<String>,
    /// `--role-arn`.
    pub role_arn: Option<String>,
    /// `--role-name`.
    pub role_name: Option<String>,
    /// `--role-path` (default `/clumio/`).
    pub role_path: Option<String>,
    /// `--org-id`.
    pub org_id: Option<String>,
    /// `--permissions-boundary`: `Some(true)` / `Some(false)`, `None` when not said.
    pub permissions_boundary: Option<bool>,
    /// `--region` of the buckets, when known.
    pub region: Option<String>,
    /// The partition, `aws` unless given.
    pub partition: Option<String>,
}

impl ProfileOptions {
    /// These options, with what they leave unset taken from `fallback` (flags over the
    /// configuration file).
    pub fn or(&self, fallback: &ProfileOptions) -> ProfileOptions {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        ProfileOptions {
            account_id: pick(&self.account_id, &fallback.account_id),
            role_arn: pick(&self.role_arn, &fallback.role_arn),
            role_name: pick(&self.role_name, &fallback.role_name),
            role_path: pick(&self.role_path, &fallback.role_path),
            org_id: pick(&self.org_id, &fallback.org_id),
            permissions_boundary: self.permissions_boundary.or(fallback.permissions_boundary),
            region: pick(&self.region, &fallback.region),
            partition: pick(&self.partition, &fallback.partition),
        }
    }
}

/// One possible identity of the Clumio role (a name form, when the name is unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleCandidate {
    /// The role name, possibly partly known (`ClumioIAMRole-<token>`).
    pub name: PString,
    /// The role ARN with its path.
    pub arn: PString,
}

/// Who Clumio is in the customer's account, with unknowns kept as holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The account that owns the buckets and the role.
    pub account: PString,
    /// The role's path, e.g. `/clumio/`.
    pub path: String,
    /// The role: one candidate when its name is known, one per published name form when not.
    pub roles: Vec<RoleCandidate>,
    /// The organization id, when given.
    pub org_id: Option<String>,
    /// Whether the role carries a permissions boundary; `None` when not said.
    pub permissions_boundary: Option<bool>,
    /// The buckets' region.
    pub region: PString,
    /// What the profile was built from.
    pub options: ProfileOptions,
    /// Requests built once and copied by the rules (see [`Profile::s3_requests`]); built from
    /// the fields above, which therefore do not change once the profile is made.
    templates: RequestTemplates,
}

/// The requests every bucket's and key's analysis starts from: building one sets some forty
/// condition keys, and the rules ask for them once per policy and per encryption.
#[derive(Debug, Clone, Default)]
struct RequestTemplates {
    /// Which profile built them: a number no other [`Profile::new`] gets (a clone keeps it,
    /// having the same fields), so that working copies are never taken for another profile.
    id: u64,
    s3: std::sync::OnceLock<Vec<Vec<Request>>>,
    kms_via_s3: std::sync::OnceLock<Vec<(String, Vec<Vec<Request>>)>>,
}

impl RequestTemplates {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        RequestTemplates {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            ..RequestTemplates::default()
        }
    }
}

/// One thread's working copies of a profile's requests: the rules fill in actions, resources
/// and the encryption context, and leave them for the next user to overwrite.
#[derive(Debug, Clone)]
pub struct WorkingRequests {
    /// Clumio's direct S3 requests, as [`Profile::s3_requests`] lays them out.
    pub s3: Vec<Vec<Request>>,
    /// S3's KMS calls for the role: [`KMS_DECRYPT`], then [`KMS_GENERATE_DATA_KEY`], as
    /// [`Profile::kms_requests_via_s3`] lays them out.
    pub kms: [Vec<Vec<Request>>; 2],
}

thread_local! {
    /// This thread's [`WorkingRequests`], with the id of the profile they were copied from.
    static WORKING: std::cell::RefCell<Option<(u64, WorkingRequests)>> =
        const { std::cell::RefCell::new(None) };
}

/// A cache, not part of what a profile is: two profiles are equal whatever they have built.
impl PartialEq for RequestTemplates {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A problem with the options that describe the role.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileError(pub String);

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The hole for the account id.
pub fn account_hole() -> Hole {
    Hole::segment("account-id", "the AWS account id (--account-id)")
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl Profile {
    /// Builds the profile from what the user told us, checking the values.
    pub fn new(opts: &ProfileOptions) -> Result<Profile, ProfileError> {
        let mut partition = opts.partition.clone().unwrap_or_else(|| "aws".into());
        let mut account = opts.account_id.clone();
        if let Some(a) = &account
            && !is_account_id(a)
        {
            return Err(ProfileError(format!(
                "--account-id must be 12 digits, got \"{a}\""
            )));
        }
        let mut path = opts
            .role_path
            .clone()
            .unwrap_or_else(|| DEFAULT_ROLE_PATH.into());
        if !path.starts_with('/') || !path.ends_with('/') {
            return Err(ProfileError(format!(
                "--role-path must start and end with `/` (like /clumio/), got \"{path}\""
            )));
        }
        let mut name = opts.role_name.clone();
        if let Some(arn) = &opts.role_arn {
            let parsed = parse_role_arn(arn).ok_or_else(|| {
                ProfileError(format!(
                    "--role-arn must look like arn:aws:iam::123456789012:role/clumio/ClumioIAMRole-uw-2-abc, got \"{arn}\""
                ))
            })?;
            if let Some(a) = &account
                && *a != parsed.account
            {
                return Err(ProfileError(format!(
                    "--role-arn is in account {} but --account-id is {a}",
                    parsed.account
                )));
            }
            partition = parsed.partition;
            account = Some(parsed.account);
            path = parsed.path;
            name = Some(parsed.name);
        }
        let account = match account {
            Some(a) => PString::known(a),
            None => PString::hole(account_hole()),
        };
        let names: Vec<PString> = match name {
            Some(n) => vec![PString::known(n)],
            None => ROLE_NAME_PREFIXES
                .iter()
                .map(|prefix| {
                    PString::known(*prefix).with_hole(Hole::segment(
                        "role-name-suffix",
                        "the Clumio role's name (--role-arn or --role-name)",
                    ))
                })
                .collect(),
        };
        let roles = names
            .into_iter()
            .map(|name| {
                let arn = PString::known(format!("arn:{partition}:iam::"))
                    .with_hole_or_str(&account)
                    .with_str(&format!(":role{path}"))
                    .with_hole_or_str(&name);
                RoleCandidate { name, arn }
            })
            .collect();
        let region = match &opts.region {
            Some(r) => PString::known(r.clone()),
            None => PString::hole(Hole::segment("region", "the bucket's region (--region)")),
        };
        if let Some(org) = &opts.org_id
            && !org.starts_with("o-")
        {
            return Err(ProfileError(format!(
                "--org-id must look like o-a1b2c3d4e5, got \"{org}\""
            )));
        }
        Ok(Profile {
            partition,
            account,
            path,
            roles,
            org_id: opts.org_id.clone(),
            permissions_boundary: opts.permissions_boundary,
            region,
            options: opts.clone(),
            templates: RequestTemplates::new(),
        })
    }

    /// The same profile in a known account (an input such as a plan knows it), when the
    /// account was not given; otherwise the profile itself.
    pub fn in_account(&self, account: &str) -> Profile {
        if self.account.is_known() {
            return self.clone();
        }
        let opts = ProfileOptions {
            account_id: Some(account.to_string()),
            ..self.options.clone()
        };
        Profile::new(&opts).unwrap_or_else(|_| self.clone())
    }

    /// The ARN of a session of `role`.
    pub fn session_arn(&self, role: &RoleCandidate, session: &str) -> PString {
        PString::known(format!("arn:{}:sts::", self.partition))
            .with_hole_or_str(&self.account)
            .with_str(":assumed-role/")
            .with_hole_or_str(&role.name)
            .with_str(&format!("/{session}"))
    }

    /// The caller for a session of `role`.
    pub fn principal(&self, role: &RoleCandidate, session: &str) -> RequestPrincipal {
        RequestPrincipal {
            arn: self.session_arn(role, session),
            account: self.account.clone(),
            role_arn: Some(role.arn.clone()),
            permissions_boundary: self.permissions_boundary,
            boundary_why:
                "whether the Clumio role has a permissions boundary (--permissions-boundary)".into(),
        }
    }

    /// The ARN of a bucket.
    pub fn bucket_arn(&self, bucket: &PString) -> PString {
        PString::known(format!("arn:{}:s3:::", self.partition)).with_hole_or_str(bucket)
    }

    /// The ARN of "some object" in a bucket.
    pub fn object_arn(&self, bucket: &PString) -> PString {
        self.bucket_arn(bucket)
            .with_str("/")
            .with_hole(Hole::any_key())
    }

    fn identity_context(&self, ctx: &mut RequestContext, role: &RoleCandidate, session: &str) {
        ctx.set_value("aws:PrincipalArn", role.arn.clone());
        ctx.set_value("aws:PrincipalAccount", self.account.clone());
        ctx.set_value("aws:PrincipalType", PString::known("AssumedRole"));
        ctx.set_value(
            "aws:userid",
            PString::hole(Hole::segment(
                "role-unique-id",
                "the role's unique id (AROA…), assigned when the role is created",
            ))
            .with_str(&format!(":{session}")),
        );
        ctx.set(
            "aws:PrincipalOrgID",
            match &self.org_id {
                Some(org) => KeyState::Present(vec![PString::known(org.clone())]),
                None => KeyState::Unknown(
                    "whether the account is in an AWS Organization, and which (--org-id)".into(),
                ),
            },
        );
        ctx.set(
            "aws:PrincipalTag/Vendor",
            KeyState::Unknown("whether the Clumio role keeps its default tag Vendor=Clumio".into()),
        );
        ctx.set("aws:username", KeyState::Absent);
        ctx.set(
            "aws:PrincipalIsAWSService",
            KeyState::Present(vec!["false".into()]),
        );
        ctx.set("aws:PrincipalServiceName", KeyState::Absent);
        ctx.set(
            "aws:SecureTransport",
            KeyState::Present(vec!["true".into()]),
        );
        ctx.set("aws:MultiFactorAuthPresent", KeyState::Absent);
        ctx.set("aws:MultiFactorAuthAge", KeyState::Absent);
        ctx.set("aws:FederatedProvider", KeyState::Absent);
        ctx.set("aws:SourceAccount", KeyState::Absent);
        ctx.set("aws:SourceArn", KeyState::Absent);
        ctx.set("aws:SourceOrgID", KeyState::Absent);
        ctx.set("aws:SourceOrgPaths", KeyState::Absent);
        // Clumio calls from outside the customer's VPCs: these keys are absent (or hold
        // Clumio's own endpoints, which never equal the customer's).
        ctx.set("aws:SourceVpc", KeyState::Absent);
        ctx.set("aws:SourceVpce", KeyState::Absent);
        ctx.set("aws:VpcSourceIp", KeyState::Absent);
        for key in ["aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp"] {
            ctx.explain(key, "Clumio's requests come from outside your VPCs");
        }
        ctx.explain("aws:SecureTransport", "Clumio always uses TLS");
        ctx.explain(
            "aws:PrincipalArn",
            "the Clumio role's ARN, with its path, for every session",
        );
        ctx.explain("aws:PrincipalAccount", "the account of the Clumio role");
        // Clumio's public egress address, unknown; absent if Clumio goes through VPC
        // endpoints of its own (AWS-SEMANTICS.md 1.2, Open Q3). Never a private address.
        let egress = "Clumio's egress IP address (not published)";
        ctx.set_absent_or(
            "aws:SourceIp",
            vec![PString::hole(Hole::unknown(PUBLIC_IP_HOLE, egress))],
            egress,
        );
        ctx.set(
            "aws:ResourceAccount",
            KeyState::Present(vec![self.account.clone()]),
        );
        ctx.set(
            "aws:RequestedRegion",
            KeyState::Present(vec![self.region.clone()]),
        );
    }

    /// The context of Clumio's direct S3 calls (a role session, from outside any customer
    /// VPC, over TLS, not through another service).
    pub fn s3_context(&self, role: &RoleCandidate, session: &str) -> RequestContext {
        let mut ctx = RequestContext::new(KeyState::Unknown(
            "its value for Clumio's requests is not modeled".into(),
        ));
        self.identity_context(&mut ctx, role, session);
        ctx.set("aws:ViaAWSService", KeyState::Present(vec!["false".into()]));
        ctx.set("aws:CalledVia", KeyState::Absent);
        ctx.set("aws:CalledViaFirst", KeyState::Absent);
        ctx.set("aws:CalledViaLast", KeyState::Absent);
        ctx.set(
            "s3:ResourceAccount",
            KeyState::Present(vec![self.account.clone()]),
        );
        ctx.set("s3:authType", KeyState::Present(vec!["REST-HEADER".into()]));
        ctx.set(
            "s3:signatureversion",
            KeyState::Present(vec!["AWS4-HMAC-SHA256".into()]),
        );
        // AWS endpoints accept TLS 1.2 and 1.3 only (AWS-SEMANTICS.md 5): which one a
        // Clumio request uses is not known, but it is one of these two.
        ctx.set_one_of(
            "s3:TlsVersion",
            TLS_VERSIONS.iter().map(|v| PString::known(*v)).collect(),
            "the TLS version of Clumio's connection",
        );
        ctx.set("s3:DataAccessPointArn", KeyState::Absent);
        ctx.set("s3:DataAccessPointAccount", KeyState::Absent);
        ctx.set("s3:AccessPointNetworkOrigin", KeyState::Absent);
        ctx
    }

    /// The context of the KMS calls S3 makes on the role's behalf while serving its reads
    /// and writes of SSE-KMS objects (`via_s3`), or of the role's own direct KMS calls.
    pub fn kms_context(&self, role: &RoleCandidate, session: &str, via_s3: bool) -> RequestContext {
        let mut ctx = RequestContext::new(KeyState::Unknown(
            "its value for Clumio's requests is not modeled".into(),
        ));
        self.identity_context(&mut ctx, role, session);
        ctx.set(
            "kms:CallerAccount",
            KeyState::Present(vec![self.account.clone()]),
        );
        if via_s3 {
            ctx.set("aws:ViaAWSService", KeyState::Present(vec!["true".into()]));
            ctx.set(
                "kms:ViaService",
                KeyState::Present(vec![
                    PString::known("s3.")
                        .with_hole_or_str(&self.region)
                        .with_str(".amazonaws.com"),
                ]),
            );
            ctx.set(
                "aws:CalledVia",
                KeyState::Unknown("whether S3 fills aws:CalledVia on the KMS calls it makes for a caller (undocumented)".into()),
            );
            ctx.set(
                "aws:SourceIp",
                KeyState::Unknown(
                    "the source IP AWS reports for S3's KMS calls made on a caller's behalf".into(),
                ),
            );
            ctx.set(
                "kms:EncryptionContextKeys",
                KeyState::Present(vec!["aws:s3:arn".into()]),
            );
            // S3 encrypts with symmetric encryption keys only, with the default algorithm.
            ctx.set(
                "kms:EncryptionAlgorithm",
                KeyState::Present(vec!["SYMMETRIC_DEFAULT".into()]),
            );
        } else {
            ctx.set("aws:ViaAWSService", KeyState::Present(vec!["false".into()]));
            ctx.set("kms:ViaService", KeyState::Absent);
            ctx.set("aws:CalledVia", KeyState::Absent);
        }
        ctx.set("kms:GrantIsForAWSResource", KeyState::Absent);
        // A key S3 can use is a symmetric encryption key (SSE-KMS accepts no other kind).
        ctx.set(
            "kms:KeySpec",
            KeyState::Present(vec!["SYMMETRIC_DEFAULT".into()]),
        );
        ctx.set(
            "kms:KeyUsage",
            KeyState::Present(vec!["ENCRYPT_DECRYPT".into()]),
        );
        ctx.set_one_of(
            "kms:KeyOrigin",
            KEY_ORIGINS.iter().map(|v| PString::known(*v)).collect(),
            "where the key's material comes from",
        );
        ctx.set_one_of(
            "kms:MultiRegion",
            vec![PString::known("true"), PString::known("false")],
            "whether the key is a multi-Region key",
        );
        ctx
    }

    /// A direct S3 request of `action` by a session of `role` on `resource`.
    pub fn s3_request(
        &self,
        role: &RoleCandidate,
        session: &str,
        action: &str,
        resource: PString,
    ) -> Request {
        Request {
            principal: self.principal(role, session),
            action: action.to_string(),
            resource,
            context: self.s3_context(role, session),
        }
    }

    /// Clumio's direct S3 requests, one per role candidate (outer, in [`Profile::roles`] order)
    /// and session (inner, in [`SESSION_NAMES`] order), with no action and no resource yet:
    /// the same as [`Profile::s3_request`] builds, built once.
    pub fn s3_requests(&self) -> &[Vec<Request>] {
        self.templates.s3.get_or_init(|| {
            self.roles
                .iter()
                .map(|role| {
                    SESSION_NAMES
                        .iter()
                        .map(|s| self.s3_request(role, s, "", PString::default()))
                        .collect()
                })
                .collect()
        })
    }

    /// The KMS requests of `action` that S3 makes on the role's behalf, per role candidate
    /// and session like [`Profile::s3_requests`], with no resource yet: the same as
    /// [`Profile::kms_request`] builds with `via_s3`, built once for [`KMS_DECRYPT`] and
    /// [`KMS_GENERATE_DATA_KEY`] (other actions are built on every call).
    pub fn kms_requests_via_s3(&self, action: &str) -> std::borrow::Cow<'_, [Vec<Request>]> {
        let build = |action: &str| -> Vec<Vec<Request>> {
            self.roles
                .iter()
                .map(|role| {
                    SESSION_NAMES
                        .iter()
                        .map(|s| self.kms_request(role, s, action, PString::default(), true))
                        .collect()
                })
                .collect()
        };
        let cached = self.templates.kms_via_s3.get_or_init(|| {
            [KMS_DECRYPT, KMS_GENERATE_DATA_KEY]
                .iter()
                .map(|a| (a.to_string(), build(a)))
                .collect()
        });
        match cached.iter().find(|(a, _)| a == action) {
            Some((_, requests)) => std::borrow::Cow::Borrowed(requests),
            None => std::borrow::Cow::Owned(build(action)),
        }
    }

    /// Runs `f` with this thread's working copies of the profile's requests, copied from the
    /// templates only the first time the thread asks for this profile: a scan checks
    /// thousands of inputs with one profile, and copying some forty condition keys per
    /// request per input was a tenth of the run. Not reentrant (`f` must not call it again).
    pub fn with_working_requests<R>(&self, f: impl FnOnce(&mut WorkingRequests) -> R) -> R {
        WORKING.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.as_ref().is_none_or(|(id, _)| *id != self.templates.id) {
                *slot = Some((
                    self.templates.id,
                    WorkingRequests {
                        s3: self.s3_requests().to_vec(),
                        kms: [KMS_DECRYPT, KMS_GENERATE_DATA_KEY]
                            .map(|action| self.kms_requests_via_s3(action).into_owned()),
                    },
                ));
            }
            let (_, working) = slot.as_mut().expect("filled above");
            f(working)
        })
    }

    /// A KMS request of `action` on `key_arn`, made by S3 on the role's behalf (`via_s3`) or
    /// by the role itself.
    pub fn kms_request(
        &self,
        role: &RoleCandidate,
        session: &str,
        action: &str,
        key_arn: PString,
        via_s3: bool,
    ) -> Request {
        Request {
            principal: self.principal(role, session),
            action: action.to_string(),
            resource: key_arn,
            context: self.kms_context(role, session, via_s3),
        }
    }
}

trait PushEither {
    fn with_hole_or_str(self, other: &PString) -> PString;
}

impl PushEither for PString {
    fn with_hole_or_str(mut self, other: &PString) -> PString {
        self.push(other);
        self
    }
}

/// The parts of a role ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleArn {
    /// Partition.
    pub partition: String,
    /// Account id.
    pub account: String,
    /// Path, `/` or `/a/b/`.
    pub path: String,
    /// Role name.
    pub name: String,
}

/// Parses `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
pub fn parse_role_arn(arn: &str) -> Option<RoleArn> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].is_empty() {
        return None;
    }
    if !is_account_id(parts[4]) {
        return None;
    }
    let rest = parts[5].strip_prefix("role/")?;
    let (path, name) = match rest.rfind('/') {
        Some(i) => (format!("/{}", &rest[..=i]), &rest[i + 1..]),
        None => ("/".to_string(), rest),
    };
    if name.is_empty() || name.contains(['*', '?']) {
        return None;
    }
    Some(RoleArn {
        partition: parts[1].to_string(),
        account: parts[4].to_string(),
        path,
        name: name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request templates are the requests `s3_request` and `kms_request` build, and
    /// building them does not change what the profile is.
    #[test]
    fn request_templates_are_the_built_requests_and_not_part_of_equality() {
        let options = ProfileOptions {
            account_id: Some("111122223333".into()),
            ..ProfileOptions::default()
        };
        let profile = Profile::new(&options).unwrap();
        let fresh = profile.clone();
        let s3 = profile.s3_requests();
        assert_eq!(s3.len(), profile.roles.len());
        for (role, sessions) in profile.roles.iter().zip(s3) {
            for (session, r) in SESSION_NAMES.iter().zip(sessions) {
                assert_eq!(
                    *r,
                    profile.s3_request(role, session, "", PString::default())
                );
            }
        }
        for action in [KMS_DECRYPT, KMS_GENERATE_DATA_KEY, "kms:Encrypt"] {
            let kms = profile.kms_requests_via_s3(action);
            for (role, sessions) in profile.roles.iter().zip(kms.iter()) {
                for (session, r) in SESSION_NAMES.iter().zip(sessions) {
                    let built =
                        profile.kms_request(role, session, action, PString::default(), true);
                    assert_eq!(*r, built);
                }
            }
        }
        assert_eq!(profile, fresh);
    }

    /// A thread's working requests are those of the profile that asks, never another's
    /// (even one asked for in between), and what a user left in them is overwritten by
    /// the next user only where it fills in.
    #[test]
    fn working_requests_belong_to_the_profile_that_asks() {
        let in_account = |account: &str| {
            Profile::new(&ProfileOptions {
                account_id: Some(account.into()),
                ..ProfileOptions::default()
            })
            .unwrap()
        };
        let (a, b) = (in_account("111122223333"), in_account("444455556666"));
        let account = |p: &Profile| {
            p.with_working_requests(|w| {
                assert_eq!(w.s3, p.s3_requests());
                assert_eq!(w.kms[1], *p.kms_requests_via_s3(KMS_GENERATE_DATA_KEY));
                w.s3[0][0].principal.account.to_string()
            })
        };
        assert_eq!(account(&a), "111122223333");
        assert_eq!(account(&b), "444455556666");
        assert_eq!(account(&a), "111122223333");
        // A clone is the same profile: it shares the working copies.
        let twin = a.clone();
        a.with_working_requests(|w| w.s3[0][0].action = "s3:GetObject".into());
        twin.with_working_requests(|w| assert_eq!(w.s3[0][0].action, "s3:GetObject"));
    }

    #[test]
    fn role_arn_gives_account_path_and_name() {
        let r =
            parse_role_arn("arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc").unwrap();
        assert_eq!(r.account, "111122223333");
        assert_eq!(r.path, "/clumio/");
        assert_eq!(r.name, "ClumioIAMRole-uw-2-abc");
        let root = parse_role_arn("arn:aws:iam::111122223333:role/R").unwrap();
        assert_eq!(root.path, "/");
        assert!(parse_role_arn("arn:aws:iam::1111:role/R").is_none());
        assert!(parse_role_arn("arn:aws:sts::111122223333:assumed-role/R/s").is_none());
    }

    #[test]
    fn unknown_name_gives_both_published_forms() {
        let p = Profile::new(&ProfileOptions::default()).unwrap();
        assert_eq!(p.roles.len(), 2);
        assert_eq!(
            p.roles[0].arn.to_string(),
            "arn:aws:iam::<account-id>:role/clumio/ClumioIAMRole-<role-name-suffix>"
        );
        assert_eq!(
            p.session_arn(&p.roles[1], "daebaksrv-S3Backup").to_string(),
            "arn:aws:sts::<account-id>:assumed-role/ClumioRole-<role-name-suffix>/daebaksrv-S3Backup"
        );
    }

    #[test]
    fn conflicting_account_is_an_error() {
        let opts = ProfileOptions {
            account_id: Some("999999999999".into()),
            role_arn: Some("arn:aws:iam::111122223333:role/clumio/R".into()),
            ..Default::default()
        };
        assert!(Profile::new(&opts).is_err());
    }
}
