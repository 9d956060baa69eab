//! The root's evidence chain as the history keeps it: which pack was sealed after which, decided
//! in one write transaction so that concurrent runs still form a single chain (SPEC §9).

use super::{History, HistoryError};
use crate::evidence::PackLink;
use rusqlite::OptionalExtension;

impl History {
    /// Seal a pack into the chain. In one write transaction (other forges wait): read the
    /// chain's head, hand it to `seal` (which signs the pack naming it as `previous` and returns
    /// the pack's sha256), and record the pack as the new head.
    pub fn chain_pack<E: From<HistoryError>>(
        &self,
        run_id: &str,
        seal: impl FnOnce(Option<PackLink>) -> Result<String, E>,
    ) -> Result<PackLink, E> {
        let mut failure: Option<E> = None;
        let sealed = self.write_durable(|c| {
            let head = c
                .query_row(
                    "SELECT run_id, sha256 FROM evidence_chain ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| {
                        Ok(PackLink {
                            run_id: r.get(0)?,
                            sha256: r.get(1)?,
                        })
                    },
                )
                .optional()
                .map_err(|e| self.sql_err(e))?;
            let sha256 = seal(head).map_err(|e| {
                failure = Some(e);
                // Rolls the transaction back: nothing joins the chain.
                HistoryError::Db {
                    path: self.path.display().to_string(),
                    message: "sealing the pack failed".to_string(),
                }
            })?;
            c.execute(
                "INSERT INTO evidence_chain (run_id, sha256) VALUES (?1, ?2)",
                rusqlite::params![run_id, sha256],
            )
            .map_err(|e| self.sql_err(e))?;
            Ok(sha256)
        });
        match (sealed, failure) {
            (_, Some(e)) => Err(e),
            (Ok(sha256), None) => Ok(PackLink {
                run_id: run_id.to_string(),
                sha256,
            }),
            (Err(e), None) => Err(e.into()),
        }
    }

    /// The chain in the order packs were sealed, oldest first.
    pub fn evidence_chain(&self) -> Result<Vec<PackLink>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT run_id, sha256 FROM evidence_chain ORDER BY seq")
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PackLink {
                    run_id: r.get(0)?,
                    sha256: r.get(1)?,
                })
            })
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql_err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: &str) -> PackLink {
        PackLink {
            run_id: id.to_string(),
            sha256: format!("sha-{id}"),
        }
    }

    #[test]
    fn each_pack_names_the_head_before_it_and_a_failed_seal_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::open(dir.path()).unwrap();
        let mut seen = Vec::new();
        for id in ["A", "B"] {
            let got = h
                .chain_pack::<HistoryError>(id, |prev| {
                    seen.push(prev);
                    Ok(format!("sha-{id}"))
                })
                .unwrap();
            assert_eq!(got, link(id));
        }
        assert_eq!(seen, [None, Some(link("A"))]);
        let failed = h.chain_pack::<crate::Error>("C", |_| {
            Err(crate::Error::Environment("disk full".to_string()))
        });
        assert!(matches!(failed, Err(crate::Error::Environment(m)) if m == "disk full"));
        assert_eq!(h.evidence_chain().unwrap(), [link("A"), link("B")]);
        // Another connection (another forge) sees the same head.
        let other = History::open(dir.path()).unwrap();
        other
            .chain_pack::<HistoryError>("D", |prev| {
                assert_eq!(prev, Some(link("B")));
                Ok("sha-D".to_string())
            })
            .unwrap();
        assert_eq!(h.evidence_chain().unwrap().len(), 3);
    }
}
