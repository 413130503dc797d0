//! The one way strider writes files: atomically (a temporary file in the same directory, renamed
//! into place), so a failed run never leaves half a report.

use std::collections::{BTreeMap, BTreeSet};
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
/// A symlink at `path` is replaced by the file, never written through: in a checkout a link can
/// come from a pull request (`strider.sarif -> ~/.bashrc`). A directory, or a link to one, is
/// refused. A device or a pipe is written directly, but only through a link under `/dev` or
/// `/proc`; such a link is always written through, never replaced (`-o /dev/stdout` with stdout
/// redirected to a file writes that file). A replaced file keeps its mode; a new one is created
/// `0666` less the umask, as any other program's output (`0644` under the usual umask).
///
/// # Errors
/// When `path` is a directory, or the file cannot be written or renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |err| WriteError::Io(path.to_path_buf(), err);
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory; name a file",
        )));
    }
    // `/dev/stdout` is a link to whatever stdout is, a regular file when it is redirected to
    // one: a rename there would replace the system's link (as root), so under /dev and /proc a
    // link is always written through, never replaced.
    let system = path.starts_with("/dev") || path.starts_with("/proc");
    if (system && link) || (existing.as_ref().is_some_and(|m| !m.is_file()) && !link) {
        return write_through(path, bytes).map_err(io);
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".strider-").suffix(".tmp");
    // Temporary files are private (0600) by default; an output is an ordinary file.
    #[cfg(unix)]
    let kept_mode = {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
        existing
            .as_ref()
            .filter(|_| !link)
            .map(|m| m.permissions().mode() & 0o7777)
    };
    let mut temp = builder.tempfile_in(dir).map_err(io)?;
    temp.write_all(bytes).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file's mode is 0666 less the umask; a replaced one keeps its own.
        let mode = match kept_mode {
            Some(mode) => mode,
            None => temp.as_file().metadata().map_err(io)?.permissions().mode() & 0o7777,
        };
        let mode = if is_script(bytes) {
            executable_where_readable(mode)
        } else {
            mode
        };
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io)?;
    }
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|err| io(err.error))?;
    Ok(())
}

/// Writes `bytes` into what `path` already is: a device, a pipe, or (through `/dev/stdout`) the
/// file stdout is redirected to — that one through stdout itself, so `>>` appends.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let stdout = std::io::stdout();
        let same = stdout
            .as_fd()
            .try_clone_to_owned()
            .and_then(|fd| std::fs::File::from(fd).metadata())
            .is_ok_and(|m| m.dev() == target.dev() && m.ino() == target.ino());
        if same {
            let mut out = stdout.lock();
            out.write_all(bytes)?;
            return out.flush();
        }
    }
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(target.is_file())
        .open(path)?
        .write_all(bytes)
}

/// Writes `bytes` atomically to `relative` inside `dir`, refusing any path that would leave it
/// (see [`check_confined`]). Generated file names come from model ids, so this is the last line
/// of defence behind their sanitising.
///
/// # Errors
/// When `relative` leaves `dir`, or as [`write_atomic`].
pub fn write_confined(dir: &Path, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    check_confined(dir, relative)?;
    write_atomic(&dir.join(relative), bytes)
}

/// Whether [`write_confined`] may write `relative` inside `dir`, checked before anything is
/// written: no absolute path, `..`, root or prefix component, and no symlink among the
/// directories on the way (a checked-out `.github -> /somewhere` must not carry the file
/// elsewhere).
///
/// # Errors
/// The path, and why it would leave `dir`.
pub fn check_confined(dir: &Path, relative: &Path) -> Result<(), WriteError> {
    let leaves = |why: &str| {
        WriteError::Io(
            dir.join(relative),
            std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_owned()),
        )
    };
    if !is_confined(relative) {
        return Err(leaves("the path would leave the output directory"));
    }
    let mut on_the_way = dir.to_path_buf();
    for part in relative.parent().into_iter().flat_map(Path::components) {
        on_the_way.push(part);
        if std::fs::symlink_metadata(&on_the_way).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(leaves(&format!(
                "`{}` is a symlink: strider does not write through it",
                crate::escape::terminal(&on_the_way.display().to_string())
            )));
        }
    }
    Ok(())
}

