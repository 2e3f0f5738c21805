//! The command line: parse arguments, call the library, map the outcome to an exit status.

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clumio_preflight::baseline::Baseline;
use clumio_preflight::cloudformation::CfnOptions;
use clumio_preflight::config::{Config, RuleLevel};
use clumio_preflight::fsbound;
use clumio_preflight::identity::{FIELDS, Field};
use clumio_preflight::pipeline::{self, Input, Options};
use clumio_preflight::policy::PolicyKind;
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::report::{self, FailOn, escape};
use clumio_preflight::rules::{self, Severity};
use clumio_preflight::simulate::{self, SimulateArgs};
use clumio_preflight::source::Sources;
use clumio_preflight::terraform::TerraformOptions;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Finds infrastructure code that breaks Clumio backups of S3 buckets.
///
/// With no subcommand it scans the given paths (Terraform, plan JSON or `terraform plan`
/// text, CloudFormation), or standard input when it is a pipe, or the current directory.
#[derive(Parser, Debug)]
#[command(
    name = "clumio-preflight",
    version = env!("CLUMIO_PREFLIGHT_VERSION"),
    about,
    max_term_width = 100,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckCmd,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files and directories (the default when no subcommand is given).
    Check(CheckCmd),
    /// Evaluate one policy for one request and explain the decision, statement by statement.
    Simulate(SimulateCmd),
    /// Print the documentation of a rule (e.g. `explain CP101`).
    Explain {
        /// The rule's code or name.
        code: String,
    },
    /// List every rule with its default severity.
    Rules,
    /// Print a shell completion script (e.g. `completions bash > ~/.local/share/bash-completion/completions/clumio-preflight`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `man > clumio-preflight.1`.
    #[command(hide = true)]
    Man,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum ReportFormat {
    /// Compiler-style snippets with labels, for people.
    Human,
    /// The machine contract of docs/json-contract.md.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// `path:line:column: severity: message [CODE]`, for editors and grep.
    Line,
    /// A summary table and each error and warning with its fix, for job summaries and
    /// pull-request comments.
    Markdown,
}

/// The formats `--output` can write.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum FileFormat {
    /// SARIF 2.1.0.
    Sarif,
    /// The machine contract of docs/json-contract.md.
    Json,
    /// `path:line:column: severity: message [CODE]`.
    Line,
    /// GitHub Actions workflow commands.
    Github,
    /// A summary for people (job summary, pull-request comment).
    Markdown,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum FailLevel {
    Error,
    Warning,
    Note,
    Never,
}

/// The lowest severity reported.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum MinSeverity {
    Error,
    Warning,
    Note,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug, Clone)]
