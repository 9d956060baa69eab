//! The semantic checks of a parsed contract: every problem is collected with its position,
//! and with none the resolved `Contract` is built with its defaults filled in.

use super::Diagnostic;
use super::model::*;
use super::paths::check_relative;
use super::raw::*;
use super::yaml_error::{STARTER, suggest};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// Where the contract came from, for the fields of `Contract` that are not in the YAML.
pub struct Origin {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// None when the root could not be found (already reported).
    pub root: Option<PathBuf>,
}

/// Whether `name` is a valid contract name: `[A-Za-z0-9_.-]+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Check `doc` (its position is the document's) and build the contract, or every problem found.
pub fn build(doc: At<RawContract>, origin: Origin) -> Result<Contract, Vec<Diagnostic>> {
    let mut c = Checker::default();
    let top = (doc.line, doc.column);
    let raw = doc.value;

    match c.required(raw.version, top, "version", "add `version: 1`") {
        Some(v) if v.value != 1 => c.report(
            &v,
            format!("unsupported contract version {}", v.value),
            "this forge reads `version: 1` contracts",
        ),
        _ => {}
    }
    let name = c.required(raw.name, top, "name", "add a `name`, e.g. `name: slugify`");
    if let Some(n) = name.as_ref().filter(|n| !is_valid_name(&n.value)) {
        c.report(
            n,
            format!("invalid name `{}`", n.value),
            "use letters, digits, `_`, `.` and `-` only",
        );
    }
    let task = c.required(raw.task, top, "task", "describe what the code must do");
    if let Some(t) = task.as_ref().filter(|t| t.value.trim().is_empty()) {
        c.report(
            t,
            "`task` is empty".into(),
            "describe what the code must do",
        );
    }
    let files = c.required(
        raw.files,
        top,
        "files",
        "list the paths or globs the model may change",
    );
    if let Some(f) = files.as_ref().filter(|f| f.value.is_empty()) {
        c.report(
            f,
            "`files` is empty".into(),
            "list at least one path or glob the model may create or change",
        );
    }
    let files = files.map(|f| c.paths(f.value)).unwrap_or_default();
    let context = raw.context.map(|f| c.paths(f.value)).unwrap_or_default();
    let validators = c.validators(raw.validators, top);

    let threshold = raw.threshold.map_or(DEFAULT_THRESHOLD, |t| {
        if !(t.value > 0.0 && t.value <= 1.0) {
            c.report(
                &t,
                format!("threshold {} is out of range", t.value),
                "expected a number with 0 < threshold <= 1, e.g. 0.85",
            );
        }
        t.value
    });
    let limits = raw
        .limits
        .map_or_else(Limits::default, |l| c.limits(l.value));
    let llm = raw
        .llm
        .map_or_else(LlmSettings::default, |l| c.llm(l.value));
    let fallback = Fallback {
        llm_review: raw
            .fallback
            .and_then(|f| f.value.llm_review)
            .is_some_and(|b| b.value),
    };
    let evidence = EvidenceSettings {
        synthesis: raw
            .evidence
            .and_then(|e| e.value.synthesis)
            .map_or_else(Synthesis::default, |s| s.value),
    };

    match (c.diagnostics.is_empty(), origin.root, name, task) {
        (true, Some(root), Some(name), Some(task)) => Ok(Contract {
            path: origin.path,
            sha256: origin.sha256,
            source: origin.bytes,
            name: name.value,
            description: raw.description.map(|d| d.value),
            task: task.value,
            files,
            context,
            root,
            validators,
            threshold,
            limits,
            llm,
            fallback,
            evidence,
        }),
        _ => {
            let mut d = c.diagnostics;
            d.sort_by_key(|d| (d.line, d.column));
            Err(d)
        }
    }
}

#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
}

impl Checker {
    fn report<T>(&mut self, at: &At<T>, message: String, help: &str) {
        self.report_at((at.line, at.column), message, help);
    }

