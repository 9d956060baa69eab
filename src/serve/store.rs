//! The server's own state (SQLite, `STATE/serve.db`): bearer tokens kept as hashes with their
//! quotas, the model tokens each caller used per UTC day, Idempotency-Keys, and the workspace
//! roots its runs used (each keeps its own history).

use super::error::ServeError;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (
    name            TEXT PRIMARY KEY,
    sha256          TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    rate_per_minute INTEGER,
    max_concurrent  INTEGER,
    daily_tokens    INTEGER
);
CREATE TABLE IF NOT EXISTS usage (
    name   TEXT NOT NULL,
    day    TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    PRIMARY KEY (name, day)
);
CREATE TABLE IF NOT EXISTS workspaces (
    path TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS idempotency (
    name       TEXT NOT NULL,
    key        TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (name, key)
);
";

/// A caller's limits; None is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Quotas {
    pub rate_per_minute: Option<u32>,
    pub max_concurrent: Option<u32>,
    pub daily_tokens: Option<u64>,
}

/// A token as `token list` shows it: never the secret, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub name: String,
    pub created_at: String,
    #[serde(flatten)]
    pub quotas: Quotas,
    /// Model tokens its runs spent on the UTC day asked about (counted as each call answers).
    pub used_today: u64,
}

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// `--state`, else `$XDG_STATE_HOME/forge/serve`, else `~/.local/state/forge/serve`.
pub fn state_dir(flag: Option<&Path>) -> Result<PathBuf, ServeError> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    let base = match std::env::var_os("XDG_STATE_HOME") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(std::env::var_os("HOME").ok_or(ServeError::NoStateDir)?)
            .join(".local/state"),
    };
    Ok(base.join("forge/serve"))
}