struct CheckCmd {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format (standard output).
    #[arg(long, value_enum, default_value = "human")]
    format: ReportFormat,
    /// Also write a report to FILE, e.g. SARIF for code scanning while the terminal gets
    /// --format. `FORMAT=FILE` (sarif=, json=, line=, github=, markdown=) picks the file's
    /// format; repeatable.
    #[arg(long, value_name = "[FORMAT=]FILE")]
    output: Vec<String>,
    /// The format of --output files given without `FORMAT=`.
    #[arg(long, value_enum, default_value = "sarif", requires = "output")]
    output_format: FileFormat,
    /// Exit with status 1 when findings at or above this severity exist [default: error, or
    /// the configuration's fail_on].
    #[arg(long, value_enum, env = "CLUMIO_PREFLIGHT_FAIL_ON")]
    fail_on: Option<FailLevel>,
    /// The configuration file [default: the nearest .clumio-preflight.toml at or above the
    /// first scanned path].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    no_config: bool,
    /// Print only the summary line on standard output (files given with --output are still
    /// written in full); for the human, line and github formats.
    #[arg(short, long)]
    quiet: bool,
    /// Report only findings at or above this severity, in every format; the summary counts
    /// what is reported and says how many were left out [default: note].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    min_severity: Option<MinSeverity>,
    /// List every note in the human report (by default notes collapse into one line per rule).
    #[arg(long)]
    show_notes: bool,
    /// Do not report this rule (code or name), as `CODE = "off"` under `[rules]`; repeatable.
    #[arg(long, value_name = "CODE", value_parser = parse_rule)]
    disable: Vec<&'static rules::RuleInfo>,
    /// Report this rule even if the configuration turns it off; repeatable.
    #[arg(long, value_name = "CODE", value_parser = parse_rule)]
    enable: Vec<&'static rules::RuleInfo>,
    /// Set a rule's severity (`off`, `note`, `warning`, `error`), as under `[rules]`;
    /// repeatable.
    #[arg(long = "rule", value_name = "CODE=LEVEL", value_parser = parse_rule_level)]
    rule_levels: Vec<(&'static rules::RuleInfo, RuleLevel)>,
    /// Report only findings that are not in this baseline (written by --write-baseline), and
    /// say how many were left out and how many baseline entries no longer occur.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every finding of this run in FILE (stable fingerprints, no line numbers), to
    /// accept them with --baseline FILE later; the run then exits 0 unless an input is unusable.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Colour in the human report (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// A Terraform variable value, as `terraform -var` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_key_value)]
    vars: Vec<(String, String)>,
    /// Repair, in place and in each file's own syntax, every finding that has a safe fix;
    /// each fix is checked again by the checker before anything is written, and the report
    /// then shows what is left (with why it has no automatic fix).
    #[arg(long)]
    fix: bool,
    /// With --fix: print the repairs as a unified diff and write nothing.
    #[arg(long, visible_alias = "dry-run", requires = "fix")]
    diff: bool,
    /// A Terraform variable file, as `terraform -var-file` (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// A CloudFormation parameter value, overriding its default (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    parameters: Vec<(String, String)>,
    /// The Terraform sources of a plan, to point findings at the .tf lines [default: the current
    /// directory when it holds .tf files].
    #[arg(long, value_name = "DIR")]
    source_dir: Option<PathBuf>,
    #[command(flatten)]
    profile: ProfileFlags,
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
          num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    permissions_boundary: Option<bool>,
    /// The buckets' region (for kms:ViaService), e.g. us-west-2.
    #[arg(long, env = "CLUMIO_PREFLIGHT_REGION", value_name = "REGION")]
    region: Option<String>,
}

impl ProfileFlags {
    /// The value given for an identity input.
    fn value(&self, field: Field) -> Option<&String> {
        match field {
            Field::AccountId => self.account_id.as_ref(),
            Field::RoleArn => self.role_arn.as_ref(),
            Field::RoleName => self.role_name.as_ref(),
            Field::RolePath => self.role_path.as_ref(),
            Field::OrgId => self.org_id.as_ref(),
            Field::Region => self.region.as_ref(),
        }
    }

    /// Checks every identity input given by a flag or an environment variable against its
    /// AWS form; the error names where the value came from and what was expected.
    fn validate(&self, matches: &ArgMatches) -> Result<(), String> {
        for field in FIELDS {
            let Some(value) = self.value(field) else {
                continue;
            };
            if let Err(why) = field.check(value) {
                let source = match matches.value_source(field.key()) {
                    Some(ValueSource::EnvVariable) => {
                        format!("environment variable {}", field.env())
                    }
                    _ => field.flag().to_string(),
                };
                return Err(format!("error: {source}: {why}"));
            }
        }
        Ok(())
    }

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
enum SimulateFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum PolicyKindArg {
    Bucket,
    Key,
    Generic,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 allow (also implicit-deny of a bucket or identity policy: \
it denies nothing, other policies decide), 1 deny (with --clumio: any backup request denied; \
also implicit-deny of a key policy, which must allow), 3 depends (on what the output names), \
2 the policy or the arguments could not be used.\n\
--context aws:PrincipalArn=ROLE_ARN with a session --principal fixes the role, its path and \
account as --role-arn does; a different role name or account is an error (exit 2).\n\
With --clumio, requests with the same answer are shown together."
)]
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
    kind: Option<PolicyKindArg>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: SimulateFormat,
    #[command(flatten)]
    profile: ProfileFlags,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got \"{s}\"")),
    }
}

