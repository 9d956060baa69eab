//! `forge evidence show|export|verify|verify-chain|recheck`: dispatch, show and export.
use super::args::{EvidenceCommand, ExportFormat};
use crate::error::{Error, exit};
use crate::evidence::{self, EvidenceError, canonical, input, intoto, signing_key};
use std::path::{Path, PathBuf};

pub fn run(g: &super::Global, a: EvidenceCommand) -> Result<u8, Error> {
    match a {
        EvidenceCommand::Show { target } => {
            let loaded = input::load_pack(&resolve(g, &target)?)?;
            print!("{}", evidence::render_markdown(&loaded.pack));
            Ok(exit::OK)
        }
        EvidenceCommand::Export {
            run_id,
            format,
            output,
            signing_key,
        } => export(
            g,
            &run_id,
            format,
            output.as_deref(),
            signing_key.as_deref(),
        ),
        EvidenceCommand::Verify {
            target,
            key_file,
            public_key,
            artifacts,
        } => super::verify_cmd::verify(
            g,
            &target,
            key_file.as_deref(),
            &public_key,
            artifacts.as_deref(),
        ),
        EvidenceCommand::VerifyChain {
            key_file,
            public_key,
        } => super::verify_cmd::verify_chain(g, key_file.as_deref(), &public_key),
        EvidenceCommand::Recheck { target } => super::verify_cmd::recheck(g, &target),
    }
}

fn export(
    g: &super::Global,
    target: &str,
    format: ExportFormat,
    output: Option<&Path>,
    signing_key: Option<&Path>,
) -> Result<u8, Error> {
    let path = resolve(g, target)?;
    let loaded = input::load_pack(&path)?;
    let bytes = match format {
        // The file as written: its bytes are what was signed (in canonical form).
        ExportFormat::Json => loaded.bytes,
        ExportFormat::Md => evidence::render_markdown(&loaded.pack).into_bytes(),
        ExportFormat::InToto => in_toto(&path, &loaded, signing_key)?,
    };
    match output {
        Some(out) => crate::fsutil::replace_regular_file(out, &bytes)
            .map_err(|e| Error::Usage(format!("cannot write {}: {e}", out.display())))?,
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| Error::Environment(format!("cannot write to stdout: {e}")))?;
        }
    }
    Ok(exit::OK)
}

/// The signed DSSE envelope for a pack whose hash still holds.
fn in_toto(
    path: &Path,
    loaded: &input::LoadedPack,
    signing_key: Option<&Path>,
) -> Result<Vec<u8>, Error> {
    let Some(key) = signing_key::resolve(signing_key)? else {
        return Err(Error::Usage(format!(
            "an in-toto attestation is signed with ed25519 and there is no signing key: {}",
            signing_key::how_to_make_one()
        )));
    };
    let content = canonical::signed_bytes(&loaded.value).map_err(EvidenceError::Serialize)?;
    let sha256 = canonical::sha256_hex(&content);
    let claimed = loaded.pack.integrity.as_ref().map(|i| i.sha256.as_str());
    if claimed != Some(sha256.as_str()) {
        return Err(EvidenceError::Altered(format!(
            "{} does not hash to its integrity.sha256 (altered or unsigned); run `forge evidence verify` on it",
            path.display()
        ))
        .into());
    }
    let statement = intoto::statement(&loaded.pack, &sha256);
    let envelope = intoto::envelope(&statement, &key)?;
    let mut bytes = serde_json::to_vec_pretty(&envelope).map_err(EvidenceError::Serialize)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A pack path (a file, or a run folder holding evidence.json) or a run id under ROOT/.forge/runs.
/// Anything that exists at the path is taken as the pack, so the reader can refuse what is not
/// a regular file.
pub(super) fn resolve(g: &super::Global, target: &str) -> Result<PathBuf, Error> {
    let as_path = Path::new(target);
    if as_path.is_dir() {
        let inside = as_path.join(evidence::JSON_FILE);
        if std::fs::symlink_metadata(&inside).is_ok() {
            return Ok(inside);
        }
        return Err(Error::Usage(format!(
            "{target} is a folder without an {}",
            evidence::JSON_FILE
        )));
    }
    if std::fs::symlink_metadata(as_path).is_ok() {
        return Ok(as_path.to_path_buf());
    }
    if !crate::history::is_run_id(target) {
        return Err(Error::Usage(format!(
            "cannot read evidence pack {target}: no such file, and not a run id"
        )));
    }
    let root = super::runs::root_dir(g)?;
    let path = crate::layout::run_dir(&root, target).join(evidence::JSON_FILE);
    if std::fs::symlink_metadata(&path).is_err() {
        return Err(Error::Usage(format!(
            "no evidence pack for run `{target}` (looked for {})",
            path.display()
        )));
    }
    Ok(path)
}
