//! The history's tables and the forward migrations between their versions (`PRAGMA user_version`).

use rusqlite::Connection;

/// The schema version this forge writes. A file with a higher version came from a newer forge.
pub const CURRENT: i64 = 6;

/// Version 1: runs, iterations, validator results.
const V1: &str = "
CREATE TABLE runs (
    run_id          TEXT PRIMARY KEY,
    contract_name   TEXT NOT NULL,
    contract_path   TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    provider        TEXT NOT NULL,
    model           TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL,
    degraded        INTEGER NOT NULL DEFAULT 0,
    score           REAL,
    iterations      INTEGER NOT NULL DEFAULT 0,
    tokens          INTEGER NOT NULL DEFAULT 0,
    evidence_path   TEXT,
    reason          TEXT,
    pid             INTEGER,
    pid_start_time  INTEGER
);
CREATE INDEX runs_by_start ON runs (started_at);
CREATE TABLE iterations (
    run_id          TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    n               INTEGER NOT NULL,
    score           REAL NOT NULL,
    input_tokens    INTEGER NOT NULL,
    output_tokens   INTEGER NOT NULL,
    prompt_sha256   TEXT NOT NULL,
    response_sha256 TEXT NOT NULL,
    duration_ms     INTEGER NOT NULL,
    edits_applied   INTEGER NOT NULL,
    edits_refused   INTEGER NOT NULL,
    PRIMARY KEY (run_id, n)
);
CREATE TABLE validator_results (
    run_id       TEXT NOT NULL,
    iteration    INTEGER NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    exit_code    INTEGER,
    timed_out    INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    score        REAL NOT NULL,
    output_bytes INTEGER NOT NULL,
    PRIMARY KEY (run_id, iteration, name),
    FOREIGN KEY (run_id, iteration) REFERENCES iterations (run_id, n) ON DELETE CASCADE
);
";

/// Version 2: model calls with token counts, and validators skipped by an open breaker.
const V1_TO_V2: &str = "
ALTER TABLE validator_results ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
CREATE TABLE model_calls (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    iteration     INTEGER NOT NULL,
    purpose       TEXT NOT NULL,
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    estimated     INTEGER NOT NULL,
    latency_ms    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL,
    ok            INTEGER NOT NULL,
    error         TEXT
);
CREATE INDEX model_calls_by_run ON model_calls (run_id);
";

/// Version 3: a validator result keeps its command, output digest and excerpt, as the pack does.
const V2_TO_V3: &str = "
ALTER TABLE validator_results ADD COLUMN command TEXT NOT NULL DEFAULT '';
ALTER TABLE validator_results ADD COLUMN output_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE validator_results ADD COLUMN output_excerpt TEXT NOT NULL DEFAULT '';
";

/// Version 4: the root's evidence chain, in the order packs were sealed (SPEC §9).
const V3_TO_V4: &str = "
CREATE TABLE evidence_chain (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id  TEXT NOT NULL UNIQUE,
    sha256  TEXT NOT NULL
);
";

/// Version 5: what model calls cost in US dollars (NULL: unknown, the model had no price; runs
/// recorded before this version stay unknown).
const V4_TO_V5: &str = "
ALTER TABLE model_calls ADD COLUMN cost_usd REAL;
ALTER TABLE runs ADD COLUMN cost_usd REAL;
";

/// Version 6: what `forge metrics` reads without opening every pack or every wide row: the
/// feedback a run digested (NULL for runs recorded before; metrics reads their packs), and
/// covering indexes for its three scans.
const V5_TO_V6: &str = "
ALTER TABLE runs ADD COLUMN raw_feedback_tokens INTEGER;
ALTER TABLE runs ADD COLUMN sent_feedback_tokens INTEGER;
CREATE INDEX runs_for_metrics ON runs
    (status, iterations, tokens, started_at, finished_at, raw_feedback_tokens, sent_feedback_tokens,
     run_id);
CREATE INDEX validator_results_for_metrics ON validator_results (run_id, skipped, timed_out);
DROP INDEX model_calls_by_run;
CREATE INDEX model_calls_by_run ON model_calls (run_id, input_tokens, output_tokens, cached_tokens);
";

/// Each step takes the schema from version `i` to `i + 1`.
const STEPS: [&str; CURRENT as usize] = [V1, V1_TO_V2, V2_TO_V3, V3_TO_V4, V4_TO_V5, V5_TO_V6];

pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Bring the schema up to `CURRENT`, in one write transaction so that two forges opening the
/// same new database at once do not both migrate it.
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let from = user_version(conn)?;
        for step in STEPS.iter().skip(from.max(0) as usize) {
            conn.execute_batch(step)?;
        }
        if from < CURRENT {
            conn.pragma_update(None, "user_version", CURRENT)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_a_new_database_to_current_and_is_idempotent() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), CURRENT);
        migrate(&conn).unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'model_calls'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }
}
