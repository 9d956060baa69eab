//! The guard on the way to a model: every request is scanned; per the contract's modes a value
//! is sent and recorded (`detect`), replaced by a placeholder (`mask`), or stops the run
//! (`block`). Answers come back through [`Guard::incoming`], placeholders mapped to values.

use super::PrivacyError;
use super::allow::AllowList;
use super::detect::{Detector, line_numbers};
use super::finding::{Action, Finding};
use super::key::MaskKey;
use super::kind::{Category, Kind};
use super::mask::Masker;
use super::sources::attribute;
use crate::contract::{PrivacyMode, PrivacySettings};
use crate::llm::{ChatMessage, ChatRequest, Role};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A request as it may be sent, and the findings not reported before in this run.
#[derive(Debug, Clone, PartialEq)]
pub struct Guarded {
    pub request: ChatRequest,
    pub findings: Vec<Finding>,
}

/// One guard per run: it holds the placeholders handed out, to map answers back.
#[derive(Debug)]
pub struct Guard {
    settings: PrivacySettings,
    allow: AllowList,
    root: PathBuf,
    detector: &'static Detector,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Created with the root's key the first time a value is masked.
    masker: Option<Masker>,
    reported: HashSet<Finding>,
}

impl Guard {
    /// A guard for a run in `root` (where the mask key lives) with the contract's settings.
    pub fn new(settings: &PrivacySettings, root: &Path) -> Result<Guard, PrivacyError> {
        let allow =
            AllowList::new(&settings.allow).map_err(|e| PrivacyError::Allow(e.to_string()))?;
        Ok(Guard {
            settings: settings.clone(),
            allow,
            root: root.to_path_buf(),
            detector: Detector::shared()?,
            state: Mutex::new(State::default()),
        })
    }

    pub fn settings(&self) -> &PrivacySettings {
        &self.settings
    }