/// A file that starts with `#!` (but not `#![`, a Rust inner attribute) is a script: strider
/// makes it executable wherever it is readable.
#[must_use]
pub fn is_script(bytes: &[u8]) -> bool {
    bytes.starts_with(b"#!") && !bytes.starts_with(b"#![")
}

/// `mode` with execute (or, for a directory, search) permission wherever it allows reading, so
/// the umask that shaped `mode` stays in force.
#[must_use]
pub fn executable_where_readable(mode: u32) -> u32 {
    mode | ((mode & 0o444) >> 2)
}

/// The file that marks a directory as written by strider, listing the files it wrote.
pub const MARKER: &str = ".strider-generated";

/// What [`MARKER`] holds.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Marker {
    /// What wrote the directory.
    generator: String,
    /// The files it wrote, relative, with `/` separators.
    files: Vec<String>,
}

/// Why a generated directory was not written.
fn refused(path: &Path, why: impl Into<String>) -> WriteError {
    WriteError::Io(
        path.to_path_buf(),
        std::io::Error::new(std::io::ErrorKind::AlreadyExists, why.into()),
    )
}

/// Whether `relative` stays inside the directory it is relative to.
fn is_confined(relative: &Path) -> bool {
    use std::path::Component;
    !relative.as_os_str().is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The files a marker says strider wrote, or `None` when the directory has no readable marker.
fn generated_files(dir: &Path) -> Option<BTreeSet<PathBuf>> {
    let marker = dir.join(MARKER);
    let bytes = crate::files::Tree::new(dir)
        .ok()?
        .read(&marker, 16 << 20)
        .ok()?;
    let marker: Marker = serde_json::from_slice(&bytes).ok()?;
    Some(
        marker
            .files
            .iter()
            .map(PathBuf::from)
            .filter(|p| is_confined(p))
            .collect(),
    )
}

/// The entries of `dir` (not following links), relative to `base`, that no generated path lies
/// under: whole subtrees when nothing generated is inside them, else their entries one by one.
/// What is not a directory where a generated file needs one (a link, a file) goes to `blocked`.
fn carried(
    base: &Path,
    relative: &Path,
    generated: &BTreeSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    blocked: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(base.join(relative))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let path = relative.join(&name);
        if path == Path::new(MARKER) || generated.contains(&path) {
            continue;
        }
        let is_dir = std::fs::symlink_metadata(base.join(&path))?.is_dir();
        let needed = generated.iter().any(|g| g.starts_with(&path));
        if is_dir && needed {
            carried(base, &path, generated, out, blocked)?;
        } else if needed {
            blocked.push(path);
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes a whole generated directory — a crate, say — as one step: every file goes to a new
/// directory beside `dir`, which then takes `dir`'s place — or, when `dir` exists, whose entries
/// take the place of what strider generated there ([`swap_entries`]: `dir` itself stays, so a
/// shell inside it, `-o .`, stays in the crate) — so a failure leaves `dir` as it was.
///
/// `dir` must be missing, empty, or a directory strider generated before (it has a [`MARKER`]),
/// unless `force`. What is in an earlier generated `dir` and was not generated — a corpus,
/// findings, a lockfile, `target/` — is moved into the new one; a file generated last time that is
/// no longer generated goes away; a file the user made where strider now generates one is refused
/// unless `force`. Symlinks inside `dir` are moved as links, never followed. A file that starts
/// with `#!` is a script and is made executable wherever it is readable ([`is_script`]).
///
/// # Errors
/// When `dir` is refused, a path in `files` would leave it, or the file system refuses.
pub fn write_generated_dir(
    dir: &Path,
    files: &BTreeMap<PathBuf, Vec<u8>>,
    generator: &str,
    force: bool,
) -> Result<(), WriteError> {
    if let Some(bad) = files.keys().find(|p| !is_confined(p)) {
        return Err(refused(
            &dir.join(bad),
            "the path would leave the output directory",
        ));
    }
    // The directory the user named, links resolved: that entry is what gets replaced.
    let dir = match std::fs::canonicalize(dir) {
        Ok(real) => real,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::path::absolute(dir).map_err(io_at(dir))?
        }
        Err(err) => return Err(io_at(dir)(err)),
    };
    let existing = match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => return Err(refused(&dir, "it exists and is not a directory")),
        Err(_) => false,
    };
    if !existing {
        let staging = stage(&dir, files, generator, existing)?;
        return std::fs::rename(staging.path(), &dir).map_err(io_at(&dir));
    }
    let (keep, generated) = kept_entries(&dir, files, force)?;
    let staging = stage(&dir, files, generator, existing)?;
    swap_entries(&dir, &staging, &keep, &generated)
}

/// A closure turning an I/O error into a [`WriteError`] about `path`.
fn io_at(path: &Path) -> impl Fn(std::io::Error) -> WriteError + use<> {
    let path = path.to_path_buf();
    move |err| WriteError::Io(path.clone(), err)
}

/// What of the existing generated `dir` is kept (see [`carried`]), and every path strider
/// generated there last time or generates now, after checking that `dir` may be regenerated at
/// all.
fn kept_entries(
    dir: &Path,
    files: &BTreeMap<PathBuf, Vec<u8>>,
    force: bool,
) -> Result<(Vec<PathBuf>, BTreeSet<PathBuf>), WriteError> {
    let empty = std::fs::read_dir(dir).map_err(io_at(dir))?.next().is_none();
    let old_generated = match generated_files(dir) {
        Some(list) => list,
        None if empty || force => BTreeSet::new(),
        None => {
            return Err(refused(
                dir,
                "the directory is not empty and was not generated by strider (no .strider-generated); \
                 choose a new directory, or pass --force to replace the files strider writes",
            ));
        }
    };
    let new_generated: BTreeSet<PathBuf> = files.keys().cloned().collect();
    let generated: BTreeSet<PathBuf> = old_generated.union(&new_generated).cloned().collect();
    let (mut keep, mut blocked) = (Vec::new(), Vec::new());
    carried(dir, Path::new(""), &generated, &mut keep, &mut blocked).map_err(io_at(dir))?;
    // A user's file where strider now writes one (`carried` skipped it), or something that is
    // not a directory where strider needs one: replaced only if strider had put a file or
    // directory there before, or with --force.
    let ours = |path: &Path| old_generated.iter().any(|g| g.starts_with(path));
    let in_the_way = new_generated
        .difference(&old_generated)
        .filter(|path| std::fs::symlink_metadata(dir.join(path)).is_ok())
        .chain(blocked.iter().filter(|path| !ours(path)))
        .next();
    if let (Some(path), false) = (in_the_way, force) {
        return Err(refused(
            &dir.join(path),
            "strider would replace this, which it did not write; move it, or pass --force",
        ));
    }
    Ok((keep, generated))
}

/// The new directory, written beside `dir`: every file, the marker, and `dir`'s mode (or an
/// ordinary directory's: search where reading is allowed).
fn stage(
    dir: &Path,
    files: &BTreeMap<PathBuf, Vec<u8>>,
    generator: &str,
    existing: bool,
) -> Result<tempfile::TempDir, WriteError> {
    let parent = dir.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    let name = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.strider-"))
        .tempdir_in(parent)
        .map_err(io_at(parent))?;
    for (relative, bytes) in files {
        let path = staging.path().join(relative);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io_at(p))?;
        }
        std::fs::write(&path, bytes).map_err(io_at(&dir.join(relative)))?;
        #[cfg(unix)]
        if is_script(bytes) {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map_err(io_at(&dir.join(relative)))?
                .permissions()
                .mode();
            std::fs::set_permissions(
                &path,
                std::fs::Permissions::from_mode(executable_where_readable(mode)),
            )
            .map_err(io_at(&dir.join(relative)))?;
        }
    }
    let marker = Marker {
        generator: generator.to_owned(),
        files: files
            .keys()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect(),
    };
    let mut marker_json = serde_json::to_vec_pretty(&marker).unwrap_or_default();
    marker_json.push(b'\n');
    let marker_path = staging.path().join(MARKER);
    std::fs::write(&marker_path, marker_json).map_err(io_at(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if existing {
            std::fs::metadata(dir)
                .map_err(io_at(dir))?
                .permissions()
                .mode()
        } else {
            // tempdir makes a private (0700) directory: take a new file's mode (0666 less the
            // umask) and add search where reading is allowed.
            let file = std::fs::metadata(&marker_path)
                .map_err(io_at(dir))?
                .permissions()
                .mode();
            executable_where_readable(file & 0o666)
        };
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(mode))
            .map_err(io_at(dir))?;
    }
    Ok(staging)
}