    fn report_at(&mut self, (line, column): (usize, usize), message: String, help: &str) {
        self.diagnostics.push(Diagnostic {
            line,
            column,
            message,
            help: Some(help.to_string()),
        });
    }

    /// A required key's value, or a diagnostic at its parent mapping.
    fn required<T>(
        &mut self,
        value: Option<At<T>>,
        parent: (usize, usize),
        key: &str,
        help: &str,
    ) -> Option<At<T>> {
        if value.is_none() {
            self.report_at(parent, format!("missing required key `{key}`"), help);
        }
        value
    }

    fn paths(&mut self, entries: Vec<At<String>>) -> Vec<String> {
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            match check_relative(&e.value) {
                Ok(p) => out.push(p),
                Err(why) => self.report(&e, why.message, why.help),
            }
        }
        out
    }

    fn validators(
        &mut self,
        raw: Option<At<Vec<At<RawValidator>>>>,
        top: (usize, usize),
    ) -> Vec<Validator> {
        let Some(list) = self.required(raw, top, "validators", "add at least one validator") else {
            return Vec::new();
        };
        if list.value.is_empty() {
            self.report(
                &list,
                "`validators` is empty".into(),
                "add at least one validator with a `name` and a `run` command",
            );
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for v in list.value {
            let at = (v.line, v.column);
            if let Some(built) = self.validator(v.value, at, &mut seen) {
                out.push(built);
            }
        }
        out
    }

    fn validator(
        &mut self,
        raw: RawValidator,
        at: (usize, usize),
        seen: &mut HashMap<String, usize>,
    ) -> Option<Validator> {
        let name = self.required(raw.name, at, "name", "give the validator a unique `name`");
        if let Some(n) = &name {
            if n.value.trim().is_empty() {
                self.report(
                    n,
                    "validator name is empty".into(),
                    "give the validator a name",
                );
            } else if let Some(first) = seen.get(&n.value) {
                let help = format!("first used on line {first}; validator names must be unique");
                self.report(n, format!("duplicate validator name `{}`", n.value), &help);
            } else {
                seen.insert(n.value.clone(), n.line);
            }
        }
        let run = self.required(raw.run, at, "run", "add the shell command to `run`");
        if let Some(r) = run.as_ref().filter(|r| r.value.trim().is_empty()) {
            self.report(r, "`run` is empty".into(), "give the shell command to run");
        }
        let weight = raw.weight.map_or(1.0, |w| {
            if !(w.value > 0.0 && w.value.is_finite()) {
                self.report(
                    &w,
                    format!("weight {} is not greater than 0", w.value),
                    "expected a positive number, e.g. 1 or 3",
                );
            }
            w.value
        });
        let timeout = raw
            .timeout
            .map_or(Some(DEFAULT_TIMEOUT), |t| self.duration(t))
            .unwrap_or(DEFAULT_TIMEOUT);
        let parse = raw.parse.map_or(Parser::ExitCode, |p| self.parser(p));
        Some(Validator {
            name: name?.value,
            kind: raw.kind.map_or(ValidatorKind::Custom, |k| k.value),
            run: run?.value,
            weight,
            required: raw.required.is_some_and(|r| r.value),
            timeout,
            parse,
        })
    }

    fn duration(&mut self, d: At<HumanDuration>) -> Option<Duration> {
        match humantime::parse_duration(&d.value.0) {
            Ok(v) if v > Duration::ZERO => Some(v),
            Ok(_) => {
                self.report(&d, "duration must be longer than 0".into(), DURATION_HELP);
                None
            }
            Err(e) => {
                self.report(
                    &d,
                    format!("bad duration `{}`: {e}", d.value.0),
                    DURATION_HELP,
                );
                None
            }
        }
    }

    fn parser(&mut self, p: At<ParseSpec>) -> Parser {
        let spec = p.value.0.trim();
        match spec {
            "exit_code" => Parser::ExitCode,
            "unittest" => Parser::Unittest,
            "pytest" => Parser::Pytest,
            "cargo_test" => Parser::CargoTest,
            "tap" => Parser::Tap,
            _ => match spec.strip_prefix("junit:") {
                Some(path) if path.trim().is_empty() => {
                    self.report(
                        &p,
                        "`junit:` needs the path of the XML report".into(),
                        "e.g. junit:target/report.xml (relative to the root)",
                    );
                    Parser::ExitCode
                }
                Some(path) => match check_relative(path) {
                    Ok(path) => Parser::Junit(path),
                    Err(why) => {
                        let message = format!("junit report path {}", why.message);
                        self.report(&p, message, why.help);
                        Parser::ExitCode
                    }
                },
                None => {
                    let names: Vec<&str> = PARSER_NAMES
                        .iter()
                        .copied()
                        .chain(["junit:<path>"])
                        .collect();
                    let help = suggest(spec, &names);
                    self.report(&p, format!("unknown parser `{spec}`"), &help);
                    Parser::ExitCode
                }
            },
        }
    }

    fn limits(&mut self, raw: RawLimits) -> Limits {
        let d = Limits::default();
        Limits {
            max_iterations: self.count(
                "max_iterations",
                raw.max_iterations,
                d.max_iterations,
                u32::MAX,
            ),
            stagnation: self.count("stagnation", raw.stagnation, d.stagnation, u32::MAX),
            token_budget: self.count(
                "token_budget",
                raw.token_budget,
                d.token_budget,
                i64::MAX as u64,
            ),
            run_timeout: raw
                .run_timeout
                .and_then(|t| self.duration(t))
                .unwrap_or(d.run_timeout),
        }
    }

    /// A whole number from 1 to the most `T` holds.
    fn count<T: TryFrom<i64> + Into<u64> + Copy>(
        &mut self,
        key: &str,
        raw: Option<At<i64>>,
        default: T,
        max: T,
    ) -> T {
        let Some(n) = raw else { return default };
        match T::try_from(n.value) {
            Ok(v) if n.value >= 1 => v,
            _ => {
                let help = format!("expected a whole number from 1 to {}", max.into());
                self.report(&n, format!("`{key}` {} is out of range", n.value), &help);
                default
            }
        }
    }

    fn llm(&mut self, raw: RawLlm) -> LlmSettings {
        if let Some(t) = raw
            .temperature
            .as_ref()
            .filter(|t| !(0.0..=2.0).contains(&t.value))
        {
            self.report(
                t,
                format!("temperature {} is out of range", t.value),
                "expected a number from 0 to 2",
            );
        }
        if let Some(u) = raw
            .base_url
            .as_ref()
            .filter(|u| !(u.value.starts_with("http://") || u.value.starts_with("https://")))
        {
            self.report(
                u,
                format!("base_url `{}` is not an http(s) URL", u.value),
                "e.g. https://api.openai.com/v1 or http://localhost:11434",
            );
        }
        if let Some(m) = raw.model.as_ref().filter(|m| m.value.trim().is_empty()) {
            self.report(
                m,
                "`model` is empty".into(),
                "name the model, e.g. gpt-4o-mini",
            );
        }
        LlmSettings {
            provider: raw.provider.map(|p| p.value),
            model: raw.model.map(|m| m.value),
            base_url: raw.base_url.map(|u| u.value),
            temperature: raw.temperature.map(|t| t.value),
            max_output_tokens: raw
                .max_output_tokens
                .map(|n| self.count("max_output_tokens", Some(n), 0, u32::MAX))
                .filter(|&n| n > 0),
        }
    }
}

const DURATION_HELP: &str = "write a number with a unit, e.g. 500ms, 30s, 2m";

/// What an empty document needs, for the loader's message.
pub fn empty_document() -> Diagnostic {
    Diagnostic {
        line: 1,
        column: 1,
        message: "the contract is empty".into(),
        help: Some(format!("start with {STARTER}")),
    }
}
