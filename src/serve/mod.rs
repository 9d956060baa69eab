//! `forge serve` (SPEC §7): converge runs, the history and metrics behind an authenticated
//! HTTP API, as one more consumer of the engine's event stream.

mod api;
mod approval_route;
mod auth;
mod body;
mod converge_routes;
mod error;
mod events_ws;
mod gauges;
mod limits;
mod middleware;
mod openapi;
mod paths;
mod read_routes;
mod router;
mod runs;
mod settings;
mod store;
mod usage;

pub use auth::{Caller, JwtVerifier};
pub use error::{ApiError, ErrorBody, ServeError};
pub use openapi::document as openapi_document;
pub use store::{Quotas, Store, TokenInfo, state_dir, valid_name};
pub use usage::utc_day;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Everything `forge serve` was started with, resolved.
#[derive(Debug)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub roots: Vec<PathBuf>,
    pub max_concurrent: u32,
    pub state_dir: PathBuf,
    pub metrics_public: bool,
    pub jwt: Option<JwtVerifier>,
}

/// What every request handler can reach.
#[derive(Debug)]
pub(crate) struct AppState {
    pub roots: paths::Roots,
    pub store: Arc<Store>,
    /// Model tokens each caller spent today and what its unfinished runs hold.
    pub usage: Arc<usage::Ledger>,
    pub jwt: Option<JwtVerifier>,
    pub metrics_public: bool,
    pub rate: limits::RateLimiter,
    pub gauges: gauges::ServerGauges,
    pub runs: runs::Runs,
    /// Signs every run's pack; resolved once at start so a missing key fails the start.
    pub signers: crate::evidence::Signers,
    /// Cancelled on SIGTERM / Ctrl-C.
    pub shutdown: CancellationToken,
    /// Open histories of the served roots, taken by each run and given back when it is sealed.
    /// Besides saving the opens, this keeps each root's WAL: SQLite checkpoints and deletes it
    /// when the last connection closes, and recreates it (with a folder fsync) on the next open.
    pub histories: Arc<crate::history::HistoryPool>,
}

impl AppState {
    /// Every history the server answers for: the served roots, and the workspaces inside them
    /// that runs used (a contract's `root:` may be a folder below a served root).
    pub fn history_roots(&self) -> Vec<PathBuf> {
        let mut all = self.roots.all().to_vec();
        // A state database that cannot be read still leaves the served roots themselves.
        for w in self.store.workspaces().unwrap_or_default() {
            if self.roots.all().iter().any(|r| w.starts_with(r)) && w.is_dir() && !all.contains(&w)
            {
                all.push(w);
            }
        }
        all
    }
}

/// Serve until SIGTERM or Ctrl-C. The bound address is printed on stderr first, so a caller
/// that asked for port 0 learns the port.
pub async fn serve(config: ServeConfig) -> Result<(), ServeError> {
    let mut roots = Vec::new();
    for r in &config.roots {
        let real = r.canonicalize().map_err(|e| ServeError::Root {
            path: r.display().to_string(),
            message: e.to_string(),
        })?;
        if !real.is_dir() {
            return Err(ServeError::Root {
                path: r.display().to_string(),
                message: "not a folder".to_string(),
            });
        }
        roots.push(real);
    }
    let state_dir = resolve_existing(&config.state_dir);
    if let Some(root) = roots.iter().find(|r| state_dir.starts_with(r)) {
        return Err(ServeError::StateInsideRoot {
            state: config.state_dir.display().to_string(),
            root: root.display().to_string(),
        });
    }
    let store = Arc::new(Store::open(&config.state_dir)?);
    let signers = crate::evidence::Signers::resolve(None, None)
        .map_err(|e| ServeError::EvidenceKey(e.to_string()))?;
    let gauges = gauges::ServerGauges::new().map_err(|e| ServeError::Metrics(e.to_string()))?;
    let shutdown = CancellationToken::new();
    let histories = Arc::new(crate::history::HistoryPool::default());
    let (pool, served) = (histories.clone(), roots.clone());
    // A root whose history cannot be opened now is opened (and its error reported) by its runs.
    let _ = tokio::task::spawn_blocking(move || {
        for root in &served {
            if let Ok(h) = pool.take(root) {
                pool.give(h);
            }
        }
    })
    .await;
    let state = Arc::new(AppState {
        roots: paths::Roots::new(roots),
        usage: Arc::new(usage::Ledger::new(store.clone())),
        store,
        jwt: config.jwt,
        metrics_public: config.metrics_public,
        rate: limits::RateLimiter::default(),
        runs: runs::Runs::new(config.max_concurrent, gauges.clone()),
        gauges,
        signers,
        shutdown: shutdown.clone(),
        histories,
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServeError::Listen {
            addr: config.listen.to_string(),
            message: e.to_string(),
        })?;
    let bound = listener.local_addr().map_err(|e| ServeError::Listen {
        addr: config.listen.to_string(),
        message: e.to_string(),
    })?;
    use tokio::signal::unix::{SignalKind, signal};
    let signals = [SignalKind::terminate(), SignalKind::interrupt()]
        .into_iter()
        .filter_map(|k| signal(k).ok())
        .collect();
    let ctrl_c = tokio::spawn(wait_for_signal(signals, state.clone()));
    let shown: Vec<String> = state
        .roots
        .all()
        .iter()
        .map(|r| r.display().to_string())
        .collect();
    crate::cli::output::err_line(&format!(
        "forge serve: listening on http://{bound} (roots: {}; at most {} runs at once)",
        shown.join(", "),
        config.max_concurrent
    ));
    let app = router::build(state.clone());
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await;
    // Whatever ended the listener, every accepted run is cancelled and sealed (history row
    // final, pack written) and every event feed closed before the process exits.
    ctrl_c.abort();
    state.runs.cancel_all();
    state.runs.drain().await;
    served.map_err(|e| ServeError::Listen {
        addr: bound.to_string(),
        message: e.to_string(),
    })?;
    crate::cli::output::err_line("forge serve: stopped");
    Ok(())
}

/// `path` absolute, with symlinks resolved as far as it exists (the state folder may not yet).
fn resolve_existing(path: &std::path::Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut at = absolute.as_path();
    loop {
        if let Ok(real) = at.canonicalize() {
            return missing.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                at = parent;
            }
            _ => return absolute,
        }
    }
}

/// Wait for SIGTERM or Ctrl-C (SIGINT), then stop accepting and cancel every run. The handlers
/// are installed before the address is printed, so a signal sent as soon as the server says
/// where it listens is never the default (fatal) one.
async fn wait_for_signal(mut signals: Vec<tokio::signal::unix::Signal>, state: Arc<AppState>) {
    if signals.is_empty() {
        // No handler could be installed: the default action (exit) stays in force.
        return;
    }
    futures_util::future::select_all(signals.iter_mut().map(|s| Box::pin(s.recv()))).await;
    crate::cli::output::err_line(
        "forge serve: shutting down (no new connections; cancelling running runs)",
    );
    state.shutdown.cancel();
    state.runs.cancel_all();
}