/// Puts the staged entries in `dir`, which stays where it is (a shell or an editor inside it
/// stays in it): what is kept inside a generated directory moves into `staging` first; then each
/// entry of `dir` that holds something strider generated, last time or now, moves to a backup
/// beside `dir`, and each entry of `staging` moves in. The user's other entries are not touched.
/// On any failure every move is undone and `dir` is left as it was; on success the backup, which
/// holds only what strider generated last time, is removed (links removed, not followed).
fn swap_entries(
    dir: &Path,
    staging: &tempfile::TempDir,
    keep: &[PathBuf],
    generated: &BTreeSet<PathBuf>,
) -> Result<(), WriteError> {
    let parent = dir.parent().unwrap_or(Path::new("/"));
    // Dropped last: on a failure, only after what it holds has been moved back.
    let backup = tempfile::Builder::new()
        .prefix(".strider-old-")
        .tempdir_in(parent)
        .map_err(io_at(parent))?;
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = move_entries(
        dir,
        staging.path(),
        backup.path(),
        keep,
        generated,
        &mut moved,
    );
    if result.is_err() {
        for (from, to) in moved.iter().rev() {
            let _ = std::fs::rename(to, from);
        }
    }
    result
}

/// The moves of [`swap_entries`], each recorded in `moved` once done, so they can be undone.
fn move_entries(
    dir: &Path,
    staging: &Path,
    backup: &Path,
    keep: &[PathBuf],
    generated: &BTreeSet<PathBuf>,
    moved: &mut Vec<(PathBuf, PathBuf)>,
) -> Result<(), WriteError> {
    let mut rename = |from: PathBuf, to: PathBuf| {
        std::fs::rename(&from, &to).map_err(io_at(&from))?;
        moved.push((from, to));
        Ok::<(), WriteError>(())
    };
    // Kept entries at the top of `dir` stay where they are; deeper ones are inside an entry that
    // is replaced, so they go into the staged one.
    for relative in keep.iter().filter(|p| p.components().nth(1).is_some()) {
        let to = staging.join(relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io_at(parent))?;
        }
        rename(dir.join(relative), to)?;
    }
    let names = |of: &Path| -> Result<Vec<std::ffi::OsString>, WriteError> {
        let mut names: Vec<_> = std::fs::read_dir(of)
            .and_then(|entries| entries.map(|e| e.map(|e| e.file_name())).collect())
            .map_err(io_at(of))?;
        names.sort();
        Ok(names)
    };
    for name in names(dir)? {
        let holds_generated =
            name == MARKER || generated.iter().any(|g| g.starts_with(Path::new(&name)));
        if holds_generated {
            rename(dir.join(&name), backup.join(&name))?;
        }
    }
    for name in names(staging)? {
        rename(staging.join(&name), dir.join(&name))?;
    }
    Ok(())
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
    fn confined_writes_do_not_pass_through_linked_directories() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let inner = dir.path().join("repo");
        std::fs::create_dir(&inner).unwrap();
        std::os::unix::fs::symlink(&elsewhere, inner.join(".github")).unwrap();
        let err = write_confined(&inner, Path::new(".github/workflows/x.yml"), b"x").unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
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

    #[test]
    fn links_and_directories_are_treated_alike() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        symlink(&real, dir.path().join("link")).unwrap();
        for name in ["real", "link"] {
            let err = write_atomic(&dir.path().join(name), b"x").unwrap_err();
            assert!(err.to_string().contains("directory"), "{name}: {err}");
        }
        assert!(
            std::fs::symlink_metadata(dir.path().join("link"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A link to a file is replaced, never written through: what it led to is untouched.
        std::fs::write(dir.path().join("target.txt"), b"old").unwrap();
        symlink(dir.path().join("target.txt"), dir.path().join("file-link")).unwrap();
        write_atomic(&dir.path().join("file-link"), b"new").unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("target.txt")).unwrap(),
            b"old"
        );
        assert_eq!(std::fs::read(dir.path().join("file-link")).unwrap(), b"new");
        assert!(
            !std::fs::symlink_metadata(dir.path().join("file-link"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // Nor through a link to a device or a pipe outside /dev and /proc.
        symlink("/dev/null", dir.path().join("null-link")).unwrap();
        write_atomic(&dir.path().join("null-link"), b"x").unwrap();
        assert!(
            std::fs::metadata(dir.path().join("null-link"))
                .unwrap()
                .is_file()
        );
        // New files are ordinary files: never executable, readable by the owner's group when
        // the umask allows (0644 under the usual 022).
        write_atomic(&dir.path().join("new.txt"), b"x").unwrap();
        let mode = std::fs::metadata(dir.path().join("new.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0, "{mode:o}");
        assert_eq!(mode & 0o600, 0o600, "{mode:o}");
    }

    #[test]
    fn scripts_are_executable_where_readable_and_rust_attributes_are_no_scripts() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |name: &str| {
            std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        write_confined(dir.path(), Path::new("a/build.sh"), b"#!/bin/sh\n").unwrap();
        write_confined(dir.path(), Path::new("a/lib.rs"), b"#![no_main]\n").unwrap();
        let script = mode("a/build.sh");
        assert_eq!(script & 0o100, 0o100, "{script:o}");
        assert_eq!(script & 0o111, (script & 0o444) >> 2, "{script:o}");
        assert_eq!(mode("a/lib.rs") & 0o111, 0);
        // A replaced script keeps its mode, executable where readable.
        std::fs::set_permissions(
            dir.path().join("a/build.sh"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        write_confined(dir.path(), Path::new("a/build.sh"), b"#!/bin/sh\n").unwrap();
        assert_eq!(mode("a/build.sh"), 0o700);
    }

    fn generated(files: &[(&str, &str)]) -> BTreeMap<PathBuf, Vec<u8>> {
        files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec()))
            .collect()
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(d) = pending.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if std::fs::symlink_metadata(&path).unwrap().is_dir() {
                    pending.push(path);
                } else {
                    out.push(
                        path.strip_prefix(dir)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                    );
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_generated_directory_is_written_whole_and_marked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        let files = generated(&[("Cargo.toml", "[package]"), ("src/lib.rs", "//!")]);
        write_generated_dir(&out, &files, "test", false).unwrap();
        assert_eq!(listing(&out), [MARKER, "Cargo.toml", "src/lib.rs"]);
        // Nothing is left beside it.
        assert_eq!(listing(dir.path()).len(), 3);
    }

    #[test]
    fn a_users_directory_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("Cargo.toml"), "mine").unwrap();
        std::fs::write(out.join("notes.txt"), "mine too").unwrap();
        let files = generated(&[("Cargo.toml", "[package]"), ("src/lib.rs", "//!")]);
        let err = write_generated_dir(&out, &files, "test", false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("Cargo.toml")).unwrap(),
            "mine"
        );
        assert_eq!(listing(dir.path()).len(), 2, "{:?}", listing(dir.path()));
        write_generated_dir(&out, &files, "test", true).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("Cargo.toml")).unwrap(),
            "[package]"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine too"
        );
    }

    #[test]
    fn regenerating_keeps_what_strider_did_not_write() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        let first = generated(&[
            ("Cargo.toml", "v1"),
            ("corpus/t/realistic", "seed"),
            ("fuzz_targets/old.rs", "gone next time"),
        ]);
        write_generated_dir(&out, &first, "test", false).unwrap();
        std::fs::write(out.join("corpus/t/found-by-libfuzzer"), "input").unwrap();
        std::fs::create_dir_all(out.join("findings/f")).unwrap();
        std::fs::write(out.join("findings/f/1.json"), "{}").unwrap();
        std::fs::create_dir_all(out.join("target/debug")).unwrap();
        std::fs::write(out.join("target/debug/build"), "cache").unwrap();
        std::fs::write(out.join("Cargo.lock"), "lock").unwrap();
        // A link the user (or a pull request) put inside the output is moved, never followed.
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        symlink(&outside, out.join("artifacts")).unwrap();
        let second = generated(&[
            ("Cargo.toml", "v2"),
            ("corpus/t/realistic", "seed"),
            ("fuzz_targets/new.rs", "new"),
        ]);
        write_generated_dir(&out, &second, "test", false).unwrap();
        assert_eq!(
            listing(&out),
            [
                MARKER,
                "Cargo.lock",
                "Cargo.toml",
                "artifacts",
                "corpus/t/found-by-libfuzzer",
                "corpus/t/realistic",
                "findings/f/1.json",
                "fuzz_targets/new.rs",
                "target/debug/build",
            ]
        );
        assert_eq!(
            std::fs::read_to_string(out.join("Cargo.toml")).unwrap(),
            "v2"
        );
        assert!(listing(&outside).is_empty());
        assert_eq!(
            listing(dir.path()).len(),
            9,
            "nothing left beside the crate"
        );
        // A file of the user's where strider now writes one is refused, and nothing changes.
        std::fs::write(out.join("build.rs"), "mine").unwrap();
        let third = generated(&[("Cargo.toml", "v3"), ("build.rs", "generated")]);
        assert!(write_generated_dir(&out, &third, "test", false).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("Cargo.toml")).unwrap(),
            "v2"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("build.rs")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn regenerating_replaces_entries_not_the_directory() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        std::fs::create_dir(&out).unwrap();
        let inode = |path: &Path| std::fs::symlink_metadata(path).unwrap().ino();
        let (crate_dir, before) = (inode(&out), std::fs::metadata(&out).unwrap().mode());
        let first = generated(&[
            ("Cargo.toml", "v1"),
            ("src/lib.rs", "//! 1"),
            ("old.rs", ""),
        ]);
        write_generated_dir(&out, &first, "test", false).unwrap();
        std::fs::create_dir_all(out.join("target/debug")).unwrap();
        std::fs::write(out.join("src/mine.rs"), "mine").unwrap();
        let (target, src) = (inode(&out.join("target")), inode(&out.join("src")));
        let second = generated(&[("Cargo.toml", "v2"), ("src/lib.rs", "//! 2")]);
        write_generated_dir(&out, &second, "test", false).unwrap();
        assert_eq!(inode(&out), crate_dir, "the directory itself was replaced");
        assert_eq!(std::fs::metadata(&out).unwrap().mode(), before);
        assert_eq!(
            inode(&out.join("target")),
            target,
            "an untouched entry moved"
        );
        assert_ne!(inode(&out.join("src")), src);
        assert_eq!(
            listing(&out),
            [MARKER, "Cargo.toml", "src/lib.rs", "src/mine.rs"]
        );
        assert_eq!(listing(dir.path()).len(), 4, "{:?}", listing(dir.path()));
    }

    #[test]
    fn a_failed_generation_leaves_the_directory_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        write_generated_dir(&out, &generated(&[("Cargo.toml", "v1")]), "test", false).unwrap();
        std::fs::write(out.join("Cargo.lock"), "lock").unwrap();
        // `a` cannot be a file and a directory at once: the write fails half-way.
        let broken = generated(&[("Cargo.toml", "v2"), ("a", "file"), ("a/b", "file")]);
        assert!(write_generated_dir(&out, &broken, "test", false).is_err());
        assert_eq!(listing(&out), [MARKER, "Cargo.lock", "Cargo.toml"]);
        assert_eq!(
            std::fs::read_to_string(out.join("Cargo.toml")).unwrap(),
            "v1"
        );
        assert_eq!(listing(dir.path()).len(), 3, "{:?}", listing(dir.path()));
        for escape in ["../x", "/tmp/x"] {
            assert!(
                write_generated_dir(&out, &generated(&[(escape, "x")]), "test", false).is_err()
            );
        }
    }
}