/// A rule's code or name, for `--disable` and `--enable`.
fn parse_rule(s: &str) -> Result<&'static rules::RuleInfo, String> {
    rules::find(s).ok_or_else(|| {
        let codes: Vec<&str> = rules::RULES.iter().map(|r| r.code).collect();
        format!(
            "no rule is called \"{s}\"; the rules are {} (`clumio-preflight rules` lists them)",
            codes.join(", ")
        )
    })
}

/// `CODE=off|note|warning|error`, for `--rule`.
fn parse_rule_level(s: &str) -> Result<(&'static rules::RuleInfo, RuleLevel), String> {
    let (code, level) = s
        .split_once('=')
        .ok_or_else(|| format!("expected CODE=LEVEL (e.g. CP304=off), got \"{s}\""))?;
    let rule = parse_rule(code)?;
    let level = match level.to_ascii_lowercase().as_str() {
        "off" => RuleLevel::Off,
        "note" => RuleLevel::Note,
        "warning" => RuleLevel::Warning,
        "error" => RuleLevel::Error,
        _ => {
            return Err(format!(
                "\"{level}\" is not a level; use off, note, warning or error"
            ));
        }
    };
    Ok((rule, level))
}

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return usage_error(e),
    };
    // The matches of the subcommand run, where the profile flags are.
    let matches = matches.subcommand().map_or(&matches, |(_, m)| m);
    match cli.command {
        None => run_check(cli.check, matches),
        Some(Command::Check(cmd)) => run_check(cmd, matches),
        Some(Command::Simulate(cmd)) => run_simulate(cmd, matches),
        Some(Command::Explain { code }) => run_explain(&code),
        Some(Command::Rules) => run_rules(),
        Some(Command::Completions { shell }) => run_completions(shell),
        Some(Command::Man) => run_man(),
    }
}

/// A command line clap rejects: its message (which may quote what was typed) made safe to
/// print, exit status 2; `--help` and `--version` print as usual.
fn usage_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        e.exit();
    }
    eprint!("{}", escape::text_block(&e.render().to_string()));
    ExitCode::from(2)
}

/// Writes `text` to standard output; a reader that went away (`… | head`) is not an error.
fn emit(text: &str, status: ExitCode) -> ExitCode {
    emit_with(status, |out| out.write_all(text.as_bytes()))
}

/// Writes to standard output (buffered) with `write`, as [`emit`] does.
fn emit_with(
    status: ExitCode,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> ExitCode {
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            fail(&format!("error: cannot write the output: {e}"))
        }
        _ => status,
    }
}

/// The configuration: `--config FILE`, else the nearest `.clumio-preflight.toml` at or above
/// the first scanned path (the working directory for standard input) up to its repository
/// root, else none; `--no-config`: none.
fn load_config(cmd: &CheckCmd, inputs: &[Input]) -> Result<Config, String> {
    if cmd.no_config {
        return Ok(Config::default());
    }
    let mut boundary = pipeline::boundary(&Options {
        inputs: inputs.to_vec(),
        source_dir: cmd.source_dir.clone(),
        ..Options::default()
    });
    let path = match &cmd.config {
        Some(path) => {
            boundary.allow_named(path);
            Some(path.clone())
        }
        None => {
            let start = inputs
                .iter()
                .find_map(|i| match i {
                    Input::Path(p) => Some(p.clone()),
                    Input::Stdin => None,
                })
                .unwrap_or_else(|| PathBuf::from("."));
            Config::find(&start, &boundary)
        }
    };
    match path {
        Some(path) => Config::load(&path, &boundary).map_err(|e| e.to_string()),
        None => Ok(Config::default()),
    }
}