/// Whether `name` may name a token (it appears in log lines and URLs, so keep it plain).
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-'))
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Open (creating with owner-only permissions) the state database in `dir`.
    pub fn open(dir: &Path) -> Result<Store, ServeError> {
        let path = dir.join("serve.db");
        let err = |message: String| ServeError::State {
            path: path.display().to_string(),
            message,
        };
        create_private_dir(dir).map_err(|e| err(format!("cannot create the folder: {e}")))?;
        let conn = Connection::open(&path).map_err(|e| err(e.to_string()))?;
        restrict(&path).map_err(|e| err(format!("cannot restrict permissions: {e}")))?;
        conn.busy_timeout(crate::history::BUSY_TIMEOUT)
            .and_then(|_| conn.pragma_update(None, "journal_mode", "wal"))
            .and_then(|_| conn.execute_batch(SCHEMA))
            .map_err(|e| err(e.to_string()))?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, ServeError> {
        let err = |message: String| ServeError::State {
            path: self.path.display().to_string(),
            message,
        };
        let conn = self
            .conn
            .lock()
            .map_err(|_| err("a request panicked while holding the database".to_string()))?;
        f(&conn).map_err(|e| err(e.to_string()))
    }

    /// Create a token called `name`; returns the secret, which is not stored anywhere.
    pub fn create_token(&self, name: &str, quotas: Quotas) -> Result<String, ServeError> {
        if !valid_name(name) {
            return Err(ServeError::BadTokenName(name.to_string()));
        }
        let mut bytes = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut bytes);
        let secret = format!("forge_{}", hex::encode(bytes));
        let inserted = self.with(|c| {
            c.execute(
                "INSERT INTO tokens (name, sha256, created_at, rate_per_minute, max_concurrent,
                                     daily_tokens)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
                params![
                    name,
                    hash(&secret),
                    crate::timestamp::now(),
                    quotas.rate_per_minute,
                    quotas.max_concurrent,
                    quotas
                        .daily_tokens
                        .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
                ],
            )
        })?;
        if inserted == 0 {
            return Err(ServeError::TokenExists(name.to_string()));
        }
        Ok(secret)
    }

    /// Every token, with the model tokens it used on UTC day `day` (YYYY-MM-DD).
    pub fn list_tokens(&self, day: &str) -> Result<Vec<TokenInfo>, ServeError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT t.name, t.created_at, t.rate_per_minute, t.max_concurrent, t.daily_tokens,
                        COALESCE(u.tokens, 0)
                 FROM tokens t LEFT JOIN usage u ON u.name = t.name AND u.day = ?1
                 ORDER BY t.name",
            )?;
            stmt.query_map([day], |r| {
                Ok(TokenInfo {
                    name: r.get(0)?,
                    created_at: r.get(1)?,
                    quotas: Quotas {
                        rate_per_minute: r.get(2)?,
                        max_concurrent: r.get(3)?,
                        daily_tokens: r.get(4)?,
                    },
                    used_today: r.get(5)?,
                })
            })?
            .collect()
        })
    }

    pub fn revoke_token(&self, name: &str) -> Result<(), ServeError> {
        let n = self.with(|c| c.execute("DELETE FROM tokens WHERE name = ?1", [name]))?;
        if n == 0 {
            return Err(ServeError::UnknownToken(name.to_string()));
        }
        Ok(())
    }

    /// The name and quotas of the token whose secret is `secret`.
    pub fn authenticate(&self, secret: &str) -> Result<Option<(String, Quotas)>, ServeError> {
        self.lookup("sha256", &hash(secret))
    }

    /// The quotas of the token called `name` (a JWT's `sub` borrows them).
    pub fn quotas_of(&self, name: &str) -> Result<Option<Quotas>, ServeError> {
        Ok(self.lookup("name", name)?.map(|(_, q)| q))
    }

    fn lookup(&self, column: &str, value: &str) -> Result<Option<(String, Quotas)>, ServeError> {
        let sql = format!(
            "SELECT name, rate_per_minute, max_concurrent, daily_tokens FROM tokens
             WHERE {column} = ?1"
        );
        self.with(|c| {
            c.query_row(&sql, [value], |r| {
                Ok((
                    r.get(0)?,
                    Quotas {
                        rate_per_minute: r.get(1)?,
                        max_concurrent: r.get(2)?,
                        daily_tokens: r.get(3)?,
                    },
                ))
            })
            .optional()
        })
    }

    /// Model tokens `name` used on UTC day `day` (YYYY-MM-DD).
    pub fn tokens_used(&self, name: &str, day: &str) -> Result<u64, ServeError> {
        self.with(|c| {
            c.query_row(
                "SELECT tokens FROM usage WHERE name = ?1 AND day = ?2",
                [name, day],
                |r| r.get(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0))
        })
    }

    pub fn add_tokens_used(&self, name: &str, day: &str, tokens: u64) -> Result<(), ServeError> {
        let tokens = i64::try_from(tokens).unwrap_or(i64::MAX);
        self.with(|c| {
            c.execute(
                "INSERT INTO usage (name, day, tokens) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name, day) DO UPDATE SET tokens = tokens + excluded.tokens",
                params![name, day, tokens],
            )
            .map(|_| ())
        })
    }

    /// The run an Idempotency-Key from `name` started within the last `window_s` seconds.
    pub fn idempotent_run(
        &self,
        name: &str,
        key: &str,
        now_s: i64,
        window_s: i64,
    ) -> Result<Option<String>, ServeError> {
        self.with(|c| {
            c.query_row(
                "SELECT run_id FROM idempotency WHERE name = ?1 AND key = ?2 AND created_at > ?3",
                params![name, key, now_s - window_s],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Remember that a run used the workspace `root`, whose history then belongs to the
    /// server's views.
    pub fn remember_workspace(&self, root: &Path) -> Result<(), ServeError> {
        let path = root.to_string_lossy();
        self.with(|c| {
            c.execute(
                "INSERT INTO workspaces (path) VALUES (?1) ON CONFLICT DO NOTHING",
                [path.as_ref()],
            )
            .map(|_| ())
        })
    }

    pub fn workspaces(&self) -> Result<Vec<PathBuf>, ServeError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT path FROM workspaces ORDER BY path")?;
            stmt.query_map([], |r| r.get::<_, String>(0).map(PathBuf::from))?
                .collect()
        })
    }

    /// Claim `key` for `run_id` unless `name` used it within `window_s`: returns the run that
    /// holds it already, or None when this claim won. One statement, so two requests racing
    /// with the same key cannot both win.
    pub fn claim_idempotent(
        &self,
        name: &str,
        key: &str,
        run_id: &str,
        now_s: i64,
        window_s: i64,
    ) -> Result<Option<String>, ServeError> {
        self.with(|c| {
            let holder: String = c.query_row(
                "INSERT INTO idempotency (name, key, run_id, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name, key) DO UPDATE
                     SET run_id = excluded.run_id, created_at = excluded.created_at
                     WHERE idempotency.created_at <= ?5
                 RETURNING run_id",
                params![name, key, run_id, now_s, now_s - window_s],
                |r| r.get(0),
            )
            .optional()?
            .map_or_else(
                || {
                    c.query_row(
                        "SELECT run_id FROM idempotency WHERE name = ?1 AND key = ?2",
                        [name, key],
                        |r| r.get(0),
                    )
                },
                Ok,
            )?;
            Ok((holder != run_id).then_some(holder))
        })
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_kept_only_as_hashes_and_authenticate_until_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let quotas = Quotas {
            rate_per_minute: Some(5),
            max_concurrent: None,
            daily_tokens: Some(1_000),
        };
        let secret = store.create_token("ci", quotas).unwrap();
        assert!(matches!(
            store.create_token("ci", Quotas::default()),
            Err(ServeError::TokenExists(_))
        ));
        let bytes = std::fs::read(dir.path().join("serve.db")).unwrap();
        let needle = secret.as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        assert_eq!(
            store.authenticate(&secret).unwrap(),
            Some(("ci".to_string(), quotas))
        );
        assert_eq!(store.authenticate("forge_nope").unwrap(), None);
        store.revoke_token("ci").unwrap();
        assert_eq!(store.authenticate(&secret).unwrap(), None);
        assert!(matches!(
            store.revoke_token("ci"),
            Err(ServeError::UnknownToken(_))
        ));
    }

    #[test]
    fn usage_adds_up_per_day_and_idempotency_keys_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.add_tokens_used("ci", "2026-11-21", 100).unwrap();
        store.add_tokens_used("ci", "2026-11-21", 50).unwrap();
        assert_eq!(store.tokens_used("ci", "2026-11-21").unwrap(), 150);
        assert_eq!(store.tokens_used("ci", "2026-11-22").unwrap(), 0);
        let day = 86_400;
        assert_eq!(
            store
                .claim_idempotent("ci", "k", "RUN1", 1_000, day)
                .unwrap(),
            None
        );
        assert_eq!(
            store.idempotent_run("ci", "k", 1_500, day).unwrap(),
            Some("RUN1".to_string())
        );
        assert_eq!(
            store
                .claim_idempotent("ci", "k", "RUN2", 1_500, day)
                .unwrap(),
            Some("RUN1".to_string()),
            "the first run keeps the key"
        );
        assert_eq!(
            store.idempotent_run("other", "k", 1_500, day).unwrap(),
            None
        );
        assert_eq!(
            store
                .claim_idempotent("other", "k", "RUN3", 1_500, day)
                .unwrap(),
            None
        );
        assert_eq!(store.idempotent_run("ci", "k", 100_000, day).unwrap(), None);
        assert_eq!(
            store
                .claim_idempotent("ci", "k", "RUN4", 100_000, day)
                .unwrap(),
            None,
            "an expired key is taken over"
        );
    }

    #[test]
    fn token_names_are_plain() {
        for ok in ["ci", "alice@example.com", "team-a.bot_1"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "a b", "a/b", "ü", &"x".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
