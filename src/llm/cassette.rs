//! Cassettes: model exchanges as JSON lines, recorded from a live run and replayed offline.
//!
//! A line holds `request_sha256` (SHA-256 of the JCS form of provider, model, system and
//! messages), `provider`, `model`, `response` (the answer text), `usage` and bookkeeping; never
//! a key or a header. Replay answers a request with the first unused exchange whose digest
//! matches; if none matches it takes the next unused exchange in file order. So a recorded run
//! replays exactly even when the prompts drift, and a hand-written ("scripted") cassette of
//! plain `{"response": "..."}` lines answers calls in order.

use super::{ChatRequest, LlmError, Usage};
use crate::contract::ProviderKind;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One exchange. Only `response` is required, so scripted cassettes stay short.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CassetteEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub response: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// Free text for people, e.g. that an exchange was scripted by hand rather than recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The digest that ties a cassette line to a request.
pub fn request_digest(provider: ProviderKind, model: &str, req: &ChatRequest) -> String {
    let canonical = serde_json::json!({
        "provider": provider.as_str(),
        "model": model,
        "system": req.system,
        "messages": req.messages,
    });
    let bytes =
        serde_jcs::to_vec(&canonical).unwrap_or_else(|_| canonical.to_string().into_bytes());
    crate::sha::sha256_hex(&bytes)
}

/// Appends exchanges to a cassette file, one line each, flushed as they happen so a crashed
/// run keeps what it recorded.
pub(crate) struct Recorder {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl Recorder {
    pub fn open(path: &Path) -> Result<Self, LlmError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| cassette_error(path, format!("cannot open for recording: {e}")))?;
        Ok(Recorder {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn append(&self, entry: &CassetteEntry) -> Result<(), LlmError> {
        let mut line = serde_json::to_string(entry)
            .map_err(|e| cassette_error(&self.path, format!("cannot encode an exchange: {e}")))?;
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .map_err(|_| cassette_error(&self.path, "an earlier write failed midway".into()))?;
        file.write_all(line.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| cassette_error(&self.path, format!("cannot write: {e}")))
    }
}

/// Answers requests from a cassette, each exchange at most once.
pub(crate) struct Player {
    path: PathBuf,
    sha256: String,
    entries: Vec<CassetteEntry>,
    used: Mutex<Vec<bool>>,
}

impl Player {
    pub fn load(path: &Path) -> Result<Self, LlmError> {
        let bytes =
            std::fs::read(path).map_err(|e| cassette_error(path, format!("cannot read: {e}")))?;
        let sha256 = crate::sha::sha256_hex(&bytes);
        let text = String::from_utf8(bytes)
            .map_err(|_| cassette_error(path, "is not UTF-8 text".to_string()))?;
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry = serde_json::from_str(line).map_err(|e| {
                cassette_error(
                    path,
                    format!("line {} is not a cassette exchange ({e}); expected a JSON object with at least \"response\"", i + 1),
                )
            })?;
            entries.push(entry);
        }
        let used = Mutex::new(vec![false; entries.len()]);
        Ok(Player {
            path: path.to_path_buf(),
            sha256,
            entries,
            used,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The provider and model a recorded cassette names (its first exchange that names both).
    pub fn answered_by(&self) -> Option<(ProviderKind, String)> {
        self.entries
            .iter()
            .find_map(|e| Some((e.provider?, e.model.clone()?)))
    }

    /// The exchange for `digest` (see the module doc for the matching rule).
    pub fn next(&self, digest: &str) -> Result<CassetteEntry, LlmError> {
        let mut used = self
            .used
            .lock()
            .map_err(|_| cassette_error(&self.path, "replay state is unusable".into()))?;
        let unused = |i: &usize| !used[*i];
        let exact = (0..self.entries.len())
            .filter(unused)
            .find(|i| self.entries[*i].request_sha256.as_deref() == Some(digest));
        let pick = exact.or_else(|| (0..self.entries.len()).find(unused));
        let Some(i) = pick else {
            let n = self.entries.len();
            return Err(cassette_error(
                &self.path,
                format!(
                    "the cassette holds {n} exchange(s); the run asked for exchange {} — record the run again with --record, or add exchanges to the script",
                    n + 1
                ),
            ));
        };
        used[i] = true;
        Ok(self.entries[i].clone())
    }
}

fn cassette_error(path: &Path, message: String) -> LlmError {
    LlmError::Cassette {
        path: path.display().to_string(),
        message,
        spent: Usage::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ChatMessage, Role};

    fn req(text: &str) -> ChatRequest {
        ChatRequest {
            system: "sys".into(),
            messages: vec![ChatMessage {
                role: Role::User,
                content: text.into(),
            }],
        }
    }

    #[test]
    fn digest_depends_on_every_part() {
        let a = request_digest(ProviderKind::Openai, "m", &req("x"));
        assert_eq!(a.len(), 64);
        assert_eq!(a, request_digest(ProviderKind::Openai, "m", &req("x")));
        assert_ne!(a, request_digest(ProviderKind::Anthropic, "m", &req("x")));
        assert_ne!(a, request_digest(ProviderKind::Openai, "n", &req("x")));
        assert_ne!(a, request_digest(ProviderKind::Openai, "m", &req("y")));
    }

    #[test]
    fn exact_digest_first_then_next_unused_then_a_clear_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(
            &path,
            "{\"response\":\"first\"}\n\n{\"request_sha256\":\"abc\",\"response\":\"second\"}\n",
        )
        .unwrap();
        let p = Player::load(&path).unwrap();
        assert_eq!(p.next("abc").unwrap().response, "second");
        assert_eq!(p.next("zzz").unwrap().response, "first");
        let end = p.next("abc").unwrap_err().to_string();
        assert!(
            end.contains("holds 2 exchange(s)") && end.contains("exchange 3"),
            "{end}"
        );
    }

    #[test]
    fn bad_line_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(&path, "{\"response\":\"ok\"}\n{\"text\":1}\n").unwrap();
        let msg = Player::load(&path).err().unwrap().to_string();
        assert!(msg.contains("c.jsonl") && msg.contains("line 2"), "{msg}");
    }
}