/// Reads standard input, at most [`fsbound::MAX_INPUT_BYTES`] bytes, as UTF-8 text with
/// lone carriage returns turned into line feeds. With `plans`, a binary plan file (a zip
/// archive) is refused with what to run instead, as when it is named as a file.
fn read_stdin(plans: bool) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(fsbound::MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("<stdin>: error: cannot read standard input: {e}"))?;
    if bytes.len() as u64 > fsbound::MAX_INPUT_BYTES {
        return Err(format!(
            "<stdin>: error: standard input is larger than the limit of {} MiB",
            fsbound::MAX_INPUT_BYTES >> 20
        ));
    }
    if plans && clumio_preflight::terraform::unrecognised::is_binary_plan(&bytes) {
        return Err(format!(
            "<stdin>: error: standard input is not read: {}",
            clumio_preflight::terraform::unrecognised::describe(&bytes, "PLANFILE")
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(fsbound::normalize_line_endings(text)),
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes());
            let (line, column) = fsbound::line_col(&lossy, e.utf8_error().valid_up_to());
            Err(format!(
                "<stdin>:{line}:{column}: error: standard input is not UTF-8 text"
            ))
        }
    }
}

fn run_check(cmd: CheckCmd, matches: &ArgMatches) -> ExitCode {
    if let Some(e) = mistyped_subcommand(&cmd.paths) {
        return fail(&e);
    }
    if let Err(e) = cmd.profile.validate(matches) {
        return fail(&e);
    }
    if cmd.quiet && matches!(cmd.format, ReportFormat::Json | ReportFormat::Sarif) {
        return fail(
            "error: --quiet prints only the summary line, which --format json and sarif do not \
             have; write those with --output instead",
        );
    }
    for output in &cmd.output {
        if let Err(e) = check_output_format(output) {
            return fail(&e);
        }
    }
    let stdin_is_pipe = !std::io::stdin().is_terminal();
    let mut inputs: Vec<Input> = Vec::new();
    if cmd.paths.is_empty() {
        if stdin_is_pipe {
            inputs.push(Input::Stdin);
        } else {
            inputs.push(Input::Path(PathBuf::from(".")));
        }
    }
    for p in &cmd.paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else {
            inputs.push(Input::Path(p.clone()));
        }
    }
    let config = match load_config(&cmd, &inputs) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    // `--rule`, `--disable` and `--enable` win over the file's `[rules]`, the last one given
    // winning for a rule named twice.
    let rule_overrides: Vec<(&'static rules::RuleInfo, Option<RuleLevel>)> = cmd
        .rule_levels
        .iter()
        .map(|(rule, level)| (*rule, Some(*level)))
        .chain(cmd.disable.iter().map(|rule| (*rule, Some(RuleLevel::Off))))
        .chain(cmd.enable.iter().map(|rule| (*rule, None)))
        .collect();
    let baseline = match &cmd.baseline {
        Some(path) => match Baseline::load(path, &{
            // Like --config: the file the command line names is read even outside the
            // scanned tree, but only as a regular file, and not through a link in the tree.
            let mut boundary = pipeline::boundary(&Options {
                inputs: inputs.clone(),
                source_dir: cmd.source_dir.clone(),
                ..Options::default()
            });
            boundary.allow_named(path);
            boundary
        }) {
            Ok(b) => Some(b),
            Err(e) => return fail(&e),
        },
        None => None,
    };
    // Flags and environment variables win over the configuration file.
    let profile_options = cmd.profile.options().or(&config.profile);
    let profile = match Profile::new(&profile_options) {
        Ok(p) => p,
        Err(e) => return fail(&format!("error: {e}")),
    };
    let mut stdin_text = None;
    if inputs.contains(&Input::Stdin) {
        let text = match read_stdin(true) {
            Ok(text) => text,
            Err(e) => return fail(&e),
        };
        if text.trim().is_empty() && cmd.paths.is_empty() {
            return fail(
                "<stdin>: error: nothing to check: no path was given and standard input is not a \
                 terminal, so it was read, and it is empty. Scan a folder with `clumio-preflight .`, \
                 or pipe a plan or a template into it (`terraform show -json PLAN | clumio-preflight`, \
                 `terraform plan | clumio-preflight`, `clumio-preflight < template.yaml`)",
            );
        }
        if text.trim().is_empty() {
            return fail(
                "<stdin>: error: standard input is empty; pipe a plan into it \
                 (`terraform show -json PLAN | clumio-preflight`, or `terraform plan | clumio-preflight`), \
                 or a CloudFormation template, or give paths to scan",
            );
        }
        stdin_text = Some(text);
    }
    let min_severity = cmd.min_severity.map(|m| match m {
        MinSeverity::Error => Severity::Error,
        MinSeverity::Warning => Severity::Warning,
        MinSeverity::Note => Severity::Note,
    });
    let options = Options {
        inputs,
        stdin: stdin_text,
        source_dir: cmd.source_dir.clone(),
        cloudformation: CfnOptions {
            account_id: profile.account.as_known().map(str::to_string),
            region: profile_options.region.clone(),
            partition: None,
            parameters: cmd.parameters.clone(),
        },
        terraform: TerraformOptions {
            account_id: profile.account.as_known().map(str::to_string),
            region: profile_options.region.clone(),
            vars: cmd.vars.clone(),
            var_files: cmd.var_files.clone(),
            boundary: None,
            ..TerraformOptions::default()
        },
        config,
        rule_overrides,
        fail_on: cmd.fail_on.map(|level| match level {
            FailLevel::Error => FailOn::Error,
            FailLevel::Warning => FailOn::Warning,
            FailLevel::Note => FailOn::Note,
            FailLevel::Never => FailOn::Never,
        }),
        baseline,
        min_severity,
        record_baseline: cmd.write_baseline.is_some(),
        overlay: None,
    };
    let (
        pipeline::Outcome {
            report,
            status,
            recorded,
        },
        fix_diff,
    ) = match cmd.fix {
        true => fix_and_describe(&options, &profile, !cmd.diff),
        false => {
            // One check, then the process ends: what the run is done with goes back to the
            // system at exit. (`--fix` checks again after its edits, so it frees as it goes.)
            clumio_preflight::parallel::exit_follows();
            clumio_preflight::parallel::on_give_back(give_back_freed_memory);
            (pipeline::run(&options, &profile), None)
        }
    };
    if let Some(applied) = &report.configuration
        && matches!(cmd.format, ReportFormat::Human | ReportFormat::Line)
    {
        // On standard error, so that the report itself stays as its format defines it.
        eprintln!("clumio-preflight: {}", escape::field(&applied.describe()));
    }
    if let (Some(path), Some(written)) = (&cmd.write_baseline, &recorded) {
        if let Err(e) = std::fs::write(path, written.to_json()) {
            return fail(&format!("error: cannot write {}: {e}", path.display()));
        }
        eprintln!(
            "wrote {} finding{} to the baseline {}; check with --baseline {} to report only new ones",
            written.findings.len(),
            if written.findings.len() == 1 { "" } else { "s" },
            path.display(),
            path.display()
        );
    }
    for output in &cmd.output {
        let (format, path) = output_file(output, cmd.output_format);
        let written = std::fs::File::create(path).and_then(|file| {
            let mut file = std::io::BufWriter::with_capacity(64 * 1024, file);
            write_report(&report, format, &mut file)?;
            file.flush()
        });
        if let Err(e) = written {
            return fail(&format!("error: cannot write {path}: {e}"));
        }
    }
    if let Some(diff) = fix_diff.filter(|_| cmd.diff) {
        // The diff quotes the files: escaped like every other text from them.
        return emit(&escape::text_block(&diff), ExitCode::from(status));
    }
    let code = emit_with(ExitCode::from(status), |out| match cmd.format {
        _ if cmd.quiet => out.write_all((report::summary_line(&report) + "\n").as_bytes()),
        ReportFormat::Json => write_report(&report, FileFormat::Json, out),
        ReportFormat::Sarif => write_report(&report, FileFormat::Sarif, out),
        ReportFormat::Github => write_report(&report, FileFormat::Github, out),
        ReportFormat::Markdown => write_report(&report, FileFormat::Markdown, out),
        ReportFormat::Line => {
            // Run-level notes and the summary go to standard error: standard output stays
            // one finding per line for problem matchers and grep.
            for warning in &report.run_warnings {
                eprintln!("warning: {}", escape::field(warning));
            }
            for note in &report.notes {
                eprintln!("note: {}", escape::field(note));
            }
            eprintln!("{}", report::summary_line(&report));
            write_report(&report, FileFormat::Line, out)
        }
        ReportFormat::Human => {
            let color = match cmd.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let show_notes = cmd.show_notes || min_severity == Some(Severity::Note);
            let options = report::human::HumanOptions { color, show_notes };
            report::human::write_with(&report, options, out)
        }
    });
    // The process ends here: its memory goes back at once, without freeing each of the
    // findings and files (tens of thousands in a finding-dense plan).
    std::mem::forget(report);
    code
}

