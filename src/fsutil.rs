//! Atomic file writes: a reader sees the old bytes or the new ones, never half of either.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` through a temp file in the same folder and a rename, then sync.
/// Keeps the permissions of an existing file unless `mode` is given (unix permission bits).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    replace(path, bytes, mode, Durability::FileAndFolder)
}

/// [`write_atomic`] for several files at once: each is written, synced and renamed into place,
/// then each folder they are in is synced once rather than once per file.
pub fn write_atomic_all(files: &[(&Path, &[u8])]) -> std::io::Result<()> {
    let mut folders: Vec<&Path> = Vec::new();
    for (path, bytes) in files {
        replace(path, bytes, None, Durability::FileOnly)?;
        let dir = folder_of(path);
        if !folders.contains(&dir) {
            folders.push(dir);
        }
    }
    for dir in folders {
        sync_folder(dir);
    }
    Ok(())
}

/// [`write_atomic`] without waiting for the disk, for a private workspace: it is thrown away
/// with its run, so a crash loses nothing that a sync would have kept.
pub fn write_atomic_scratch(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    replace(path, bytes, mode, Durability::Nothing)
}

/// How much of a write waits for the disk.
#[derive(PartialEq)]
enum Durability {
    Nothing,
    FileOnly,
    FileAndFolder,
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Make a rename in `dir` durable; a folder that cannot be opened is left to the next sync.
fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn replace(path: &Path, bytes: &[u8], mode: Option<u32>, sync: Durability) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder_of(path);
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".forge-tmp-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    let perms = match mode {
        Some(m) => Some(std::fs::Permissions::from_mode(m)),
        None => std::fs::metadata(path).ok().map(|m| m.permissions()),
    };
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p)?;
    }
    if sync != Durability::Nothing {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if sync == Durability::FileAndFolder {
        sync_folder(dir);
    }
    Ok(())
}

/// `write_atomic`, but only where nothing is, or a regular file is: a symlink, device, FIFO or
/// folder at `path` is refused, never replaced or written through.
pub fn replace_regular_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "it exists and is not a regular file (a symlink, folder, device or FIFO is never replaced)",
        )),
        _ => write_atomic(path, bytes, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.sh");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_atomic(&p, b"new", None).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }

    #[test]
    fn several_files_in_several_folders() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.json"), dir.path().join("x/b.md"));
        std::fs::write(&a, "old").unwrap();
        write_atomic_all(&[(&a, b"new a"), (&b, b"new b")]).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".forge-tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn explicit_mode_and_missing_parent() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x/y/key");
        write_atomic(&p, b"k", Some(0o600)).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
