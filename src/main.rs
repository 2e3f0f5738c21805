//! The command line: parse arguments, call the library, map the outcome to an exit status.

use clap::{Args, Parser, Subcommand, ValueEnum};
use clumio_preflight::policy::PolicyKind;
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::simulate::{self, SimulateArgs};
use clumio_preflight::source::Sources;
use std::io::{Read, Write};
use std::process::ExitCode;

/// Finds infrastructure code that breaks Clumio backups of S3 buckets.
#[derive(Parser, Debug)]
#[command(name = "clumio-preflight", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate one policy for one request and explain the decision, statement by statement.
    Simulate(SimulateCmd),
}

/// Who the Clumio role is. Each is optional: what is not given stays unknown.
#[derive(Args, Debug, Clone)]
struct ProfileFlags {
    /// The AWS account that owns the buckets and the Clumio role.
    #[arg(long, env = "CLUMIO_PREFLIGHT_ACCOUNT_ID", value_name = "ID")]
    account_id: Option<String>,
    /// The Clumio role's full ARN, e.g. arn:aws:iam::123456789012:role/clumio/ClumioIAMRole-uw-2-abc.
    #[arg(long, env = "CLUMIO_PREFLIGHT_ROLE_ARN", value_name = "ARN")]
    role_arn: Option<String>,
    /// The Clumio role's name, when the ARN is not given.
    #[arg(long, env = "CLUMIO_PREFLIGHT_ROLE_NAME", value_name = "NAME")]
    role_name: Option<String>,
    /// The Clumio role's path [default: /clumio/].
    #[arg(long, env = "CLUMIO_PREFLIGHT_ROLE_PATH", value_name = "PATH")]
    role_path: Option<String>,
    /// The AWS Organization of the account, for aws:PrincipalOrgID guards.
    #[arg(long, env = "CLUMIO_PREFLIGHT_ORG_ID", value_name = "o-…")]
    org_id: Option<String>,
    /// The Clumio role carries a permissions boundary (a NotPrincipal Deny then always applies).
    #[arg(long, env = "CLUMIO_PREFLIGHT_PERMISSIONS_BOUNDARY", value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true")]
    permissions_boundary: Option<bool>,
    /// The buckets' region (for kms:ViaService), e.g. us-west-2.
    #[arg(long, env = "CLUMIO_PREFLIGHT_REGION", value_name = "REGION")]
    region: Option<String>,
}

impl ProfileFlags {
    fn options(&self) -> ProfileOptions {
        ProfileOptions {
            account_id: self.account_id.clone(),
            role_arn: self.role_arn.clone(),
            role_name: self.role_name.clone(),
            role_path: self.role_path.clone(),
            org_id: self.org_id.clone(),
            permissions_boundary: self.permissions_boundary,
            region: self.region.clone(),
            partition: None,
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum Format {
    Human,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum Kind {
    Bucket,
    Key,
    Generic,
}

#[derive(Args, Debug)]
struct SimulateCmd {
    /// The policy document (JSON), or `-` for standard input.
    #[arg(value_name = "POLICY_FILE")]
    policy: String,
    /// The caller's ARN (user, role, or role session `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`).
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,
    /// The action, e.g. s3:GetObject.
    #[arg(long, value_name = "ACTION")]
    action: Option<String>,
    /// The resource ARN (with --clumio: the bucket or key to check).
    #[arg(long, value_name = "ARN")]
    resource: Option<String>,
    /// A condition key present in the request; repeat a key for several values.
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    context: Vec<(String, String)>,
    /// A condition key absent from the request (keys not mentioned are absent, except with --clumio).
    #[arg(long, value_name = "KEY")]
    absent: Vec<String>,
    /// A condition key whose value is not known.
    #[arg(long, value_name = "KEY")]
    unknown: Vec<String>,
    /// Evaluate every request a Clumio backup makes (principal, context and actions from the profile).
    #[arg(long)]
    clumio: bool,
    /// How to read the policy [default: key if it names kms: actions, else generic].
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    #[command(flatten)]
    profile: ProfileFlags,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got \"{s}\"")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Simulate(cmd) => run_simulate(cmd),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

fn read_input(path: &str) -> Result<(String, String), String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("<stdin>: error: cannot read standard input: {e}"))?;
        if text.trim().is_empty() {
            return Err(
                "<stdin>: error: standard input is empty; pipe a policy document (JSON) into it"
                    .into(),
            );
        }
        return Ok(("<stdin>".into(), text));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{path}: error: cannot read the file: {e}"))?;
    Ok((path.to_string(), text))
}

fn run_simulate(cmd: SimulateCmd) -> ExitCode {
    let profile = match Profile::new(&cmd.profile.options()) {
        Ok(p) => p,
        Err(e) => return fail(&format!("error: {e}")),
    };
    let (name, text) = match read_input(&cmd.policy) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let kind = cmd.kind.map(|k| match k {
        Kind::Bucket => PolicyKind::Bucket,
        Kind::Key => PolicyKind::Key,
        Kind::Generic => PolicyKind::Generic,
    });
    let policy = match simulate::load_policy(&sources, file, kind) {
        Ok(p) => p,
        Err(e) => return fail(&e.0),
    };
    let args = SimulateArgs {
        principal: cmd.principal,
        action: cmd.action,
        resource: cmd.resource,
        context: cmd.context,
        absent: cmd.absent,
        unknown: cmd.unknown,
        clumio: cmd.clumio,
        permissions_boundary: cmd.profile.permissions_boundary,
        role_path: cmd.profile.role_path.clone(),
        kind,
    };
    let sim = match simulate::simulate(&policy, &args, &profile) {
        Ok(s) => s,
        Err(e) => return fail(&format!("error: {}", e.0)),
    };
    let out = match cmd.format {
        Format::Json => simulate::render_json(&sources, &sim, args.clumio),
        Format::Human => simulate::render_human(&sources, file, &sim),
    };
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{}", out.trim_end()).and_then(|()| stdout.flush()) {
        // The reader went away (`… | head`): nothing left to say, and nothing went wrong.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            fail(&format!("error: cannot write the output: {e}"))
        }
        _ => ExitCode::SUCCESS,
    }
}