/// Writes `report` in `format` to `out`: JSON, SARIF and GitHub commands as they are
/// rendered, never held whole (the report of a finding-dense plan is several times the
/// plan's size).
fn write_report(
    report: &report::Report,
    format: FileFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        FileFormat::Sarif => report::sarif::write(report, out),
        FileFormat::Json => report::json::write(report, out).and_then(|()| out.write_all(b"\n")),
        FileFormat::Line => out.write_all(report::line::render(report).as_bytes()),
        FileFormat::Github => report::github::write(report, out),
        FileFormat::Markdown => out.write_all(report::markdown::render(report).as_bytes()),
    }
}

/// Runs `--fix` (writing the files when `write`), says on standard error what was fixed
/// and what was not (with why), and returns the outcome of the fixed files and the diff.
fn fix_and_describe(
    options: &Options,
    profile: &Profile,
    write: bool,
) -> (pipeline::Outcome, Option<String>) {
    let mut outcome = clumio_preflight::fix::run(options, &|o| pipeline::run(o, profile), write);
    if !outcome.write_errors.is_empty() {
        // A file the fixes could not be written to: the run is not usable as it stands.
        outcome.outcome.status = 2;
    }
    for a in &outcome.applied {
        eprintln!(
            "fixed: {}: {} on {}: {}",
            escape::field(&a.at),
            a.code,
            escape::field(&a.resource),
            escape::field(&a.description)
        );
    }
    for n in &outcome.not_applied {
        eprintln!(
            "not fixed: {}: {} on {}: {}",
            escape::field(&n.at),
            n.code,
            escape::field(&n.resource),
            escape::field(&n.why)
        );
    }
    for e in &outcome.write_errors {
        eprintln!("error: {}", escape::field(e));
    }
    let verb = if write { "fixed" } else { "would fix" };
    eprintln!(
        "--fix: {verb} {} finding{} in {} file{}{}",
        outcome.applied.len(),
        if outcome.applied.len() == 1 { "" } else { "s" },
        outcome.files.len(),
        if outcome.files.len() == 1 { "" } else { "s" },
        if write {
            ""
        } else {
            " (--diff: nothing written)"
        }
    );
    (outcome.outcome, Some(outcome.diff))
}

