//! The clap definitions of every command and flag (SPEC §2).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "forge",
    version,
    about = "Converge LLM-written code on an Answer Contract, checked by your own validators",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Workspace root (default: the contract's `root:`, else its git top level, else the current folder)
    #[arg(long = "root", global = true, value_name = "DIR")]
    pub roots: Vec<PathBuf>,
    /// The one `--root` of commands that take one (set by `Cli::parse_args` from `roots`).
    #[arg(skip)]
    pub root: Option<PathBuf>,
    /// Machine-readable output on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only errors
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// No progress bars or spinners, even on a terminal
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// When to use colours (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl Cli {
    /// Parse the command line. Only `forge serve` takes `--root` more than once.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        let mut cli = Cli::try_parse()?;
        if cli.global.roots.len() > 1 && !matches!(cli.command, Command::Serve(_)) {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            return Err(cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                "--root was given more than once; only `forge serve` serves several roots",
            ));
        }
        cli.global.root = cli.global.roots.last().cloned();
        Ok(cli)
    }
}

impl Global {
    /// Set `console`'s colour switches once, for stdout and stderr.
    pub fn apply_color(&self) {
        let on = match self.color {
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
            ColorChoice::Auto => std::env::var_os("NO_COLOR")
                .filter(|v| !v.is_empty())
                .map(|_| false),
        };
        if let Some(on) = on {
            console::set_colors_enabled(on);
            console::set_colors_enabled_stderr(on);
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate → validate → refine until the contract is met
    Converge(ConvergeArgs),
    /// Run the validators once on the root as it is, no model
    Check(CheckArgs),
    /// Lint a contract or print its JSON Schema
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Write a starter contract under contracts/
    Init(InitArgs),
    /// The run history
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Show, export, verify and recheck evidence packs
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Look for secrets and personal data in files (default: the root's files git would track)
    Scan(ScanArgs),
    /// Manage the ed25519 key evidence is signed with
    #[command(subcommand)]
    Key(KeyCommand),
    /// Show what a run would change in the root, as a unified diff
    Diff(DiffArgs),
    /// Approve a run and write its files back to the root
    Apply(ApplyArgs),
    /// Reject a run: its files are never written back
    Reject(RejectArgs),
    /// Install forge as a git hook
    #[command(subcommand)]
    Hook(HookCommand),
    /// Show forge's effective settings and where each comes from
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)
    Doctor,
    /// Print the run history as Prometheus metrics
    Metrics,
    /// Serve converge runs, the history and metrics over HTTP (and manage its tokens)
    Serve(ServeArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Write the man pages (used to keep man/ current)
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ConvergeArgs {
    /// The Answer Contract (YAML)
    pub contract: PathBuf,
    #[command(flatten)]
    pub run: RunFlags,
    /// Leave the root untouched even when the run converges
    #[arg(long)]
    pub no_apply: bool,
    /// Write back only once approved: show the diff and ask on a terminal, else leave the run
    /// for `forge apply` (as `approval: required` in the contract does)
    #[arg(long)]
    pub confirm: bool,
    /// Exit 0 for a converged run even if a validator's breaker opened
    #[arg(long)]
    pub allow_degraded: bool,
    /// Answer from a recorded cassette instead of a provider (no key needed)
    #[arg(long, value_name = "CASSETTE", conflicts_with = "record")]
    pub replay: Option<PathBuf>,
    /// Record every model exchange of the run to a cassette
    #[arg(long, value_name = "CASSETTE")]
    pub record: Option<PathBuf>,
    /// Also sign the pack with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)
    #[arg(long, value_name = "F")]
    pub signing_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The Answer Contract (YAML)
    pub contract: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Validate a contract
    Lint {
        /// The Answer Contract (YAML)
        contract: PathBuf,
    },
    /// Print the contract's JSON Schema
    Schema,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    Python,
    Rust,
    Node,
    Shell,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Starter to write
    #[arg(long, value_enum, default_value_t = Template::Python)]
    pub template: Template,
    /// Contract name ([A-Za-z0-9_.-]+)
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The run history, newest first
    List {
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Only runs with this status (converged, max_iterations, stagnated, ...)
        #[arg(long, value_name = "S")]
        status: Option<String>,
    },
    /// One run with its iterations and validator results
    Show { run_id: String },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Print a pack's Markdown
    Show {
        /// A run id or a path to evidence.json
        target: String,
    },
    /// Write a run's pack as JSON, Markdown, or a signed in-toto attestation
    Export {
        /// A run id or a path to evidence.json
        run_id: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write here instead of stdout (atomically; only ever replaces a regular file)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// in-toto: the ed25519 key to sign with (default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key)
        #[arg(long, value_name = "F")]
        signing_key: Option<PathBuf>,
    },
    /// Check a pack's hash and signatures, and optionally the files it lists
    Verify {
        /// A run id or a path to evidence.json
        target: String,
        /// The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)
        #[arg(long, value_name = "F")]
        key_file: Option<PathBuf>,
        /// Trust ed25519 signatures by this public key (SPKI PEM); repeatable
        #[arg(long, value_name = "F")]
        public_key: Vec<PathBuf>,
        /// Also check that the pack's artifacts match the files under DIR
        #[arg(long, value_name = "DIR")]
        artifacts: Option<PathBuf>,
    },
    /// Check every pack of the root and the chain linking them (metadata.previous)
    VerifyChain {
        /// The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)
        #[arg(long, value_name = "F")]
        key_file: Option<PathBuf>,
        /// Trust ed25519 signatures by this public key (SPKI PEM); repeatable
        #[arg(long, value_name = "F")]
        public_key: Vec<PathBuf>,
    },
    /// Run the stored contract's validators again on the kept artifacts and compare with the pack
    Recheck {
        /// A run id or a path to evidence.json
        target: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Md,
    /// A DSSE envelope around an in-toto Statement v1, signed with ed25519
    #[value(name = "in-toto")]
    InToto,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)
    Generate {
        /// Folder to write into (default: $XDG_CONFIG_HOME/forge)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The run whose kept files are compared with the root
    pub run_id: String,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The run to approve and write back
    pub run_id: String,
    /// Do not ask: approve and write back at once (needed when not on a terminal)
    #[arg(long, short)]
    pub yes: bool,
    /// Who approves (default: git's user.email)
    #[arg(long, value_name = "WHO")]
    pub approver: Option<String>,
    /// Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)
    #[arg(long, value_name = "F")]
    pub signing_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The run to reject
    pub run_id: String,
    /// Why, kept in approval.json
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Who rejects (default: git's user.email)
    #[arg(long, value_name = "WHO")]
    pub approver: Option<String>,
    /// Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)
    #[arg(long, value_name = "F")]
    pub signing_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit running `forge check` on the contracts
    Install {
        /// Contracts to check (default: every contracts/*.yaml and *.yml of the root)
        contracts: Vec<PathBuf>,
        /// Replace a pre-commit hook forge did not write (the old one is kept as pre-commit.bak)
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every effective setting and where it came from (flag, env, contract, config file, default)
    Show(ConfigShowArgs),
}

#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// A contract whose settings to include
    pub contract: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunFlags,
}

/// The flags that choose the model and override the contract's limits, shared by `converge`
/// and `config show` so that both read them the same way.
#[derive(Debug, Args)]
pub struct RunFlags {
    /// openai | anthropic | ollama
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// The provider's API root, e.g. https://api.openai.com/v1
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, value_name = "N")]
    pub max_iterations: Option<u32>,
    #[arg(long, value_name = "X")]
    pub threshold: Option<f64>,
    #[arg(long, value_name = "N")]
    pub token_budget: Option<u64>,
}

impl RunFlags {
    pub fn llm(&self) -> crate::llm::LlmFlags {
        crate::llm::LlmFlags {
            provider: self.provider.clone(),
            model: self.model.clone(),
            base_url: self.base_url.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan (folders honour .gitignore); default: the whole root
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also report personal data: e-mail addresses, phone numbers, IBANs, card numbers
    #[arg(long)]
    pub pii: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Folder to write forge.1 and one page per subcommand into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,
    /// Address to listen on (port 0 picks a free port; the bound address is printed)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8088")]
    pub listen: std::net::SocketAddr,
    /// Runs beyond this many at once wait as QUEUED
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent: u32,
    /// Server state: tokens (default: $XDG_STATE_HOME/forge/serve)
    #[arg(long, value_name = "DIR", global = true)]
    pub state: Option<PathBuf>,
    /// Serve GET /metrics without a token
    #[arg(long)]
    pub metrics_public: bool,
    /// Also accept JWT bearers signed by a key of this JWKS (RS256 or ES256)
    #[arg(long, value_name = "FILE", requires_all = ["issuer", "audience"])]
    pub jwks: Option<PathBuf>,
    /// The `iss` a JWT must carry
    #[arg(long, value_name = "ISS", requires = "jwks")]
    pub issuer: Option<String>,
    /// The `aud` a JWT must carry
    #[arg(long, value_name = "AUD", requires = "jwks")]
    pub audience: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Create, list and revoke the bearer tokens of `forge serve`
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (once: only its hash is kept)
    Create {
        /// Who the token is for ([A-Za-z0-9_.@-]+); also names its log lines
        name: String,
        /// Requests per minute (default: unlimited)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        rate_per_minute: Option<u32>,
        /// Runs of this token at once, queued included (default: unlimited)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        max_concurrent: Option<u32>,
        /// Model tokens per UTC day over this token's runs (default: unlimited)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        daily_tokens: Option<u64>,
    },
    /// The tokens, without their secrets
    List,
    /// Revoke a token by name; requests bearing it get 401 from then on
    Revoke { name: String },
}