    fn mode(&self, c: Category) -> PrivacyMode {
        match c {
            Category::Secret => self.settings.secrets,
            Category::Pii => self.settings.pii,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: each update is one insert.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The request as it may be sent, or [`PrivacyError::Blocked`] naming the first value a
    /// `block` mode forbids. Findings already reported earlier in the run are not repeated.
    pub fn outgoing(&self, request: &ChatRequest) -> Result<Guarded, PrivacyError> {
        let mut findings = Vec::new();
        let system = self.text(&request.system, "system", &mut findings)?;
        let mut messages = Vec::with_capacity(request.messages.len());
        for m in &request.messages {
            let default = match m.role {
                Role::User => "prompt",
                Role::Assistant => "answer",
            };
            messages.push(ChatMessage {
                role: m.role,
                content: self.text(&m.content, default, &mut findings)?,
            });
        }
        // The cacheable prefix keeps its place in the masked text: placeholders are the same for
        // the same value, so the masked prefix is a prefix of the masked message.
        let stable_prefix = match (request.split_stable(), messages.first()) {
            (Some((prefix, _)), Some(first)) => {
                let masked = self.text(prefix, "prompt", &mut Vec::new())?;
                if first.content.starts_with(&masked) {
                    masked.len()
                } else {
                    0
                }
            }
            _ => 0,
        };
        let mut state = self.state();
        findings.retain(|f| state.reported.insert(f.clone()));
        Ok(Guarded {
            request: ChatRequest {
                system,
                messages,
                stable_prefix,
            },
            findings,
        })
    }

    /// `answer` with every placeholder this guard handed out replaced by its real value, so
    /// edits (SEARCH/REPLACE blocks included) apply to and write the real text.
    pub fn incoming(&self, answer: &str) -> String {
        match &self.state().masker {
            Some(m) => m.restore(answer),
            None => answer.to_string(),
        }
    }

    /// One part of the request, masked as the modes say; its findings appended to `out`.
    fn text(
        &self,
        text: &str,
        default: &str,
        out: &mut Vec<Finding>,
    ) -> Result<String, PrivacyError> {
        let wanted = |c: Category| self.mode(c) != PrivacyMode::Off;
        let hits = self.detector.find(text.as_bytes(), &wanted, &self.allow);
        if hits.is_empty() {
            return Ok(text.to_string());
        }
        let lines = attribute(text, default);
        let numbers = line_numbers(text.as_bytes(), &hits);
        let mut counts: BTreeMap<(Kind, String, usize, Action), usize> = BTreeMap::new();
        let mut state = self.state();
        let mut masked = String::with_capacity(text.len());
        let mut copied = 0;
        for (hit, n) in hits.iter().zip(numbers) {
            let (source, line) = lines
                .get(n - 1)
                .cloned()
                .unwrap_or_else(|| (default.to_string(), n));
            let action = match self.mode(hit.kind.category()) {
                PrivacyMode::Block => {
                    return Err(PrivacyError::Blocked {
                        file: source,
                        line,
                        kind: hit.kind,
                    });
                }
                PrivacyMode::Mask
                    if text.is_char_boundary(hit.range.start)
                        && text.is_char_boundary(hit.range.end) =>
                {
                    masked.push_str(&text[copied..hit.range.start]);
                    // Created with the root's key the first time a value is masked.
                    let masker = match &mut state.masker {
                        Some(m) => m,
                        None => state
                            .masker
                            .insert(Masker::new(MaskKey::for_root(&self.root)?)),
                    };
                    masked.push_str(&masker.mask(hit.kind, &text[hit.range.clone()]));
                    copied = hit.range.end;
                    Action::Masked
                }
                _ => Action::Detected,
            };
            *counts.entry((hit.kind, source, line, action)).or_default() += 1;
        }
        masked.push_str(&text[copied..]);
        out.extend(
            counts
                .into_iter()
                .map(|((kind, source, line, action), count)| Finding {
                    kind,
                    category: kind.category(),
                    source,
                    line,
                    count,
                    action,
                }),
        );
        Ok(masked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb"; // forge:allow

    fn request(file: &str) -> ChatRequest {
        ChatRequest::single(
            "You write code.",
            format!(
                "# Task: demo\n\nWrite to jane.doe@acme-mail.de\n\n## Files you may create or change\n### FILE: src/app.py\n```\n{file}\n```\n"
            ),
        )
    }

    fn guard(dir: &Path, secrets: PrivacyMode, pii: PrivacyMode, allow: &[&str]) -> Guard {
        let settings = PrivacySettings {
            secrets,
            pii,
            allow: allow.iter().map(|s| s.to_string()).collect(),
        };
        Guard::new(&settings, dir).unwrap()
    }

    #[test]
    fn defaults_mask_secrets_detect_pii_and_map_answers_back() {
        let dir = tempfile::tempdir().unwrap();
        let g = guard(dir.path(), PrivacyMode::Mask, PrivacyMode::Detect, &[]);
        let file = format!("import os\nTOKEN = '{TOKEN}'\n");
        let out = g.outgoing(&request(&file)).unwrap();
        let sent = &out.request.messages[0].content;
        assert!(!sent.contains(TOKEN), "{sent}");
        assert!(
            sent.contains("jane.doe@acme-mail.de"),
            "pii is only detected"
        );
        let placeholder = sent
            .split('\'')
            .find(|s| s.starts_with("FORGE_MASK_GITHUB_TOKEN_"))
            .unwrap()
            .to_string();
        let found: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.kind, f.source.as_str(), f.line, f.count, f.action))
            .collect();
        assert_eq!(
            found,
            [
                (Kind::GithubToken, "src/app.py", 2, 1, Action::Masked),
                (Kind::Email, "task", 3, 1, Action::Detected),
            ]
        );
        assert!(dir.path().join(".forge/privacy.key").is_file());

        let answer = format!(
            "### EDIT: src/app.py\n<<<<<<< SEARCH\nTOKEN = '{placeholder}'\n=======\nTOKEN = '{placeholder}'.strip()\n>>>>>>> REPLACE\n"
        );
        let back = g.incoming(&answer);
        assert_eq!(back, answer.replace(&placeholder, TOKEN));

        // The same text again: the same placeholder, and nothing new to report.
        let again = g.outgoing(&request(&file)).unwrap();
        assert_eq!(again.request, out.request);
        assert!(again.findings.is_empty());
        // A new guard on the same root (a later run) hands out the same placeholder.
        let later = guard(dir.path(), PrivacyMode::Mask, PrivacyMode::Detect, &[]);
        assert_eq!(
            later.outgoing(&request(&file)).unwrap().request,
            out.request
        );
    }

    #[test]
    fn block_names_file_line_and_kind() {
        let dir = tempfile::tempdir().unwrap();
        let g = guard(dir.path(), PrivacyMode::Block, PrivacyMode::Off, &[]);
        let err = g
            .outgoing(&request(&format!("x = 1\ny = 2\nTOKEN = '{TOKEN}'")))
            .unwrap_err();
        assert_eq!(
            err.to_string().lines().next().unwrap(),
            "src/app.py:3: github_token would be sent to the model and privacy.secrets is `block`; nothing was sent"
        );
        assert!(!dir.path().join(".forge").exists());
    }

    #[test]
    fn off_and_allow_let_values_through_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let req = request(&format!("TOKEN = '{TOKEN}'"));
        let off = guard(dir.path(), PrivacyMode::Off, PrivacyMode::Off, &[]);
        let out = off.outgoing(&req).unwrap();
        assert_eq!(out.request, req);
        assert!(out.findings.is_empty());
        let allowed = guard(
            dir.path(),
            PrivacyMode::Block,
            PrivacyMode::Block,
            &[TOKEN, "/@acme-mail\\.de$/"],
        );
        assert_eq!(allowed.outgoing(&req).unwrap().request, req);
    }

    #[test]
    fn masked_pii_and_earlier_answers_are_attributed() {
        let dir = tempfile::tempdir().unwrap();
        let g = guard(dir.path(), PrivacyMode::Detect, PrivacyMode::Mask, &[]);
        let mut req = request("x = 1");
        req.messages.push(ChatMessage {
            role: Role::Assistant,
            content: format!("ok\nTOKEN = '{TOKEN}'"),
        });
        let out = g.outgoing(&req).unwrap();
        assert!(!out.request.messages[0].content.contains("jane.doe@"));
        assert!(out.request.messages[1].content.contains(TOKEN));
        let answer = out.findings.iter().find(|f| f.kind == Kind::GithubToken);
        assert_eq!(
            answer.map(|f| (f.source.as_str(), f.line, f.action)),
            Some(("answer", 2, Action::Detected))
        );
    }
}
