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
    /// Show, export and verify evidence packs
    #[command(subcommand)]
    Evidence(EvidenceCommand),
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
    /// Leave the root untouched even when the run converges
    #[arg(long)]
    pub no_apply: bool,
    /// Exit 0 for a converged run even if a validator's breaker opened
    #[arg(long)]
    pub allow_degraded: bool,
    /// Answer from a recorded cassette instead of a provider (no key needed)
    #[arg(long, value_name = "CASSETTE", conflicts_with = "record")]
    pub replay: Option<PathBuf>,
    /// Record every model exchange of the run to a cassette
    #[arg(long, value_name = "CASSETTE")]
    pub record: Option<PathBuf>,
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
    /// Write a run's pack as JSON or Markdown
    Export {
        run_id: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check a pack's hashes and signature
    Verify {
        /// Path to evidence.json
        pack: PathBuf,
        /// The evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)
        #[arg(long, value_name = "F")]
        key_file: Option<PathBuf>,
        /// Also check that the pack's artifacts still match the files under DIR
        #[arg(long, value_name = "DIR")]
        artifacts: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Md,
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