/// The subcommands, for "did you mean" on a path that does not exist.
const SUBCOMMANDS: [&str; 4] = ["check", "simulate", "explain", "rules"];

/// "expain: no such file or directory; did you mean `clumio-preflight explain`?" when the
/// first path does not exist and is one or two typos away from a subcommand.
fn mistyped_subcommand(paths: &[PathBuf]) -> Option<String> {
    let first = paths.first()?.to_str()?;
    if std::path::Path::new(first).exists() || first.contains(['/', '.', '\\']) {
        return None;
    }
    let best = SUBCOMMANDS
        .iter()
        .map(|s| (edit_distance(first, s), *s))
        .min()?;
    (best.0 > 0 && best.0 <= 2).then(|| {
        format!(
            "error: {first}: no such file or directory, and no subcommand; did you mean `{}`? \
             (`clumio-preflight {} …`)",
            best.1, best.1
        )
    })
}

/// The Levenshtein distance between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// An `--output NAME=FILE` whose NAME looks like a format name (a bare word) but is none is
/// an error naming the formats, not a file called `NAME=FILE`.
fn check_output_format(value: &str) -> Result<(), String> {
    let Some((name, file)) = value.split_once('=') else {
        return Ok(());
    };
    let word = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic());
    if !word || file.is_empty() || FileFormat::from_str(name, true).is_ok() {
        return Ok(());
    }
    let formats: Vec<String> = FileFormat::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
        .collect();
    Err(format!(
        "error: --output {value}: no format is called \"{name}\"; the formats are {}",
        formats.join(", ")
    ))
}

