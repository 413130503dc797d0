//! The one way strider writes files: atomically (a temporary file in the same directory, renamed
//! into place), so a failed run never leaves half a report.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// The file system refused.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Io(path, err) => write!(f, "cannot write `{}`: {err}", path.display()),
        }
    }
}

impl std::error::Error for WriteError {}

/// Writes `bytes` to `path` atomically: all of it or, on failure, nothing.
///
/// # Errors
/// When the directory cannot be created or the file cannot be written or renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |err| WriteError::Io(path.to_path_buf(), err);
    // A device or a pipe (`-o /dev/stdout`) cannot be replaced by a rename: write to it directly.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(io);
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".strider-").suffix(".tmp");
    // Temporary files are private (0600); a report is an ordinary file: keep the mode of the file
    // being replaced, else 0644 (further narrowed by the umask of whoever reads the directory).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut temp = builder.tempfile_in(dir).map_err(io)?;
    temp.write_all(bytes).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|err| io(err.error))?;
    Ok(())
}

/// Writes `bytes` atomically to `relative` inside `dir`, refusing any path that would leave it:
/// absolute paths, `..`, or a root or prefix component. Generated file names come from model ids,
/// so this is the last line of defence behind their sanitising.
///
/// # Errors
/// When `relative` leaves `dir`, or as [`write_atomic`].
pub fn write_confined(dir: &Path, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    use std::path::Component;
    let inside = !relative.as_os_str().is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        return Err(WriteError::Io(
            dir.join(relative),
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path would leave the output directory",
            ),
        ));
    }
    write_atomic(&dir.join(relative), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confined_writes_stay_inside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("out");
        write_confined(&inner, Path::new("a/b.txt"), b"x").unwrap();
        assert_eq!(std::fs::read(inner.join("a/b.txt")).unwrap(), b"x");
        for escape in [
            "../escaped.txt",
            "a/../../escaped.txt",
            "/tmp/escaped.txt",
            "",
            "./x",
        ] {
            assert!(
                write_confined(&inner, Path::new(escape), b"x").is_err(),
                "{escape}"
            );
        }
        assert!(!dir.path().join("escaped.txt").exists());
    }

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"first version, long").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
    }

    #[test]
    fn devices_are_written_directly() {
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
    }

    #[test]
    fn failed_write_leaves_existing_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"good").unwrap();
        // A directory where the file's parent should be makes the write fail.
        let blocked = dir.path().join("out.txt").join("child");
        assert!(write_atomic(&blocked, b"bad").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"good");
    }
}
