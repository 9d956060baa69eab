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
        let mut state = self.state();
        findings.retain(|f| state.reported.insert(f.clone()));
        Ok(Guarded {
            request: ChatRequest { system, messages },
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