/// An `--output` value: `FORMAT=FILE` when it starts with a format's name and `=`, else a
/// file in `default`.
fn output_file(value: &str, default: FileFormat) -> (FileFormat, &str) {
    if let Some((name, file)) = value.split_once('=')
        && !file.is_empty()
        && let Ok(format) = FileFormat::from_str(name, true)
    {
        return (format, file);
    }
    (default, value)
}

fn run_explain(code: &str) -> ExitCode {
    match rules::find(code) {
        // On a terminal the Markdown is rendered; piped, it is printed as written.
        Some(rule) if std::io::stdout().is_terminal() => {
            let color = std::env::var_os("NO_COLOR").is_none();
            emit(
                &clumio_preflight::explain::render(rule.docs, color),
                ExitCode::SUCCESS,
            )
        }
        Some(rule) => emit(rule.docs, ExitCode::SUCCESS),
        None => fail(&format!(
            "error: no rule named \"{code}\"; `clumio-preflight rules` lists them"
        )),
    }
}

fn run_rules() -> ExitCode {
    let mut text = String::new();
    for rule in rules::RULES {
        text.push_str(&format!(
            "{}  {:<34} {:<8} {}\n",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        ));
    }
    emit(&text, ExitCode::SUCCESS)
}

/// A completion script for `shell`, generated from the argument definitions.
fn run_completions(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "clumio-preflight", &mut script);
    emit(&String::from_utf8_lossy(&script), ExitCode::SUCCESS)
}

/// The manual page in roff, generated from the argument definitions.
fn run_man() -> ExitCode {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        return fail(&format!("error: cannot render the manual page: {e}"));
    }
    emit(&String::from_utf8_lossy(&page), ExitCode::SUCCESS)
}

/// Prints a usage error (made safe to print: it may quote a path or a value) and returns
/// status 2.
fn fail(message: &str) -> ExitCode {
    eprintln!("{}", escape::text_block(message));
    ExitCode::from(2)
}

fn read_input(path: &str) -> Result<(String, String), String> {
    if path == "-" {
        let text = read_stdin(false)?;
        if text.trim().is_empty() {
            return Err(
                "<stdin>: error: standard input is empty; pipe a policy document (JSON) into it"
                    .into(),
            );
        }
        return Ok(("<stdin>".into(), text));
    }
    let boundary = fsbound::Boundary::new(&[PathBuf::from(path)]);
    let text = boundary
        .read_text(std::path::Path::new(path), fsbound::MAX_INPUT_BYTES)
        .map_err(|e| format!("{path}: error: cannot read the file: {e}"))?;
    Ok((path.to_string(), text))
}

fn run_simulate(cmd: SimulateCmd, matches: &ArgMatches) -> ExitCode {
    if let Err(e) = cmd.profile.validate(matches) {
        return fail(&e);
    }
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
        PolicyKindArg::Bucket => PolicyKind::Bucket,
        PolicyKindArg::Key => PolicyKind::Key,
        PolicyKindArg::Generic => PolicyKind::Generic,
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
        SimulateFormat::Json => escape::json(simulate::render_json(&sources, &sim, args.clumio)),
        SimulateFormat::Human => escape::text_block(&simulate::render_human(&sources, file, &sim)),
    };
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{}", out.trim_end()).and_then(|()| stdout.flush()) {
        // The reader went away (`… | head`): nothing left to say, and nothing went wrong.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            fail(&format!("error: cannot write the output: {e}"))
        }
        _ => ExitCode::from(sim.exit_status()),
    }
}

/// mimalloc: the checker builds many small located values on several threads, where it is
/// markedly faster than the system allocator. Built without transparent huge pages (`no_thp`):
/// the kernel zeroing 2 MiB pages the checker barely touches cost up to a fifth of a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives the memory mimalloc holds freed back to the system
/// ([`clumio_preflight::parallel::give_back`]): it keeps freed pages for a second, longer
/// than a whole run, so each step's garbage would stay beside what the next step builds.
fn give_back_freed_memory() {
    // SAFETY: `mi_collect` takes no pointer and may be called from any thread at any time;
    // it only returns free pages of mimalloc's own heaps to the system.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
