//! `forge config show`: every effective setting and where it came from (SPEC §12).

use super::args::{ConfigCommand, ConfigShowArgs};
use crate::contract::{Approval, Contract, DEFAULT_THRESHOLD, Limits};
use crate::error::{Error, exit};
use crate::llm::{Origin, Setting, SettingsSource};

pub fn run(g: &super::Global, a: ConfigCommand) -> Result<u8, Error> {
    match a {
        ConfigCommand::Show(args) => show(g, args),
    }
}

fn show(g: &super::Global, a: ConfigShowArgs) -> Result<u8, Error> {
    let contract = match &a.contract {
        Some(path) => Some(crate::contract::load(path, g.root.as_deref())?),
        None => None,
    };
    let source = SettingsSource::from_process();
    let flags = a.run.llm();
    let llm = contract.as_ref().map(|c| c.llm.clone()).unwrap_or_default();
    let (_, llm_settings) = crate::llm::explain_settings_from(&flags, &llm, &source)?;

    let mut settings = vec![root_setting(g, contract.as_ref())?];
    settings.extend(run_settings(contract.as_ref(), &a));
    settings.extend(llm_settings);
    settings.push(evidence_key()?);
    let config_file = source
        .config_dir
        .as_ref()
        .map(|d| d.join("config.toml").display().to_string());

    if g.json {
        let mut map = serde_json::Map::new();
        for s in &settings {
            map.insert(
                s.key.to_string(),
                serde_json::json!({"value": s.value, "source": s.origin.to_string()}),
            );
        }
        let doc = serde_json::json!({"settings": map, "config_file": config_file});
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
        super::output::out_line(&text)?;
    } else {
        super::output::out(&table(&settings))?;
        if let Some(path) = config_file {
            let state = if std::path::Path::new(&path).is_file() {
                ""
            } else {
                " (absent)"
            };
            super::output::out_line(&format!("\nconfig file: {path}{state}"))?;
        }
    }
    Ok(exit::OK)
}

fn root_setting(g: &super::Global, contract: Option<&Contract>) -> Result<Setting, Error> {
    let (value, origin) = match (&g.root, contract) {
        (Some(r), _) => (r.display().to_string(), Origin::Flag("--root")),
        (None, Some(c)) => (c.root.display().to_string(), Origin::Contract),
        (None, None) => (
            super::project::root(g)?.display().to_string(),
            Origin::Default,
        ),
    };
    Ok(Setting {
        key: "root",
        value,
        origin,
    })
}

/// The run limits: flag > contract > default. A contract value equal to the default reads as
/// the default (the loaded contract no longer tells the two apart).
fn run_settings(contract: Option<&Contract>, a: &ConfigShowArgs) -> Vec<Setting> {
    let d = Limits::default();
    let limits = contract.map(|c| c.limits.clone()).unwrap_or_default();
    let threshold = contract.map_or(DEFAULT_THRESHOLD, |c| c.threshold);
    let of = |flag: Option<String>, name: &'static str, value: String, default: String| match flag {
        Some(v) => (v, Origin::Flag(name)),
        None if value != default => (value, Origin::Contract),
        None => (value, Origin::Default),
    };
    let rows = [
        (
            "threshold",
            of(
                a.run.threshold.map(|t| t.to_string()),
                "--threshold",
                threshold.to_string(),
                DEFAULT_THRESHOLD.to_string(),
            ),
        ),
        (
            "max_iterations",
            of(
                a.run.max_iterations.map(|n| n.to_string()),
                "--max-iterations",
                limits.max_iterations.to_string(),
                d.max_iterations.to_string(),
            ),
        ),
        (
            "stagnation",
            of(
                None,
                "",
                limits.stagnation.to_string(),
                d.stagnation.to_string(),
            ),
        ),
        (
            "token_budget",
            of(
                a.run.token_budget.map(|n| n.to_string()),
                "--token-budget",
                limits.token_budget.to_string(),
                d.token_budget.to_string(),
            ),
        ),
        (
            "run_timeout",
            of(
                None,
                "",
                humantime::format_duration(limits.run_timeout).to_string(),
                humantime::format_duration(d.run_timeout).to_string(),
            ),
        ),
    ];
    let approval = match contract.map(|c| c.approval).unwrap_or_default() {
        Approval::None => "none",
        Approval::Required => "required",
    };
    let approval = (
        "approval",
        of(None, "", approval.to_string(), "none".to_string()),
    );
    rows.into_iter()
        .chain([approval])
        .map(|(key, (value, origin))| Setting { key, value, origin })
        .collect()
}

/// The evidence key, named by where it is, never shown.
fn evidence_key() -> Result<Setting, Error> {
    let var = crate::evidence::KEY_ENV_VAR;
    let set_in_env = std::env::var_os(var).is_some_and(|v| !v.is_empty());
    let (value, origin) = if set_in_env {
        (format!("set (from {var})"), Origin::Env(var))
    } else {
        let path = crate::evidence::default_key_path()?;
        let state = if path.is_file() {
            "key file"
        } else {
            "created at first signing:"
        };
        (format!("{state} {}", path.display()), Origin::Default)
    };
    Ok(Setting {
        key: "evidence_key",
        value,
        origin,
    })
}

fn table(settings: &[Setting]) -> String {
    let kw = settings
        .iter()
        .map(|s| s.key.len())
        .max()
        .unwrap_or(0)
        .max(3);
    let vw = settings
        .iter()
        .map(|s| s.value.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut out = format!("{:<kw$}  {:<vw$}  SOURCE\n", "KEY", "VALUE");
    for s in settings {
        let value: String = s
            .value
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        out.push_str(&format!("{:<kw$}  {:<vw$}  {}\n", s.key, value, s.origin));
    }
    out
}
